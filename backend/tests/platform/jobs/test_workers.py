"""Workers that really commit: two instances never run one attempt twice; a background worker
stores progress, stops a job its owner cancelled, and puts its jobs back when it stops."""

import asyncio
import secrets
import uuid
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from learnwise.config import Settings
from learnwise.platform import jobs
from learnwise.platform.models import Job
from learnwise.platform.runtime import Runtime
from tests.conftest import make_settings


@pytest.fixture
async def other_runtime(runtime: Runtime) -> AsyncIterator[Runtime]:
    """A second instance on the same database, with a quick heartbeat."""
    settings: Settings = make_settings(
        runtime.settings.database_url,
        jobs={"heartbeat_seconds": 0.05, "lease_seconds": 5, "poll_seconds": 0.05},
    )
    other = Runtime.build(settings)
    await other.hub.start()
    try:
        yield other
    finally:
        await other.close()


async def job_of(runtime: Runtime, job_id: uuid.UUID) -> Job:
    async with runtime.sessionmaker() as session:
        job = await session.get(Job, job_id)
        assert job is not None
        return job


async def wait_for(runtime: Runtime, job_id: uuid.UUID, predicate, seconds: float = 10) -> Job:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        job = await job_of(runtime, job_id)
        if predicate(job) or asyncio.get_running_loop().time() > deadline:
            return job
        await asyncio.sleep(0.05)


async def test_two_workers_never_run_one_job_twice(
    runtime: Runtime, other_runtime: Runtime, live_client, registry
) -> None:
    ran: Counter[uuid.UUID] = Counter()

    @registry.handler("test.count")
    async def count(ctx: jobs.JobContext) -> dict:
        ran[ctx.job_id] += 1
        await asyncio.sleep(0)  # let the other worker in
        return {}

    async with runtime.sessionmaker() as session:
        ids = [(await jobs.enqueue(session=session, kind="test.count")).job_id for _ in range(40)]
        await session.commit()

    first, second = await asyncio.gather(jobs.run_pending(runtime), jobs.run_pending(other_runtime))
    assert first + second == 40
    assert ran == dict.fromkeys(ids, 1)
    async with runtime.sessionmaker() as session:
        statuses = await session.execute(select(Job.status, func.count()).group_by(Job.status))
        assert dict(statuses.all()) == {"succeeded": 40}


async def test_a_background_worker_stores_progress_and_stops_a_cancelled_job(
    runtime: Runtime, other_runtime: Runtime, live_client, registry
) -> None:
    halfway = asyncio.Event()
    stopped = asyncio.Event()

    @registry.handler("test.long")
    async def long(ctx: jobs.JobContext) -> None:
        await ctx.progress(0.5, "Halfway")
        halfway.set()
        try:
            await asyncio.sleep(30)
        finally:
            stopped.set()

    registered = await live_client.post(
        "/api/v1/auth/register",
        json={
            "email": f"owner-{secrets.token_hex(4)}@example.org",
            "password": "correct horse battery staple",
            "display_name": "Owner",
        },
    )
    assert registered.status_code == 201, registered.text
    headers = {"Authorization": f"Bearer {registered.json()['access_token']}"}
    owner_id = uuid.UUID(
        (await live_client.get("/api/v1/auth/me", headers=headers)).json()["user_id"]
    )
    async with runtime.sessionmaker() as session:
        job = await jobs.enqueue(session=session, kind="test.long", owner_id=owner_id)
        await session.commit()

    worker = jobs.start(other_runtime)
    try:
        await asyncio.wait_for(halfway.wait(), 10)
        running = await wait_for(runtime, job.job_id, lambda j: j.progress == 0.5)
        assert (running.status, running.message) == ("running", "Halfway")
        assert running.worker_id == worker.worker_id

        response = await live_client.post(f"/api/v1/jobs/{job.job_id}/cancel", headers=headers)
        assert response.status_code == 200
        await asyncio.wait_for(stopped.wait(), 10)
        ended = await wait_for(runtime, job.job_id, lambda j: j.status == "cancelled")
        assert ended.status == "cancelled" and ended.finished_at is not None
    finally:
        await worker.stop()


async def test_a_stopping_worker_puts_its_jobs_back_in_the_queue(
    runtime: Runtime, other_runtime: Runtime, live_client, registry
) -> None:
    started = asyncio.Event()

    @registry.handler("test.interrupted")
    async def interrupted(ctx: jobs.JobContext) -> dict:
        if ctx.runtime is other_runtime:
            started.set()
            await asyncio.sleep(30)
        return {"finished_by": "the next worker"}

    async with runtime.sessionmaker() as session:
        job = await jobs.enqueue(session=session, kind="test.interrupted")
        await session.commit()

    worker = jobs.start(other_runtime)
    await asyncio.wait_for(started.wait(), 10)
    await worker.stop()
    back = await job_of(runtime, job.job_id)
    assert (back.status, back.attempts, back.worker_id) == ("queued", 0, None)

    assert await jobs.run_pending(runtime) == 1
    done = await job_of(runtime, job.job_id)
    assert (done.status, done.attempts) == ("succeeded", 1)
    assert done.result == {"finished_by": "the next worker"}
