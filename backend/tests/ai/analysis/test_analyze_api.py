"""/api/v1/ai/analyze through the API: who may ask, what comes back, and bad input."""

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.platform import relay
from learnwise.platform.runtime import Runtime

from ..learner_model.conftest import API, SkillWorld


async def _practise(world: SkillWorld, runtime: Runtime) -> None:
    for _ in range(4):
        await world.answer({"q1": "a", "q2": "b"})  # loops right, recursion wrong
    await relay.drain(runtime)


async def test_a_learner_sees_their_strengths_weaknesses_pace_and_risk(
    skill_world: SkillWorld, db_session: AsyncSession, runtime: Runtime
) -> None:
    world = skill_world
    await _practise(world, runtime)
    response = await world.client.get(
        f"{API}/ai/analyze/me", params={"course_id": world.course_id}, headers=world.learner.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user_id"] == str(world.learner.user_id)
    skills = {s["name"]: s for s in body["skills"]}
    assert set(skills) == {"Loops", "Recursion"}
    assert skills["Loops"]["attempts"] == 4 and skills["Loops"]["p_mastery"] > 0.8
    assert [s["name"] for s in body["strengths"]] == ["Loops"]
    assert [s["name"] for s in body["weaknesses"]] == ["Recursion"]
    assert body["pace"]["remaining_items"] == 3  # nothing passed: every required item is left
    assert body["pace"]["projected_completion"] is None
    factors = body["risk"]["factors"]
    assert any("Recursion" in f["explanation"] for f in factors)
    assert any("Failed 4 of 4 quiz attempts" in f["explanation"] for f in factors)
    assert 0 < body["risk"]["score"] <= 1 and body["risk"]["level"] in ("medium", "high")

    # Without a course: every skill practised, no pace.
    response = await world.client.get(f"{API}/ai/analyze/me", headers=world.learner.headers)
    assert response.status_code == 200, response.text
    assert response.json()["pace"] is None
    assert {s["name"] for s in response.json()["skills"]} == {"Loops", "Recursion"}


async def test_instructors_and_admins_see_a_learner_of_their_course(
    skill_world: SkillWorld, db_session: AsyncSession, runtime: Runtime
) -> None:
    world = skill_world
    await _practise(world, runtime)
    url = f"{API}/ai/analyze/learners/{world.learner.user_id}"
    mine = await world.client.get(
        f"{API}/ai/analyze/me", params={"course_id": world.course_id}, headers=world.learner.headers
    )
    for who in (world.owner, world.admin, world.learner):
        response = await world.client.get(
            url, params={"course_id": world.course_id}, headers=who.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["skills"] == mine.json()["skills"]


async def test_who_may_not_see_a_learner(
    skill_world: SkillWorld, db_session: AsyncSession, client: httpx.AsyncClient
) -> None:
    world = skill_world
    url = f"{API}/ai/analyze/learners/{world.learner.user_id}"
    course = {"course_id": world.course_id}
    cases = [
        (world.other_learner.headers, course, 403, "learner-progress-denied"),
        (world.owner.headers, {}, 403, "analysis-course-needed"),
        (world.other_learner.headers, {}, 403, "analysis-course-needed"),
        ({}, course, 401, None),
        (world.owner.headers, {"course_id": str(uuid.uuid4())}, 404, None),
        (world.owner.headers, {"course_id": "not-a-uuid"}, 422, None),
    ]
    for headers, params, status, code in cases:
        response = await client.get(url, params=params, headers=headers)
        assert response.status_code == status, (headers, params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        if code:
            assert response.json()["code"] == code
    stranger = await client.get(
        f"{API}/ai/analyze/learners/{uuid.uuid4()}", params=course, headers=world.owner.headers
    )
    assert stranger.status_code == 404
    assert stranger.json()["code"] == "learner-not-found"
    unknown_course = await client.get(
        f"{API}/ai/analyze/me",
        params={"course_id": str(uuid.uuid4())},
        headers=world.learner.headers,
    )
    assert unknown_course.status_code == 404


async def test_course_analysis_flags_questions_that_contradict_the_quiz(
    skill_world: SkillWorld, db_session: AsyncSession, runtime: Runtime, make_account
) -> None:
    world = skill_world
    # Learners who get q1 right get q2 wrong, and the other way round.
    for n in range(6):
        learner = await make_account("learner")
        enrolled = await world.client.post(
            f"{API}/courses/{world.course_id}/enrollment", headers=learner.headers
        )
        assert enrolled.status_code in (200, 201)
        await world.answer({"q1": "a", "q2": "b"} if n % 2 else {"q1": "b", "q2": "a"}, by=learner)
    await relay.drain(runtime)
    url = f"{API}/ai/analyze/courses/{world.course_id}"
    response = await world.client.get(url, headers=world.owner.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["learners"] == 8
    by_question = {(q["quiz_title"], q["question_id"]): q for q in body["questions"]}
    q1 = by_question[("Quiz", "q1")]
    assert q1["learners"] == 6 and q1["difficulty"] == 0.5 and q1["discrimination"] == -1.0
    assert "answer key" in q1["flag"]
    assert {q["question_id"] for q in body["flagged_questions"]} == {"q1", "q2"}
    assert (
        by_question[("Loops quiz", "l1")]["learners"] == 0
        if ("Loops quiz", "l1") in by_question
        else True
    )
    assert {s["name"] for s in body["struggling_skills"]} <= {"Loops", "Recursion"}
    assert isinstance(body["drop_off"], list)

    assert (await world.client.get(url, headers=world.admin.headers)).status_code == 200
    for headers, status in ((world.learner.headers, 403), ({}, 401)):
        refused = await world.client.get(url, headers=headers)
        assert refused.status_code == status, refused.text
    missing = await world.client.get(
        f"{API}/ai/analyze/courses/{uuid.uuid4()}", headers=world.owner.headers
    )
    assert missing.status_code == 404
