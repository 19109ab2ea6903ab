"""The nodes of the learning-path graph: each an async function of the state (and the run's
configuration, which carries the request's database session) returning what it adds."""

import uuid
from datetime import date
from typing import Any

from langchain_core.runnables import RunnableConfig
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.learner_model import service as learner_model
from learnwise.ai.paths import planner, prompts
from learnwise.ai.paths.exceptions import GoalNotCovered, PathNotFound
from learnwise.ai.paths.models import LearningPath
from learnwise.ai.paths.state import PathState
from learnwise.ai.recommend.catalog import Catalog, CatalogItem, cache
from learnwise.config import RecommendSettings
from learnwise.db import utcnow
from learnwise.progress.models import UserProgress
from learnwise.progress.schemas import ProgressStatus

# A free-text goal must match a course or a skill at least this well (TF-IDF cosine).
TEXT_MATCH_THRESHOLD = 0.2


def _session(config: RunnableConfig) -> AsyncSession:
    return config["configurable"]["session"]


async def _catalog(config: RunnableConfig) -> Catalog:
    settings: RecommendSettings = config["configurable"]["settings"]
    return await cache.get(
        session=_session(config), max_age_seconds=settings.catalog_refresh_seconds
    )


def _match_text(catalog: Catalog, text: str) -> tuple[list[str], list[str]]:
    """The course or skill whose name best matches the text, if any matches well enough."""
    names = [(("course", str(c.course_id)), c.title) for c in catalog.courses.values()]
    names += [(("skill", str(s)), name) for s, name in catalog.skill_names.items()]
    if not names:
        return [], []
    try:
        vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
        vectors = vectorizer.fit_transform([name for _, name in names])
        query = vectorizer.transform([text])
    except ValueError:  # only stop words
        return [], []
    similarity = linear_kernel(query, vectors).ravel()
    best = int(similarity.argmax())
    if similarity[best] < TEXT_MATCH_THRESHOLD:
        return [], []
    (kind, ref), _ = names[best]
    return ([ref], []) if kind == "course" else ([], [ref])


def _course_refs(catalog: Catalog, refs: list[str]) -> list[str]:
    by_ref = {str(c.course_id): c for c in catalog.courses.values()}
    by_ref |= {c.slug: c for c in catalog.courses.values()}
    return [str(by_ref[r].course_id) for r in refs if r in by_ref]


def _skill_refs(catalog: Catalog, refs: list[str]) -> list[str]:
    known = {str(s) for s in catalog.skill_names}
    return [r for r in refs if r in known]


async def resolve_goal(state: PathState, config: RunnableConfig) -> dict[str, Any]:
    """The goal as courses and skills of the catalog, and the items it asks for."""
    catalog = await _catalog(config)
    kind, value = state["goal"]["kind"], str(state["goal"]["value"]).strip()
    refs = [part.strip() for part in value.split(",") if part.strip()]
    if kind == "course":
        courses, skills = _course_refs(catalog, refs), []
    elif kind == "skill":
        courses, skills = [], _skill_refs(catalog, refs)
    else:
        courses, skills = _match_text(catalog, value)
    targets: list[str] = []
    for course_id in courses:
        course = catalog.courses[uuid.UUID(course_id)]
        required = [i for i in course.item_indices if catalog.items[i].is_required]
        targets += [str(catalog.items[i].content_id) for i in required or course.item_indices]
    skill_ids = {uuid.UUID(s) for s in skills}
    targets += [str(catalog.items[i].content_id) for i in catalog.skill_items(skill_ids)]
    if not targets:
        raise GoalNotCovered(
            f"No published course or skill matches the goal {value!r}"
            + ("" if kind == "text" else f" (a {kind} id or slug)")
            + ".",
        )
    if courses:
        title = prompts.GOAL_COURSE_TITLE.format(
            course=", ".join(catalog.courses[uuid.UUID(c)].title for c in courses)
        )
    else:
        title = prompts.GOAL_SKILLS_TITLE.format(
            skills=", ".join(catalog.skill_names[uuid.UUID(s)] for s in skills)
        )
    return {
        "goal_title": title,
        "goal_course_ids": courses,
        "goal_skill_ids": skills,
        "target_ids": sorted(set(targets)),
    }


