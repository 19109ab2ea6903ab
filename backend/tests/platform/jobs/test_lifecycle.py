"""A job's life through ``run_pending``: success with progress streamed live, failures retried
with backoff up to the limit, permanent failures, timeouts, leases of dead workers, periodic
kinds queued once per period, queuing inside the caller's transaction."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.db import utcnow
from learnwise.platform import jobs
from learnwise.platform.models import Job
from learnwise.platform.runtime import Runtime
from learnwise.realtime.channels import user_channel


async def queue(session: AsyncSession, kind: str, **kwargs) -> Job:
    job = await jobs.enqueue(session=session, kind=kind, **kwargs)
    await session.commit()
    return job


async def reload(session: AsyncSession, job: Job) -> Job:
    await session.refresh(job)
    return job


async def test_a_job_runs_reports_progress_live_and_stores_its_result(
    runtime: Runtime, db_session: AsyncSession, registry, make_account, client, listen
) -> None:
    learner = await make_account("learner")
    seen: dict = {}

    @registry.handler("test.fit")
    async def fit(ctx: jobs.JobContext) -> dict:
        seen.update(payload=ctx.payload, owner=ctx.owner_id, attempt=ctx.attempt)
        await ctx.progress(0.4, "Fitting the model")
        async with ctx.session() as session:
            seen["owned_jobs"] = await session.scalar(
                select(func.count()).select_from(Job).where(Job.owner_id == ctx.owner_id)
            )
        return {"auc": 0.8}

    listener = listen(user_channel(learner.user_id))
    job = await queue(db_session, "test.fit", payload={"course": "c1"}, owner_id=learner.user_id)
    assert job.status == jobs.JobStatus.QUEUED

    assert await jobs.run_pending(runtime) == 1
    assert seen == {
        "payload": {"course": "c1"},
        "owner": learner.user_id,
        "attempt": 1,
        "owned_jobs": 1,
    }
    progress = await listener.next("job.progress")
    assert progress == {
        "type": "job.progress",
        "job_id": str(job.job_id),
        "kind": "test.fit",
        "progress": 0.4,
        "message": "Fitting the model",
    }
    finished = await listener.next("job.finished")
    assert finished["status"] == "succeeded" and finished["result"] == {"auc": 0.8}

    response = await client.get(f"/api/v1/jobs/{job.job_id}", headers=learner.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["result"] == {"auc": 0.8}
    assert body["progress"] == 1.0 and body["message"] == "Fitting the model"
    assert body["attempts"] == 1 and body["error"] is None
    assert body["started_at"] is not None and body["finished_at"] is not None

    # Finished jobs are not run again.
    assert await jobs.run_pending(runtime, including_delayed=True) == 0


async def test_a_failing_job_is_retried_with_backoff_then_succeeds(
    runtime: Runtime, db_session: AsyncSession, registry
) -> None:
    attempts: list[int] = []

    @registry.handler("test.flaky", max_attempts=3)
    async def flaky(ctx: jobs.JobContext) -> dict:
        attempts.append(ctx.attempt)
        if ctx.attempt == 1:
            raise RuntimeError("the database is away")
        return {"ok": True}

    job = await queue(db_session, "test.flaky")
    before = utcnow()
    assert await jobs.run_pending(runtime) == 1
    job = await reload(db_session, job)
    assert job.status == jobs.JobStatus.QUEUED
    assert job.attempts == 1
    assert job.error == "Unexpected error (RuntimeError)."
    base = runtime.settings.jobs.retry_base_seconds
    assert job.run_at >= before + timedelta(seconds=base)

    # Not due yet: the backoff holds it back.
    assert await jobs.run_pending(runtime) == 0
    assert await jobs.run_pending(runtime, including_delayed=True) == 1
    job = await reload(db_session, job)
    assert job.status == jobs.JobStatus.SUCCEEDED
    assert job.attempts == 2 and job.error is None and job.result == {"ok": True}
    assert attempts == [1, 2]


async def test_a_job_that_keeps_failing_fails_after_its_last_attempt(
    runtime: Runtime, db_session: AsyncSession, registry, make_account, listen
) -> None:
    learner = await make_account("learner")

    @registry.handler("test.broken", max_attempts=2)
    async def broken(ctx: jobs.JobContext) -> None:
        raise KeyError("missing")

    listener = listen(user_channel(learner.user_id))
    job = await queue(db_session, "test.broken", owner_id=learner.user_id)
    assert await jobs.run_pending(runtime) == 1
    assert await jobs.run_pending(runtime, including_delayed=True) == 1
    job = await reload(db_session, job)
    assert job.status == jobs.JobStatus.FAILED
    assert job.attempts == 2 and job.finished_at is not None
    assert job.error == "Unexpected error (KeyError)."
    finished = await listener.next("job.finished")
    assert finished["status"] == "failed" and finished["error"] == job.error
    assert await jobs.run_pending(runtime, including_delayed=True) == 0


async def test_job_failed_ends_the_job_at_once_with_its_message(
    runtime: Runtime, db_session: AsyncSession, registry
) -> None:
    @registry.handler("test.refuses", max_attempts=5)
    async def refuses(ctx: jobs.JobContext) -> None:
        raise jobs.JobFailed("The course has no learners.")

    job = await queue(db_session, "test.refuses")
    await jobs.run_pending(runtime)
    job = await reload(db_session, job)
    assert (job.status, job.attempts, job.error) == ("failed", 1, "The course has no learners.")


@pytest.mark.parametrize("result", [{"when": object()}, [1, 2]])
async def test_a_result_that_is_not_a_json_object_fails_the_job(
    runtime: Runtime, db_session: AsyncSession, registry, result
) -> None:
    @registry.handler("test.odd")
    async def odd(ctx: jobs.JobContext):
        return result

    job = await queue(db_session, "test.odd")
    await jobs.run_pending(runtime)
    job = await reload(db_session, job)
    assert job.status == jobs.JobStatus.FAILED and job.result is None
    assert "result" in job.error


async def test_a_job_running_past_its_timeout_is_stopped_and_retried(
    runtime: Runtime, db_session: AsyncSession, registry
) -> None:
    stopped = asyncio.Event()

    @registry.handler("test.slow", timeout_seconds=0.05, max_attempts=2)
    async def slow(ctx: jobs.JobContext) -> None:
        try:
            await asyncio.sleep(30)
        finally:
            stopped.set()

    job = await queue(db_session, "test.slow")
    await jobs.run_pending(runtime)
    assert stopped.is_set()
    job = await reload(db_session, job)
    assert job.status == jobs.JobStatus.QUEUED
    assert job.error == "The job took longer than 0.05 seconds."


async def test_a_job_whose_worker_died_runs_again_once_its_lease_expired(
    runtime: Runtime, db_session: AsyncSession, registry
) -> None:
    runs: list[int] = []

    @registry.handler("test.survivor", max_attempts=2)
    async def survivor(ctx: jobs.JobContext) -> dict:
        runs.append(ctx.attempt)
        return {"attempt": ctx.attempt}

    job = await queue(db_session, "test.survivor")
    claimed_by_the_dead = {"status": "running", "attempts": 1, "worker_id": "dead:1:x"}

    # Still leased: nobody else touches it.
    await db_session.execute(
        update(Job)
        .where(Job.job_id == job.job_id)
        .values(**claimed_by_the_dead, lease_expires_at=utcnow() + timedelta(seconds=30))
    )
    await db_session.commit()
    assert await jobs.run_pending(runtime, including_delayed=True) == 0

    await db_session.execute(
        update(Job)
        .where(Job.job_id == job.job_id)
        .values(lease_expires_at=utcnow() - timedelta(seconds=1))
    )
    await db_session.commit()
    assert await jobs.run_pending(runtime) == 1
    job = await reload(db_session, job)
    assert (job.status, job.attempts, job.result) == ("succeeded", 2, {"attempt": 2})
    assert runs == [2]


async def test_a_job_whose_worker_died_on_its_last_attempt_fails(
    runtime: Runtime, db_session: AsyncSession, registry
) -> None:
    @registry.handler("test.unlucky", max_attempts=1)
    async def unlucky(ctx: jobs.JobContext) -> None:
        raise AssertionError("must not run again")

    job = await queue(db_session, "test.unlucky")
    await db_session.execute(
        update(Job)
        .where(Job.job_id == job.job_id)
        .values(
            status="running",
            attempts=1,
            worker_id="dead:1:x",
            lease_expires_at=utcnow() - timedelta(seconds=1),
        )
    )
    await db_session.commit()
    assert await jobs.run_pending(runtime) == 0
    job = await reload(db_session, job)
    assert job.status == jobs.JobStatus.FAILED
    assert job.error == "The worker running this job stopped before it finished."


async def test_a_worker_that_lost_its_lease_records_nothing(
    runtime: Runtime, db_session: AsyncSession, registry
) -> None:
    @registry.handler("test.overtaken")
    async def overtaken(ctx: jobs.JobContext) -> dict:
        # Meanwhile the lease expired and another worker claimed the job.
        async with ctx.session() as session:
            await session.execute(
                update(Job).where(Job.job_id == ctx.job_id).values(worker_id="other:2:y")
            )
        return {"from": "the first worker"}

    job = await queue(db_session, "test.overtaken")
    await jobs.run_pending(runtime)
    job = await reload(db_session, job)
    assert (job.status, job.worker_id, job.result) == ("running", "other:2:y", None)


async def test_periodic_kinds_are_queued_once_per_period_across_instances(
    runtime: Runtime, db_session: AsyncSession, registry
) -> None:
    ran: list[dict] = []

    @registry.handler("test.tick")
    async def tick(ctx: jobs.JobContext) -> None:
        ran.append(ctx.payload)

    registry.periodic("test.tick", every_seconds=600, payload={"scope": "all"})
    start = utcnow().replace(minute=0, second=1, microsecond=0)
    assert await jobs.enqueue_periodic(runtime, now=start) == ["test.tick"]
    # Another instance (its own memory of what it queued) in the same period.
    assert await jobs.enqueue_periodic(runtime, now=start + timedelta(seconds=500)) == []
    assert await jobs.enqueue_periodic(runtime, now=start + timedelta(seconds=600)) == ["test.tick"]
    count = select(func.count()).select_from(Job).where(Job.kind == "test.tick")
    assert await db_session.scalar(count) == 2

    await jobs.run_pending(runtime)
    assert ran == [{"scope": "all"}, {"scope": "all"}]


async def test_a_job_queued_in_a_rolled_back_transaction_does_not_exist(
    runtime: Runtime, db_session: AsyncSession, registry
) -> None:
    @registry.handler("test.never")
    async def never(ctx: jobs.JobContext) -> None:
        raise AssertionError("must not run")

    async with runtime.sessionmaker() as session:
        await jobs.enqueue(session=session, kind="test.never")
        await session.rollback()
    assert await jobs.run_pending(runtime) == 0
    assert await db_session.scalar(select(func.count()).select_from(Job)) == 0


async def test_only_registered_kinds_can_be_queued(db_session: AsyncSession, registry) -> None:
    with pytest.raises(ValueError, match="no handler"):
        await jobs.enqueue(session=db_session, kind="test.unknown")
    with pytest.raises(ValueError):
        registry.handler("Not A Kind")
    with pytest.raises(ValueError):
        registry.periodic("test.tick", every_seconds=0)


async def test_progress_outside_zero_to_one_is_refused(
    runtime: Runtime, db_session: AsyncSession, registry
) -> None:
    @registry.handler("test.overeager", max_attempts=1)
    async def overeager(ctx: jobs.JobContext) -> None:
        await ctx.progress(1.5)

    job = await queue(db_session, "test.overeager")
    await jobs.run_pending(runtime)
    job = await reload(db_session, job)
    assert (job.status, job.error) == ("failed", "Unexpected error (ValueError).")
