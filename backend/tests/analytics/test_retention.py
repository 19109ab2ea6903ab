"""Raw activity events expire after the retention, swept by the hourly periodic job; recent ones
and the rollups stay."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.analytics import retention
from learnwise.analytics.models import ActivityEvent
from learnwise.db import utcnow
from learnwise.platform import jobs
from learnwise.platform.models import Job
from learnwise.platform.runtime import Runtime

from .conftest import World, client_events, lesson_view, metrics, send, set_consent


async def test_the_sweep_is_a_periodic_job_that_deletes_expired_events_and_keeps_rollups(
    world: World, db_session: AsyncSession, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings.analytics, "retention_days", 30)
    await set_consent(world.client, world.learner, True)
    old, recent = lesson_view(world.lesson, utcnow()), lesson_view(world.lesson, utcnow())
    await send(world.client, world.learner, [old])
    await db_session.execute(
        update(ActivityEvent)
        .where(ActivityEvent.client_event_id == uuid.UUID(old["id"]))
        .values(recorded_at=utcnow() - timedelta(days=31))
    )
    await db_session.commit()
    await send(world.client, world.learner, [recent])

    now = utcnow()
    queued = await jobs.enqueue_periodic(runtime, now=now)
    await jobs.run_pending(runtime)

    assert retention.SWEEP_JOB in queued
    sweep = await db_session.scalar(select(Job).where(Job.kind == retention.SWEEP_JOB))
    assert sweep is not None
    assert (sweep.status, sweep.result) == ("succeeded", {"deleted": 1})
    assert await client_events(db_session) == 1
    items = {
        i["content_id"]: i for m in (await metrics(world)).json()["modules"] for i in m["items"]
    }
    assert items[world.lesson]["views"] == 2
    assert await jobs.enqueue_periodic(runtime, now=now) == []  # once an hour, whoever asks