def _courses_in_play(catalog: Catalog, target_ids: list[str]) -> list[str]:
    """The targets' courses and those of the items teaching the skills they build on."""
    targets = [catalog.items[catalog.by_content_id[uuid.UUID(t)]] for t in target_ids]
    skills: set[uuid.UUID] = set()
    frontier = {s for item in targets for s in item.skill_ids}
    while frontier:
        skills |= frontier
        frontier = {r for s in frontier for r in catalog.skill_requires.get(s, ())} - skills
    courses = {item.course_id for item in targets}
    courses |= {item.course_id for item in catalog.items if skills.intersection(item.skill_ids)}
    return sorted(str(c) for c in courses)


async def candidates(state: PathState, config: RunnableConfig) -> dict[str, Any]:
    """The courses whose items may enter the plan."""
    return {"course_ids": _courses_in_play(await _catalog(config), state["target_ids"])}


async def learner_state(state: PathState, config: RunnableConfig) -> dict[str, Any]:
    """What the learner has completed and masters among the candidates."""
    catalog = await _catalog(config)
    session = _session(config)
    user_id = uuid.UUID(state["user_id"])
    in_play = {uuid.UUID(c) for c in state["course_ids"]}
    items = [item for item in catalog.items if item.course_id in in_play]
    completed = await session.scalars(
        select(UserProgress.content_id).where(
            UserProgress.user_id == user_id,
            UserProgress.status == ProgressStatus.COMPLETED,
            UserProgress.content_id.in_([item.content_id for item in items]),
        )
    )
    skills = {s for item in items for s in item.skill_ids}
    skills |= {r for s in skills for r in catalog.skill_requires.get(s, ())}
    mastery = (
        await learner_model.skill_mastery(session=session, user_id=user_id, skill_ids=skills)
        if skills
        else {}
    )
    return {
        "completed_ids": sorted(str(c) for c in completed),
        "mastery": {str(s): m.p_mastery for s, m in mastery.items()},
    }


def _item(catalog: Catalog, content_id: uuid.UUID) -> CatalogItem:
    return catalog.items[catalog.by_content_id[content_id]]


def _plan_item(catalog: Catalog, content_id: uuid.UUID) -> planner.PlanItem:
    item = _item(catalog, content_id)
    return planner.PlanItem(
        content_id=item.content_id,
        title=item.title,
        module_id=item.module_id,
        position=item.index,
        minutes=item.minutes,
        skill_ids=item.skill_ids,
        is_required=item.is_required,
    )


def plan_input(catalog: Catalog, state: PathState) -> planner.PlanInput:
    in_play = {uuid.UUID(c) for c in state["course_ids"]}
    items = [
        _plan_item(catalog, item.content_id) for item in catalog.items if item.course_id in in_play
    ]
    return planner.PlanInput(
        items=items,
        targets={uuid.UUID(t) for t in state["target_ids"]},
        completed={uuid.UUID(c) for c in state["completed_ids"]},
        mastery={uuid.UUID(s): p for s, p in state["mastery"].items()},
        module_requires=catalog.module_requires,
        skill_requires=catalog.skill_requires,
        skill_names=catalog.skill_names,
    )


