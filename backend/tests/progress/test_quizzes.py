"""Quiz attempts through the API: graded on the server against the key of the version taken,
stored, limited, and answered with the feedback the course allows."""

import uuid
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.content.models import ContentVersion
from learnwise.db import utcnow
from learnwise.progress.models import QuizAttempt

from .conftest import World, events_of, quiz

RIGHT = {"q1": "a", "q2": "b"}
HALF = {"q1": "a", "q2": "c"}
WRONG = {"q1": "c", "q2": "c"}


async def attempts_stored(session: AsyncSession, world: World) -> int:
    return await session.scalar(
        select(func.count())
        .select_from(QuizAttempt)
        .where(QuizAttempt.user_id == world.learner.user_id)
    )


async def test_a_passing_attempt_completes_the_quiz(world: World, db_session: AsyncSession) -> None:
    failed = await world.attempt(WRONG, duration_seconds=50, question_seconds={"q1": 20})
    passed = await world.attempt(RIGHT)
    worse = await world.attempt(HALF)

    assert failed.status_code == passed.status_code == worse.status_code == 201
    first, second, third = failed.json(), passed.json(), worse.json()
    assert (first["score"], first["passed"], first["progress"]["status"]) == (
        0.0,
        False,
        "in_progress",
    )
    assert (second["score"], second["passed"], second["progress"]["status"]) == (
        1.0,
        True,
        "completed",
    )
    assert [a["attempt_number"] for a in (first, second, third)] == [1, 2, 3]
    assert third["progress"]["best_score"] == 1.0
    assert third["progress"]["status"] == "completed"
    stored = (
        await db_session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.user_id == world.learner.user_id)
            .order_by(QuizAttempt.attempt_number)
        )
    ).all()
    assert stored[0].duration_seconds == 50
    assert stored[0].responses[0] == {
        "question_id": "q1",
        "answer": "c",
        "answered": True,
        "correct": False,
        "points_awarded": 0.0,
        "points_possible": 1.0,
        "seconds": 20.0,
    }
    assert [e.payload["passed"] for e in await events_of(db_session, "quiz.submitted")] == [
        False,
        True,
        False,
    ]
    assert len(await events_of(db_session, "item.completed")) == 1


async def test_answers_are_graded_against_the_version_taken_after_a_republish(
    world: World,
) -> None:
    # Version 2 changes the right answer of q1 from "a" to "c", and is published.
    await world.edit(world.quiz, {"content": quiz(right="c")})
    published = await world.publish(world.quiz)
    assert published["version"] == 2

    taken_before = await world.attempt(RIGHT, version=1)
    taken_after = await world.attempt(RIGHT, version=2)

    assert taken_before.status_code == 201, taken_before.text
    assert (taken_before.json()["score"], taken_before.json()["content_version"]) == (1.0, 1)
    assert (taken_after.json()["score"], taken_after.json()["content_version"]) == (0.5, 2)
    assert taken_after.json()["questions"][0]["correct"] is False


async def test_a_version_replaced_long_ago_is_refused(
    world: World, db_session: AsyncSession
) -> None:
    await world.edit(world.quiz, {"content": quiz(right="c")})
    await world.publish(world.quiz)
    await db_session.execute(
        update(ContentVersion)
        .where(ContentVersion.content_id == uuid.UUID(world.quiz), ContentVersion.version == 2)
        .values(published_at=utcnow() - timedelta(days=2))
    )
    await db_session.commit()

    response = await world.attempt(RIGHT, version=1)

    assert response.status_code == 409, response.text
    assert response.json()["code"] == "quiz-version-outdated"
    assert response.json()["current_version"] == 2
    assert await attempts_stored(db_session, world) == 0


async def test_unknown_and_draft_versions_are_refused(
    world: World, db_session: AsyncSession
) -> None:
    await world.edit(world.quiz, {"content": quiz(right="c")})  # version 2, never published

    responses = [await world.attempt(RIGHT, version=v) for v in (2, 7)]

    for response in responses:
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "unknown-quiz-version"
        assert response.json()["current_version"] == 1
    assert await attempts_stored(db_session, world) == 0


async def test_answers_to_questions_the_version_lacks_are_refused(
    world: World, db_session: AsyncSession
) -> None:
    response = await world.attempt({"q1": "a", "q9": "b"})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid-answers"
    assert response.json()["unknown"] == ["q9"]
    assert await attempts_stored(db_session, world) == 0


async def test_answers_of_the_wrong_shape_earn_nothing(world: World) -> None:
    response = await world.attempt({"q1": ["a"], "q2": True})

    assert response.status_code == 201, response.text
    assert [q["answered"] for q in response.json()["questions"]] == [False, False]
    assert response.json()["score"] == 0.0


