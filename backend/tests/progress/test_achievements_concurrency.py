"""An achievement is awarded once under 20 concurrent qualifying events: each event evaluated
in a transaction of its own, on its own connection, committing for real."""

import asyncio
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from learnwise.db import utcnow
from learnwise.platform.events import EventType
from learnwise.platform.models import OutboxEvent
from learnwise.platform.runtime import Runtime
from learnwise.progress import achievement_service
from learnwise.progress.models import Achievement
from learnwise.users.models import UserSettings

from .rewards import awarded_events, awards, happened, learned_on, make_learner

CONCURRENCY = 20


async def _evaluate(runtime: Runtime, event_id: uuid.UUID) -> list[str]:
    async with runtime.sessionmaker() as session:
        event = await session.get(OutboxEvent, event_id)
        assert event is not None
        made = await achievement_service.evaluate(session=session, event=event)
        await session.commit()
        return [a.type for a in made]


async def test_an_achievement_is_awarded_once_under_20_concurrent_qualifying_events(
    runtime: Runtime, live_client: httpx.AsyncClient
) -> None:
    async with runtime.sessionmaker() as session:
        # No settings yet: the concurrent evaluations also race to create them.
        learner = await make_learner(session, time_zone=None)
        today = utcnow().date()
        await learned_on(
            session, learner.user_id, [today - timedelta(days=n) for n in range(3)], seconds=1500
        )
        perfect = [
            await happened(
                session, EventType.QUIZ_SUBMITTED, learner.user_id, {"score": 1.0, "passed": True}
            )
            for _ in range(CONCURRENCY)
        ]
        recorded = [
            await happened(session, EventType.PROGRESS_RECORDED, learner.user_id)
            for _ in range(CONCURRENCY)
        ]
        await session.commit()

    # One burst per kind of event, 20 transactions at once each.
    made = [
        *await asyncio.gather(*(_evaluate(runtime, event.event_id) for event in perfect)),
        *await asyncio.gather(*(_evaluate(runtime, event.event_id) for event in recorded)),
    ]

    expected = {"perfect_quiz", "first_quiz_passed", "streak_3_days", "hours_learned_1"}
    winners = [kind for each in made for kind in each]
    assert sorted(winners) == sorted(expected)
    async with runtime.sessionmaker() as session:
        assert await awards(session, learner.user_id) == {kind: [""] for kind in expected}
        told = await awarded_events(session, learner.user_id)
        assert sorted(e.payload["type"] for e in told) == sorted(expected)
        assert await session.scalar(
            select(func.count()).where(Achievement.user_id == learner.user_id)
        ) == len(expected)
        assert (
            await session.scalar(
                select(func.count()).where(UserSettings.user_id == learner.user_id)
            )
            == 1
        )