def _explain(
    catalog: Catalog, state: PathState, step: planner.PlannedStep, needed_by: dict[uuid.UUID, str]
) -> str:
    item = _item(catalog, step.item.content_id)
    parts = []
    goal_skills = {uuid.UUID(s) for s in state["goal_skill_ids"]}
    if str(item.course_id) in state["goal_course_ids"]:
        parts.append(prompts.PART_OF_COURSE.format(course=catalog.courses[item.course_id].title))
    for skill in goal_skills.intersection(item.skill_ids):
        parts.append(prompts.TEACHES_GOAL_SKILL.format(skill=catalog.skill_names[skill]))
    if not parts and step.item.content_id in needed_by:
        parts.append(prompts.NEEDED_BEFORE.format(title=needed_by[step.item.content_id]))
    if step.after:
        last = _item(catalog, step.after[-1])
        parts.append(prompts.BUILDS_ON.format(title=last.title))
    for skill in item.skill_ids[:1]:
        percent = round(100 * state["mastery"].get(str(skill), 0.0))
        parts.append(prompts.YOUR_MASTERY.format(percent=percent, skill=catalog.skill_names[skill]))
    return "; ".join(parts)


async def plan(state: PathState, config: RunnableConfig) -> dict[str, Any]:
    """Orders the needed items (``planner.plan_steps``)."""
    steps = planner.plan_steps(plan_input(await _catalog(config), state))
    if not steps and state.get("path_id") is None:
        raise GoalNotCovered("You have already completed or mastered everything this goal needs.")
    return {
        "ordered": [
            {"content_id": str(step.item.content_id), "after": [str(a) for a in step.after]}
            for step in steps
        ]
    }


async def schedule(state: PathState, config: RunnableConfig) -> dict[str, Any]:
    """Dates the ordered steps in the weekly budget (``planner.schedule``) and explains each."""
    catalog = await _catalog(config)
    steps = [
        planner.PlannedStep(
            item=_plan_item(catalog, uuid.UUID(entry["content_id"])),
            after=tuple(uuid.UUID(a) for a in entry["after"]),
            gain=0.0,
        )
        for entry in state["ordered"]
    ]
    needed_by: dict[uuid.UUID, str] = {}
    for step in reversed(steps):
        for prerequisite in step.after:
            needed_by[prerequisite] = step.item.title
    scheduled = planner.schedule(
        steps, weekly_minutes=state["weekly_minutes"], start=date.fromisoformat(state["start_on"])
    )
    return {
        "steps": [
            {
                "content_id": str(s.step.item.content_id),
                "title": s.step.item.title,
                "course_id": str(_item(catalog, s.step.item.content_id).course_id),
                "minutes": s.step.item.minutes,
                "scheduled_for": s.scheduled_for.isoformat(),
                "week": s.week,
                "explanation": _explain(catalog, state, s.step, needed_by),
                "done": False,
            }
            for s in scheduled
        ]
    }


async def save(state: PathState, config: RunnableConfig) -> dict[str, Any]:
    """Stores the plan: a new path, or the re-planned one with the steps already done kept
    first (marked done)."""
    session = _session(config)
    steps = state["steps"]
    path_id = state.get("path_id")
    if path_id is None:
        path = LearningPath(
            path_id=uuid.UUID(config["configurable"]["thread_id"]),
            user_id=uuid.UUID(state["user_id"]),
            goal=state["goal"],
            title=state["goal_title"][:255],
            replans=0,
            needs_replan=False,
        )
        session.add(path)
    else:
        path = await session.get(LearningPath, uuid.UUID(path_id), with_for_update=True)
        if path is None:
            raise PathNotFound("No such learning path.")
        completed = set(state["completed_ids"])
        kept = [
            {**step, "done": True}
            for step in path.steps
            if step["done"] or step["content_id"] in completed
        ]
        planned = {step["content_id"] for step in steps}
        steps = [step for step in kept if step["content_id"] not in planned] + steps
        path.replans += 1
        path.needs_replan = False
    path.steps = steps
    path.weekly_minutes = state["weekly_minutes"]
    path.start_on = date.fromisoformat(state["start_on"])
    path.total_minutes = sum(step["minutes"] for step in steps)
    path.status = "completed" if all(step["done"] for step in steps) else "active"
    path.planned_at = utcnow()
    await session.flush()
    return {"saved_path_id": str(path.path_id)}