async def test_attempts_are_limited_by_the_course(world: World, db_session: AsyncSession) -> None:
    await world.set_settings(max_quiz_attempts=2)

    first = await world.attempt(WRONG)
    second = await world.attempt(WRONG)
    third = await world.attempt(RIGHT)

    assert first.json()["progress"]["attempts_remaining"] == 1
    assert second.json()["progress"]["attempts_remaining"] == 0
    assert third.status_code == 409
    assert third.json()["code"] == "attempt-limit-reached"
    assert await attempts_stored(db_session, world) == 2
    assert (await world.item_progress(world.quiz))["status"] == "in_progress"


async def test_the_course_s_passing_score_is_a_floor(world: World) -> None:
    # The quiz passes at 50 %; the course asks for 70 % (its default), then for 50 %.
    below_the_course = await world.attempt(HALF)
    await world.set_settings(passing_score=50)
    at_both = await world.attempt(HALF)

    assert (below_the_course.json()["passed"], below_the_course.json()["passing_score"]) == (
        False,
        0.7,
    )
    assert below_the_course.json()["progress"]["status"] == "in_progress"
    assert (at_both.json()["passed"], at_both.json()["passing_score"]) == (True, 0.5)
    assert at_both.json()["progress"]["status"] == "completed"


async def test_feedback_never_shows_only_the_score(world: World) -> None:
    await world.set_settings(show_feedback="never")

    body = (await world.attempt(HALF)).json()

    assert (body["score"], body["feedback_shown"]) == (0.5, False)
    assert body["questions"] == [
        {
            "question_id": q,
            "answered": True,
            "points_possible": 1.0,
            "correct": None,
            "points_awarded": None,
            "explanation": None,
        }
        for q in ("q1", "q2")
    ]


async def test_feedback_after_passing_comes_once_passed(world: World) -> None:
    await world.set_settings(show_feedback="after_passing", show_explanations=False)

    before = (await world.attempt(WRONG)).json()
    passing = (await world.attempt(RIGHT)).json()
    after = (await world.attempt(WRONG)).json()

    assert before["feedback_shown"] is False
    assert before["questions"][0]["correct"] is None
    assert passing["feedback_shown"] is True
    assert [q["correct"] for q in after["questions"]] == [False, False]
    assert [q["explanation"] for q in passing["questions"] + after["questions"]] == [None] * 4


async def test_immediate_feedback_shows_correctness_and_explanations(world: World) -> None:
    body = (await world.attempt(HALF)).json()

    assert [(q["correct"], q["points_awarded"]) for q in body["questions"]] == [
        (True, 1.0),
        (False, 0.0),
    ]
    assert body["questions"][1]["explanation"] == "Because of the second reason."


async def test_my_attempts_are_listed_latest_first(world: World) -> None:
    await world.attempt(WRONG)
    await world.attempt(RIGHT)
    await world.set_settings(show_feedback="never")

    response = await world.get(f"/items/{world.quiz}/attempts")
    others = await world.get(f"/items/{world.quiz}/attempts", by=world.outsider)

    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 2
    assert [a["attempt_number"] for a in page["items"]] == [2, 1]
    assert page["items"][0]["questions"][0]["correct"] is None
    assert others.status_code == 403


async def test_only_quizzes_take_attempts(world: World) -> None:
    response = await world.attempt(RIGHT, content_id=world.lesson)

    assert response.status_code == 422
    assert response.json()["code"] == "not-a-quiz"


async def test_the_submitted_event_says_what_was_right(
    world: World, db_session: AsyncSession
) -> None:
    body = (await world.attempt(HALF)).json()

    (event,) = await events_of(db_session, "quiz.submitted")
    assert event.user_id == world.learner.user_id
    assert event.payload == {
        "content_id": world.quiz,
        "module_id": world.modules[0],
        "course_id": world.course_id,
        "item_type": "quiz",
        "attempt_id": body["attempt_id"],
        "content_version": 1,
        "attempt_number": 1,
        "score": 0.5,
        "points": 1.0,
        "max_points": 2.0,
        "passed": False,
        "best_score": 0.5,
        "submitted_at": event.payload["submitted_at"],
        "responses": [
            {"question_id": "q1", "answered": True, "correct": True, "skill_ids": []},
            {"question_id": "q2", "answered": True, "correct": False, "skill_ids": []},
        ],
    }


async def test_only_enrolled_learners_take_quizzes(world: World, db_session: AsyncSession) -> None:
    responses = [
        await world.attempt(RIGHT, by=who) for who in (world.outsider, world.owner, world.admin)
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert await attempts_stored(db_session, world) == 0
