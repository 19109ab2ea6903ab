"""The demo seed: valid course files, idempotent seeding, and what a learner sees of the result."""

import graphlib
import random
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.models import User
from learnwise.content.content_types import QuizContent, parse_content
from learnwise.content.grading import grade_quiz
from learnwise.content.graph import find_any_cycle
from learnwise.content.models import (
    ContentItem,
    ContentItemSkill,
    Course,
    Enrollment,
    Module,
    ModulePrerequisite,
    Skill,
)
from learnwise.content.render import render_markdown
from learnwise.db import Base
from learnwise.demo import cohort, seed
from learnwise.demo.accounts import INSTRUCTOR, LEARNER, DemoAccount
from learnwise.demo.courses import (
    LEARNER_COURSE,
    CourseSpec,
    LessonSpec,
    QuizSpec,
    VideoSpec,
    item_create,
    load_catalog,
)
from learnwise.platform.runtime import Runtime
from learnwise.platform.storage import LocalStorage
from learnwise.progress.models import QuizAttempt, UserProgress

API = "/api/v1"
ANSWER_KEYS = {"correct", "accepted_answers", "answer", "tolerance", "explanation"}


@pytest.fixture(scope="module")
def catalog() -> list[CourseSpec]:
    return load_catalog()


@pytest.fixture
async def seeding(
    db_session: AsyncSession, runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[None]:
    """The seed's videos go to a media root of the test's own."""
    media = runtime.settings.media.model_copy(update={"local_root": tmp_path / "media"})
    storage = LocalStorage(media.local_root)
    monkeypatch.setattr(runtime, "storage", storage)
    monkeypatch.setattr(runtime, "settings", runtime.settings.model_copy(update={"media": media}))
    yield
    await storage.close()


@pytest.fixture
def small_cohort(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two cohort learners instead of twenty, for tests about something else."""
    monkeypatch.setattr(cohort, "COHORT_NAMES", cohort.COHORT_NAMES[:2])


async def _seed(db_session: AsyncSession, runtime: Runtime) -> list[str]:
    lines = await seed(session=db_session, runtime=runtime)
    await db_session.commit()
    return lines


async def _row_counts(session: AsyncSession) -> dict[str, int]:
    return {
        table.name: await session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


# ---------------------------------------------------------------------------------------------
# The course files


def test_the_catalog_has_three_full_courses(catalog: list[CourseSpec]) -> None:
    assert len(catalog) == 3
    for spec in catalog:
        assert 3 <= len(spec.modules) <= 4, spec.slug
        assert all(2 <= len(module.items) <= 4 for module in spec.modules), spec.slug
        items = [item for module in spec.modules for item in module.items]
        assert any(isinstance(item, VideoSpec) for item in items), spec.slug
        assert 8 <= len(spec.skills) <= 12, spec.slug
        assert all(module.requires for module in spec.modules[1:]), spec.slug
        assert spec.course.description and spec.course.summary


def test_quizzes_mix_question_types_with_skills_and_explanations(
    catalog: list[CourseSpec],
) -> None:
    for spec in catalog:
        course_skills = {skill.slug for skill in spec.skills}
        quizzes = [i for m in spec.modules for i in m.items if isinstance(i, QuizSpec)]
        assert len(quizzes) == len(spec.modules), spec.slug
        kinds_in_course: set[str] = set()
        for quiz in quizzes:
            content = item_create(spec, quiz, media_id=None).content
            assert isinstance(content, QuizContent)
            assert 4 <= len(content.questions) <= 6, quiz.title
            kinds = {question.type for question in content.questions}
            assert len(kinds) >= 3, quiz.title
            kinds_in_course |= kinds
            for question in content.questions:
                assert question.skills, f"{quiz.title}: {question.id} has no skill"
                assert set(question.skills) <= course_skills, f"{quiz.title}: {question.id}"
                assert question.explanation.strip(), f"{quiz.title}: {question.id}"
        assert kinds_in_course == {
            "single_choice",
            "multiple_choice",
            "true_false",
            "short_answer",
            "numeric",
        }, spec.slug


def test_skill_prerequisites_form_a_dag_of_known_skills(catalog: list[CourseSpec]) -> None:
    skills = {skill.slug: skill.requires for spec in catalog for skill in spec.skills}
    assert len(skills) == sum(len(spec.skills) for spec in catalog), "a slug is used twice"
    assert {r for requires in skills.values() for r in requires} <= skills.keys()
    graphlib.TopologicalSorter(skills).prepare()  # raises CycleError on a cycle


def test_lesson_math_is_well_formed(catalog: list[CourseSpec]) -> None:
    """Every ``$`` of a lesson ends up inside a math span: none is left dangling as text."""
    for spec in catalog:
        for module in spec.modules:
            for item in module.items:
                if isinstance(item, LessonSpec):
                    html = render_markdown(spec.texts[item.file])
                    text = re.sub(r'<(span|div) class="math[^"]*">.*?</\1>', "", html, flags=re.S)
                    assert "$" not in text, f"{spec.slug}: {item.file}"


def test_videos_last_as_long_as_their_items_say(catalog: list[CourseSpec]) -> None:
    for spec in catalog:
        for module in spec.modules:
            for item in module.items:
                if isinstance(item, VideoSpec):
                    path = spec.folder / item.file
                    assert path.stat().st_size < 200 * 1024, path
                    assert abs(_mp4_duration(path.read_bytes()) - item.duration_seconds) < 1, path


def _mp4_duration(data: bytes) -> float:
    """The duration in the movie header (moov/mvhd) of an MP4 file."""
    offset = 0
    while offset < len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        if data[offset + 4 : offset + 8] == b"moov":
            mvhd = data.index(b"mvhd", offset) + 4
            version = data[mvhd]
            if version == 1:
                timescale = int.from_bytes(data[mvhd + 20 : mvhd + 24], "big")
                duration = int.from_bytes(data[mvhd + 24 : mvhd + 32], "big")
            else:
                timescale = int.from_bytes(data[mvhd + 12 : mvhd + 16], "big")
                duration = int.from_bytes(data[mvhd + 16 : mvhd + 20], "big")
            return duration / timescale
        offset += size
    raise AssertionError("no moov box")


def test_simulated_answers_are_graded_as_intended(catalog: list[CourseSpec]) -> None:
    rng = random.Random(0)
    for spec in catalog:
        for module in spec.modules:
            for item in module.items:
                if not isinstance(item, QuizSpec):
                    continue
                quiz = item_create(spec, item, media_id=None).content
                assert isinstance(quiz, QuizContent)
                for question in quiz.questions:
                    for right in (True, False, False, False):
                        answer = cohort.simulated_answer(question, right=right, rng=rng)
                        given = {} if answer is None else {question.id: answer}
                        (graded,) = [
                            r
                            for r in grade_quiz(quiz, given).questions
                            if r.question_id == question.id
                        ]
                        assert graded.correct is right, (item.title, question.id, answer)


# ---------------------------------------------------------------------------------------------
# Seeding


@pytest.mark.usefixtures("seeding", "small_cohort")
async def test_seeding_twice_changes_nothing(
    db_session: AsyncSession, runtime: Runtime, catalog: list[CourseSpec]
) -> None:
    first = await _seed(db_session, runtime)
    counts = await _row_counts(db_session)
    second = await _seed(db_session, runtime)

    assert await _row_counts(db_session) == counts
    assert second == first
    assert counts["courses"] == 3
    assert counts["content_items"] == sum(spec.item_count for spec in catalog)
    assert counts["skill"] == sum(len(spec.skills) for spec in catalog)
    assert counts["media"] == 3
    assert counts["users"] == 3 + len(cohort.COHORT_NAMES)


@pytest.mark.usefixtures("seeding")
async def test_the_cohort_has_weeks_of_mixed_results(
    db_session: AsyncSession, runtime: Runtime
) -> None:
    await _seed(db_session, runtime)

    learners = (
        await db_session.scalars(select(User).where(User.email.endswith(cohort.COHORT_DOMAIN)))
    ).all()
    assert len(learners) == len(cohort.COHORT_NAMES) == 20
    assert all(not learner.has_password for learner in learners)
    enrolled = set(await db_session.scalars(select(Enrollment.user_id)))
    assert {learner.user_id for learner in learners} <= enrolled
    attempts = (await db_session.scalars(select(QuizAttempt))).all()
    assert len(attempts) >= 40
    assert {a.passed for a in attempts} == {True, False}
    assert max(a.attempt_number for a in attempts) >= 2
    days = {a.submitted_at.date() for a in attempts}
    assert len(days) >= 10, "the history is spread over the past weeks"
    assert await db_session.scalar(select(func.count()).select_from(UserProgress)) >= 100


@pytest.mark.usefixtures("seeding", "small_cohort")
async def test_courses_are_published_whole_by_the_instructor(
    db_session: AsyncSession, runtime: Runtime
) -> None:
    await _seed(db_session, runtime)

    courses = (await db_session.scalars(select(Course))).all()
    instructor_id = await _user_id(db_session, INSTRUCTOR.email)
    assert {c.status for c in courses} == {"published"}
    assert {c.owner_id for c in courses} == {instructor_id}
    modules = (await db_session.scalars(select(Module))).all()
    assert {m.status for m in modules} == {"published"}
    items = (await db_session.scalars(select(ContentItem))).all()
    assert all(item.published_version == item.version == 1 for item in items)
    enrolled = await db_session.scalars(
        select(Course.slug)
        .join(Enrollment, Enrollment.course_id == Course.course_id)
        .where(Enrollment.user_id == await _user_id(db_session, LEARNER.email))
    )
    assert list(enrolled) == [LEARNER_COURSE]


@pytest.mark.usefixtures("seeding", "small_cohort")
async def test_stored_quizzes_validate_and_tag_their_items(
    db_session: AsyncSession, runtime: Runtime
) -> None:
    await _seed(db_session, runtime)

    skill_ids = set(await db_session.scalars(select(Skill.skill_id)))
    quizzes = (
        await db_session.scalars(select(ContentItem).where(ContentItem.type == "quiz"))
    ).all()
    assert len(quizzes) == 12
    for quiz in quizzes:
        content = parse_content(quiz.content)
        assert isinstance(content, QuizContent)
        question_skills = {uuid.UUID(s) for q in content.questions for s in q.skills}
        assert question_skills <= skill_ids
        tagged = set(
            await db_session.scalars(
                select(ContentItemSkill.skill_id).where(
                    ContentItemSkill.content_id == quiz.content_id
                )
            )
        )
        assert question_skills <= tagged


@pytest.mark.usefixtures("seeding", "small_cohort")
async def test_skill_and_module_graphs_are_acyclic(
    db_session: AsyncSession, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    await _seed(db_session, runtime)

    headers = await _sign_in(client, LEARNER)
    graph = (await client.get(f"{API}/skills/graph", headers=headers)).json()
    slugs = {node["skill_id"]: node["slug"] for node in graph["nodes"]}
    edges = [(slugs[e["skill_id"]], slugs[e["requires_id"]]) for e in graph["edges"]]
    assert find_any_cycle(edges) is None
    assert ("python-functions", "python-loops") in edges
    assert ("stats-confidence-intervals", "stats-sampling-distributions") in edges
    assert ("es-ser-vs-estar", "es-estar") in edges

    module_edges = (
        await db_session.execute(
            select(ModulePrerequisite.module_id, ModulePrerequisite.requires_id)
        )
    ).all()
    assert len(module_edges) == 9
    assert find_any_cycle(module_edges) is None


@pytest.mark.usefixtures("seeding", "small_cohort")
async def test_the_learner_sees_the_outline_but_no_answer_key(
    db_session: AsyncSession, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    await _seed(db_session, runtime)
    headers = await _sign_in(client, LEARNER)
    courses = {c.slug: c.course_id for c in (await db_session.scalars(select(Course))).all()}

    course = (await client.get(f"{API}/courses/{courses[LEARNER_COURSE]}", headers=headers)).json()
    assert course["viewer"]["is_enrolled"] is True
    assert len(course["modules"]) == 4
    items = [item for module in course["modules"] for item in module["items"]]
    assert {item["type"] for item in items} == {"lesson", "video", "quiz", "exercise", "link"}
    assert [m["prerequisite_ids"] != [] for m in course["modules"]] == [False, True, True, True]

    for item in items:
        response = await client.get(f"{API}/items/{item['content_id']}", headers=headers)
        assert response.status_code == 200, response.text
        content = response.json()["content"]
        if item["type"] == "quiz":
            for question in content["questions"]:
                assert not ANSWER_KEYS & question.keys(), question
                assert question["skills"]
        if item["type"] == "video":
            video = await client.get(f"{API}/media/{content['media_id']}/content", headers=headers)
            assert video.status_code == 200
            assert video.headers["content-type"] == "video/mp4"

    other = (
        await client.get(f"{API}/courses/{courses['intro-statistics']}", headers=headers)
    ).json()
    assert other["viewer"]["is_enrolled"] is False
    quiz = next(i for m in other["modules"] for i in m["items"] if i["type"] == "quiz")
    refused = await client.get(f"{API}/items/{quiz['content_id']}", headers=headers)
    assert refused.status_code == 403


async def _sign_in(client: httpx.AsyncClient, account: DemoAccount) -> dict[str, str]:
    """Signs in with the demo account's printed details; returns the request headers."""
    login = await client.post(
        f"{API}/auth/login", json={"email": account.email, "password": account.password}
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def _user_id(session: AsyncSession, email: str) -> uuid.UUID:
    user_id = await session.scalar(select(User.user_id).where(User.email == email))
    assert user_id is not None
    return user_id
