"""Achievements and certificates through the outbox relay: a learner completes a course through
the progress API, the relay hands the events to the consumers, once."""

import httpx
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.platform import relay
from learnwise.platform.models import EventReceipt, OutboxEvent
from learnwise.platform.runtime import Runtime

from .conftest import VIDEO_SECONDS, World

API = "/api/v1"


async def test_completing_a_course_awards_achievements_and_a_certificate(
    world: World, client: httpx.AsyncClient, db_session: AsyncSession, runtime: Runtime
) -> None:
    await world.reported(world.lesson, completed=True, time_spent_seconds=600)
    await world.reported(
        world.video, watched_ranges=[[0, VIDEO_SECONDS]], time_spent_seconds=VIDEO_SECONDS
    )
    submitted = await world.attempt({"q1": "a", "q2": "b"})
    assert submitted.status_code in (200, 201), submitted.text
    await world.reported(world.lesson2, completed=True, time_spent_seconds=120)

    # Not before the relay has handed the events over.
    assert (await world.get("/achievements/me")).json()["earned"] == []
    assert await relay.drain(runtime) > 0

    earned = (await world.get("/achievements/me")).json()["earned"]
    keys = sorted((a["type"], a["award_key"]) for a in earned)
    assert keys == sorted(
        [
            ("first_lesson", ""),
            ("first_quiz_passed", ""),
            ("perfect_quiz", ""),
            ("module_completed", world.modules[0]),
            ("module_completed", world.modules[1]),
            ("course_completed", world.course_id),
        ]
    )
    [certificate] = (await world.get("/certificates/me")).json()
    assert certificate["course_title"] == "Python basics"
    asked = await client.post(
        f"{API}/courses/{world.course_id}/certificate", headers=world.learner.headers
    )
    assert asked.status_code == 200
    assert asked.json() == certificate

    # The awards were announced, and relayed in turn; relaying again changes nothing.
    announced = list(
        await db_session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.type == "achievement.awarded",
                OutboxEvent.user_id == world.learner.user_id,
            )
        )
    )
    assert len(announced) == len(earned)
    assert all(event.published_at is not None for event in announced)
    await relay.drain(runtime, including_delayed=True)
    assert len((await world.get("/achievements/me")).json()["earned"]) == len(earned)
    assert len((await world.get("/certificates/me")).json()) == 1
    receipts = await db_session.scalars(
        select(EventReceipt.consumer).where(EventReceipt.consumer.in_(["achievements"]))
    )
    assert len(list(receipts)) >= 4  # one per event handled, never two

    summary = (await world.get("/achievements/me/summary")).json()
    assert summary["items_completed"] == 4
    assert summary["xp"] == sum(a["xp"] for a in earned) + 4 * 10
    assert summary["current_streak_days"] == 1


async def test_a_certificate_asked_for_before_the_relay_runs(
    world: World, client: httpx.AsyncClient, db_session: AsyncSession, runtime: Runtime
) -> None:
    url = f"{API}/courses/{world.course_id}/certificate"
    await world.reported(world.lesson, completed=True)
    await world.reported(world.video, watched_ranges=[[0, VIDEO_SECONDS]])
    refused = await client.post(url, headers=world.learner.headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "course-not-completed"

    await world.attempt({"q1": "a", "q2": "b"})
    await world.reported(world.lesson2, completed=True)
    # The course's state says it is complete, whatever the outbox holds.
    await db_session.execute(
        delete(OutboxEvent).where(OutboxEvent.user_id == world.learner.user_id)
    )
    await db_session.commit()
    issued = await client.post(url, headers=world.learner.headers)
    assert issued.status_code == 201, issued.text
    await relay.drain(runtime)
    assert (await world.get("/certificates/me")).json() == [issued.json()]
