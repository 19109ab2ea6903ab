"""GET /analytics/user-progress: a learner's time, completions, streak, skills and goal, from
the rollups the relay keeps current."""

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.analytics import rollups
from learnwise.content.models import Skill
from learnwise.db import utcnow
from learnwise.platform.events import EventType
from learnwise.platform.models import OutboxEvent
from learnwise.platform.runtime import Runtime

from .conftest import API, World, relayed


async def progress_of(world: World, *, by: Any = None, **params: Any):
    return await world.client.get(
        f"{API}/analytics/user-progress", params=params, headers=(by or world.learner).headers
    )


async def test_progress_and_completions_show_in_the_learners_analytics(
    world: World, db_session: AsyncSession, runtime: Runtime
) -> None:
    await world.reported(world.lesson, time_spent_seconds=120, completed=True)
    await world.reported(world.video, time_spent_seconds=60, watched_ranges=[[0, 30]])
    await relayed(runtime)
    await relayed(runtime)  # relaying again changes nothing

    response = await progress_of(world)

    assert response.status_code == 200, response.text
    body = response.json()
    assert [(d["seconds"], d["items_completed"]) for d in body["days"]] == [(180, 1)]
    assert body["days"][0]["day"] == body["to_day"]
    assert [(w["seconds"], w["items_completed"]) for w in body["weeks"]] == [(180, 1)]
    assert body["streak"] == {"current": 1, "longest": 1, "last_active_day": body["to_day"]}
    assert body["totals"] == {"seconds": 180, "items_completed": 1, "courses_completed": 0}


async def test_progress_against_the_learners_own_goal(
    world: World, db_session: AsyncSession, runtime: Runtime
) -> None:
    response = await world.client.patch(
        f"{API}/users/me/settings",
        json={
            "learning_preferences": {
                "weekly_time_budget_minutes": 10,
                "goals": [{"kind": "course", "value": world.course_id}],
            }
        },
        headers=world.learner.headers,
    )
    assert response.status_code == 200, response.text
    await world.reported(world.lesson, time_spent_seconds=150, completed=True)
    await relayed(runtime)

    goal = (await progress_of(world)).json()["goal"]

    assert goal == {
        "weekly_minutes_target": 10,
        "minutes_this_week": 2,
        "fraction_of_weekly_target": 0.2,
        "courses": [
            {
                "course_id": world.course_id,
                "target_date": None,
                "completed": False,
                "items_completed": 1,
            }
        ],
    }


def _event(world: World, type_: EventType, at: Any, **payload: Any) -> OutboxEvent:
    return OutboxEvent(
        event_id=uuid.uuid4(),
        type=type_,
        user_id=world.learner.user_id,
        course_id=uuid.UUID(world.course_id),
        payload={"occurred_at": at.isoformat(), "course_id": world.course_id, **payload},
        occurred_at=at,
    )


async def test_streaks_count_days_in_a_row(world: World, db_session: AsyncSession) -> None:
    now = utcnow()
    for days_ago in (6, 5, 4, 1, 0, 0):
        event = _event(
            world,
            EventType.PROGRESS_RECORDED,
            now - timedelta(days=days_ago),
            kind="update",
            content_id=world.lesson,
            seconds_added=60,
        )
        await rollups.fold_event(session=db_session, event=event)
    await db_session.commit()

    body = (await progress_of(world, days=7)).json()

    assert body["streak"]["current"] == 2
    assert body["streak"]["longest"] == 3
    assert [d["seconds"] for d in body["days"]] == [60, 60, 60, 60, 120]
    assert body["totals"]["seconds"] == 360


async def test_quiz_answers_give_performance_per_skill(
    world: World, db_session: AsyncSession
) -> None:
    skill = Skill(slug=f"loops-{uuid.uuid4().hex[:6]}", name="Loops")
    db_session.add(skill)
    await db_session.flush()
    responses = [
        {
            "question_id": "q1",
            "answered": True,
            "correct": True,
            "skill_ids": [str(skill.skill_id)],
        },
        {
            "question_id": "q2",
            "answered": True,
            "correct": False,
            "skill_ids": [str(skill.skill_id)],
        },
    ]
    event = _event(
        world,
        EventType.QUIZ_SUBMITTED,
        utcnow(),
        content_id=world.quiz,
        score=0.5,
        responses=responses,
    )
    await rollups.fold_event(session=db_session, event=event)
    await db_session.commit()

    skills = (await progress_of(world)).json()["skills"]

    assert len(skills) == 1
    assert (skills[0]["name"], skills[0]["answered"], skills[0]["correct"]) == ("Loops", 2, 1)
    assert skills[0]["accuracy"] == 0.5
    assert [(w["answered"], w["correct"]) for w in skills[0]["weeks"]] == [(2, 1)]


async def test_who_may_read_whose_progress(world: World, db_session: AsyncSession) -> None:
    learner_id = str(world.learner.user_id)

    own = await progress_of(world)
    by_admin = await progress_of(world, by=world.admin, user_id=learner_id)
    by_other_learner = await progress_of(world, by=world.outsider, user_id=learner_id)
    by_instructor = await progress_of(world, by=world.owner, user_id=learner_id)
    unknown = await progress_of(world, by=world.admin, user_id=str(uuid.uuid4()))
    anonymous = await world.client.get(f"{API}/analytics/user-progress")

    assert own.status_code == by_admin.status_code == 200
    assert by_admin.json()["user_id"] == learner_id
    assert by_other_learner.status_code == by_instructor.status_code == 403
    assert by_other_learner.json()["code"] == "learner-analytics-denied"
    assert unknown.status_code == 404
    assert anonymous.status_code == 401


async def test_ranges_out_of_bounds_are_refused(world: World) -> None:
    for days in (0, 367, "many"):
        response = await progress_of(world, days=days)
        assert response.status_code == 422, days
        assert response.json()["code"] == "validation-failed"
