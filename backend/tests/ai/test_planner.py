"""The planner on its own: on random courses (modules with prerequisites, items teaching skills
of a random skill DAG, random mastery and completions), a plan never breaks a prerequisite,
never includes what is done or mastered, covers its targets, and its schedule fits the budget."""

import dataclasses
import uuid
from datetime import date, timedelta

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnwise.ai.paths import planner
from learnwise.ai.paths.exceptions import NoTimeBudget, PathCycle, PrerequisiteGap


def _ids(n: int) -> list[uuid.UUID]:
    return [uuid.UUID(int=i + 1) for i in range(n)]


@st.composite
def plans(draw: st.DrawFn) -> planner.PlanInput:
    n_skills = draw(st.integers(1, 8))
    skills = _ids(n_skills)
    # A DAG: a skill may only require skills listed before it.
    skill_requires = {
        skills[i]: {skills[j] for j in draw(st.sets(st.integers(0, i - 1), max_size=2))}
        for i in range(1, n_skills)
    }
    n_modules = draw(st.integers(1, 4))
    modules = [uuid.UUID(int=1000 + i) for i in range(n_modules)]
    module_requires = {
        modules[i]: {modules[j] for j in draw(st.sets(st.integers(0, i - 1), max_size=2))}
        for i in range(1, n_modules)
    }
    items = []
    for position in range(draw(st.integers(1, 25))):
        # Skills are taught in order across modules (as authors do), so that module order and
        # skill prerequisites agree.
        module = draw(st.integers(0, n_modules - 1))
        skill = min(n_skills - 1, module * n_skills // n_modules + draw(st.integers(0, 1)))
        items.append(
            planner.PlanItem(
                content_id=uuid.UUID(int=10_000 + position),
                title=f"item {position}",
                module_id=modules[module],
                position=module * 100 + position,
                minutes=draw(st.integers(1, 90)),
                skill_ids=(skills[skill],),
                is_required=draw(st.booleans()),
            )
        )
    # Every prerequisite skill is taught by some item or mastered (no gap).
    taught = {s for item in items for s in item.skill_ids}
    mastery = {s: draw(st.sampled_from([0.0, 0.3, 0.97])) for s in skills}
    for s in skills:
        if s not in taught:
            mastery[s] = 0.99
    ids = [item.content_id for item in items]
    return planner.PlanInput(
        items=items,
        targets=set(draw(st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids)))),
        completed=set(draw(st.lists(st.sampled_from(ids), max_size=5))),
        mastery=mastery,
        module_requires=module_requires,
        skill_requires=skill_requires,
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan=plans(), weekly=st.integers(30, 600))
def test_plans_respect_every_prerequisite(plan: planner.PlanInput, weekly: int) -> None:
    try:
        steps = planner.plan_steps(plan)
    except PathCycle:
        # Module order and skill prerequisites disagreed: refused, never planned around.
        assert nx.find_cycle(planner.prerequisite_graph(plan)) is not None
        return
    graph = planner.prerequisite_graph(plan)
    position = {step.item.content_id: i for i, step in enumerate(steps)}
    planned = set(position)
    items = {item.content_id: item for item in plan.items}
    for step in steps:
        # Zero violations: every prerequisite is done, mastered, or planned earlier.
        for needed in graph.successors(step.item.content_id):
            if needed in planned:
                assert position[needed] < position[step.item.content_id]
            else:
                assert needed in plan.completed or all(
                    plan.mastery.get(s, 0) >= planner.MASTERED for s in items[needed].skill_ids
                )
        assert step.item.content_id not in plan.completed
        assert not all(plan.mastery.get(s, 0) >= planner.MASTERED for s in step.item.skill_ids)
    for target in plan.targets:
        mastered = all(plan.mastery.get(s, 0) >= planner.MASTERED for s in items[target].skill_ids)
        assert target in planned or target in plan.completed or mastered

    start = date(2027, 3, 1)
    scheduled = planner.schedule(steps, weekly_minutes=weekly, start=start)
    weeks: dict[int, list[int]] = {}
    previous = start
    for entry in scheduled:
        assert entry.scheduled_for >= previous  # in order
        previous = entry.scheduled_for
        assert start + timedelta(weeks=entry.week) <= entry.scheduled_for
        assert entry.scheduled_for < start + timedelta(weeks=entry.week + 1)
        weeks.setdefault(entry.week, []).append(entry.step.item.minutes)
    assert all(sum(m) <= weekly or len(m) == 1 for m in weeks.values())


def _item(n: int, module: uuid.UUID, *skills: uuid.UUID) -> planner.PlanItem:
    return planner.PlanItem(uuid.UUID(int=n), f"item {n}", module, n, 10, skills)


def test_a_cycle_between_module_order_and_skills_is_refused() -> None:
    basics, advanced = uuid.UUID(int=500), uuid.UUID(int=501)
    module = uuid.UUID(int=900)
    # In the module, the advanced item comes first, yet it needs the basics taught after it.
    plan = planner.PlanInput(
        items=[_item(1, module, advanced), _item(2, module, basics)],
        targets={uuid.UUID(int=1), uuid.UUID(int=2)},
        skill_requires={advanced: {basics}},
    )
    with pytest.raises(PathCycle, match="item 1"):
        planner.plan_steps(plan)


def test_a_prerequisite_no_content_teaches_is_a_gap() -> None:
    basics, advanced = uuid.UUID(int=500), uuid.UUID(int=501)
    plan = planner.PlanInput(
        items=[_item(1, uuid.UUID(int=900), advanced)],
        targets={uuid.UUID(int=1)},
        skill_requires={advanced: {basics}},
        skill_names={basics: "Basics"},
    )
    with pytest.raises(PrerequisiteGap, match="Basics"):
        planner.plan_steps(plan)
    # Mastered, it is no gap.
    steps = planner.plan_steps(dataclasses.replace(plan, mastery={basics: 0.99}))
    assert [step.item.content_id for step in steps] == [uuid.UUID(int=1)]


def test_without_a_budget_nothing_is_scheduled() -> None:
    with pytest.raises(NoTimeBudget):
        planner.schedule([], weekly_minutes=0, start=date(2027, 1, 1))
