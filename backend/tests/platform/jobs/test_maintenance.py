"""The platform's periodic jobs: finished jobs and expired idempotency records are deleted."""

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.db import utcnow
from learnwise.platform import jobs
from learnwise.platform.jobs.maintenance import PURGE_IDEMPOTENCY, PURGE_JOBS
from learnwise.platform.models import IdempotencyRecord, Job
from learnwise.platform.runtime import Runtime


async def test_both_purges_are_scheduled_hourly() -> None:
    for kind in (PURGE_JOBS, PURGE_IDEMPOTENCY):
        assert jobs.registry.schedules[kind].every_seconds == 3600
        assert jobs.registry.get(kind) is not None


async def test_finished_jobs_past_the_retention_are_deleted(
    runtime: Runtime, db_session: AsyncSession
) -> None:
    retention = timedelta(days=runtime.settings.jobs.retention_days)
    long_ago = utcnow() - retention - timedelta(hours=1)
    old, recent, waiting = [
        await jobs.enqueue(session=db_session, kind=PURGE_IDEMPOTENCY) for _ in range(3)
    ]
    await db_session.execute(
        update(Job).where(Job.job_id == old.job_id).values(status="succeeded", finished_at=long_ago)
    )
    await db_session.execute(
        update(Job).where(Job.job_id == recent.job_id).values(status="failed", finished_at=utcnow())
    )
    # Queued long ago but never finished: kept.
    await db_session.execute(
        update(Job)
        .where(Job.job_id == waiting.job_id)
        .values(created_at=long_ago, run_at=utcnow() + timedelta(days=1))
    )
    purge = await jobs.enqueue(session=db_session, kind=PURGE_JOBS)
    await db_session.commit()

    await jobs.run_pending(runtime)
    remaining = set(await db_session.scalars(select(Job.job_id)))
    assert remaining == {recent.job_id, waiting.job_id, purge.job_id}
    await db_session.refresh(purge)
    assert purge.result == {"deleted": 1}


async def test_expired_idempotency_records_are_deleted(
    runtime: Runtime, db_session: AsyncSession, make_account
) -> None:
    learner = await make_account("learner")
    now = utcnow()
    for key, expires_at in (
        ("old", now - timedelta(minutes=1)),
        ("live", now + timedelta(hours=1)),
    ):
        db_session.add(
            IdempotencyRecord(
                user_id=learner.user_id, key=key, request_hash="0" * 64, expires_at=expires_at
            )
        )
    job = await jobs.enqueue(session=db_session, kind=PURGE_IDEMPOTENCY)
    await db_session.commit()

    await jobs.run_pending(runtime)
    keys = set(await db_session.scalars(select(IdempotencyRecord.key)))
    assert keys == {"live"}
    await db_session.refresh(job)
    assert (job.status, job.result) == ("succeeded", {"deleted": 1})
