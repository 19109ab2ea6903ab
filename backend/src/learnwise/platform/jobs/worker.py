"""The worker: claims due jobs, runs their handlers under a lease, records how they ended.

Claiming is one short transaction: on PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several
instances and worker processes share the queue; everywhere, the claim is an ``UPDATE`` guarded
by the status and attempt count that were read, so two workers never both claim one attempt.
While a job runs, its worker renews the lease (and stores progress) every heartbeat; a job whose
lease expired (its worker died) is claimed again, as a new attempt. Every later write about an
attempt is fenced by the worker's id and the attempt number: a worker that lost its lease
changes nothing.
"""

import asyncio
import contextlib
import json
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import and_, or_, select, update

from learnwise.db import utcnow
from learnwise.platform.jobs.context import JobContext, finished_message, publish
from learnwise.platform.jobs.queue import JobFailed, JobStatus, awake_after_commit
from learnwise.platform.jobs.registry import registry
from learnwise.platform.jobs.schedule import enqueue_periodic
from learnwise.platform.models import Job
from learnwise.platform.runtime import Runtime

log = structlog.get_logger(__name__)

# Progress is written down at most this often, however often a handler reports it.
_PROGRESS_WRITE_SECONDS = 1.0
_WORKER_LOST = "The worker running this job stopped before it finished."


@dataclass(frozen=True, slots=True)
class _Claimed:
    job_id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    owner_id: uuid.UUID | None
    attempt: int
    max_attempts: int


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: JobStatus
    result: Any = None
    error: str | None = None


class Worker:
    """Runs this process's share of the jobs, now (``run_pending``) or in the background."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._settings = runtime.settings.jobs
        self.worker_id = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()
        # The last period each schedule was queued for by this worker (saves a doomed insert).
        self._scheduled: dict[str, int] = {}

    def wake(self) -> None:
        self._wakeup.set()

    def start(self) -> None:
        awake_after_commit.add(self)
        self._task = asyncio.create_task(self._run(), name="job-worker")

    async def stop(self) -> None:
        """Stops claiming, and puts the jobs it was running back in the queue."""
        awake_after_commit.discard(self)
        tasks = [t for t in (self._task, *self._running) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._task = None

    async def _run(self) -> None:
        while True:
            self._wakeup.clear()
            try:
                await enqueue_periodic(self._runtime, scheduled=self._scheduled)
                free = self._settings.concurrency - len(self._running)
                if free > 0:
                    for claimed in await self.claim(free):
                        task = asyncio.create_task(self.run(claimed, heartbeat=True))
                        self._running.add(task)
                        task.add_done_callback(self._job_done)
            except Exception:
                # The database may be away for a while: try again at the next poll.
                log.exception("job_worker_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._settings.poll_seconds)

    def _job_done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self.wake()  # a slot is free

    async def claim(
        self,
        limit: int,
        *,
        including_delayed: bool = False,
        skip: frozenset[uuid.UUID] = frozenset(),
    ) -> list[_Claimed]:
        """Claims up to ``limit`` due jobs of the kinds this process can run."""
        now = utcnow()
        due = Job.status == JobStatus.QUEUED
        if not including_delayed:
            due = and_(due, Job.run_at <= now)
        lapsed = and_(Job.status == JobStatus.RUNNING, Job.lease_expires_at < now)
        query = (
            select(Job)
            .where(Job.kind.in_(list(registry.kinds)), or_(due, lapsed))
            .order_by(Job.run_at, Job.job_id)
            .limit(limit)
        )
        if skip:
            query = query.where(Job.job_id.not_in(skip))
        if not self._runtime.settings.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        claimed: list[_Claimed] = []
        ended: list[tuple[Job, _Outcome]] = []
        async with self._runtime.sessionmaker() as session:
            for job in list(await session.scalars(query)):
                taken = await self._take(session, job, now)
                if isinstance(taken, _Claimed):
                    claimed.append(taken)
                elif taken is not None:
                    ended.append((job, taken))
            await session.commit()
        for job, outcome in ended:
            await self._announce(job.job_id, job.kind, job.owner_id, outcome)
        return claimed

    async def _take(self, session: Any, job: Job, now: datetime) -> "_Claimed | _Outcome | None":
        """Claims one job found due; a job whose worker died while it was being cancelled, or
        on its last attempt, ends instead. None: another worker got there first."""
        guard = (
            Job.job_id == job.job_id,
            Job.status == job.status,
            Job.attempts == job.attempts,
        )
        ending: _Outcome | None = None
        if job.status == JobStatus.RUNNING and job.cancel_requested:
            ending = _Outcome(JobStatus.CANCELLED)
        elif job.attempts >= job.max_attempts:
            ending = _Outcome(JobStatus.FAILED, error=_WORKER_LOST)
        if ending is not None:
            values: dict[str, Any] = {"status": ending.status, "error": ending.error}
            values.update(finished_at=now, updated_at=now, lease_expires_at=None, worker_id=None)
        else:
            values = {
                "status": JobStatus.RUNNING,
                "attempts": job.attempts + 1,
                "worker_id": self.worker_id,
                "lease_expires_at": now + timedelta(seconds=self._settings.lease_seconds),
                "started_at": now,
                "updated_at": now,
            }
        updated = await session.execute(
            update(Job).where(*guard).values(**values).execution_options(synchronize_session=False)
        )
        if updated.rowcount != 1:
            return None
        if ending is not None:
            log.warning("job_worker_lost", job_id=str(job.job_id), kind=job.kind)
            return ending
        return _Claimed(
            job.job_id,
            job.kind,
            dict(job.payload),
            job.owner_id,
            job.attempts + 1,
            job.max_attempts,
        )

    async def run(self, claimed: _Claimed, *, heartbeat: bool) -> None:
        """Runs one claimed attempt to its end and records the outcome."""
        spec = registry.get(claimed.kind)
        assert spec is not None  # only registered kinds are claimed
        ctx = JobContext(
            job_id=claimed.job_id,
            kind=claimed.kind,
            payload=claimed.payload,
            owner_id=claimed.owner_id,
            attempt=claimed.attempt,
            runtime=self._runtime,
        )
        timeout = spec.timeout_seconds or self._settings.default_timeout_seconds
        task = asyncio.create_task(spec.handler(ctx), name=f"job-{claimed.kind}")
        beat = asyncio.create_task(self._heartbeat(claimed, ctx, task)) if heartbeat else None
        log.info(
            "job_started", job_id=str(claimed.job_id), kind=claimed.kind, attempt=claimed.attempt
        )
        try:
            done, _ = await asyncio.wait({task}, timeout=timeout)
        except asyncio.CancelledError:
            # This worker is stopping: the job goes back to the queue, the attempt not counted.
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await self._release(claimed)
            raise
        finally:
            if beat is not None:
                beat.cancel()
                await asyncio.gather(beat, return_exceptions=True)
        if not done:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            outcome = self._failure(claimed, f"The job took longer than {timeout:g} seconds.")
        else:
            outcome = self._outcome_of(claimed, task, beat)
        if outcome is not None:
            await self._finish(claimed, ctx, outcome)

    def _outcome_of(
        self, claimed: _Claimed, task: asyncio.Task[Any], beat: asyncio.Task[None] | None
    ) -> _Outcome | None:
        if task.cancelled():
            # Only the heartbeat cancels a handler: on request (it returns True) or because the
            # lease was lost to another worker (False), which then owns the job.
            cancelled = beat is not None and beat.done() and not beat.cancelled() and beat.result()
            return _Outcome(JobStatus.CANCELLED) if cancelled else None
        exc = task.exception()
        if isinstance(exc, JobFailed):
            return _Outcome(JobStatus.FAILED, error=str(exc)[:1000] or "The job failed.")
        if exc is not None:
            log.error(
                "job_failed",
                job_id=str(claimed.job_id),
                kind=claimed.kind,
                attempt=claimed.attempt,
                exc_info=exc,
            )
            return self._failure(claimed, f"Unexpected error ({type(exc).__name__}).")
        result = task.result()
        try:
            json.dumps(result)
        except (TypeError, ValueError):
            return _Outcome(JobStatus.FAILED, error="The job's result is not JSON.")
        if result is not None and not isinstance(result, dict):
            return _Outcome(JobStatus.FAILED, error="The job's result is not an object.")
        return _Outcome(JobStatus.SUCCEEDED, result=result)

    def _failure(self, claimed: _Claimed, error: str) -> _Outcome:
        if claimed.attempt < claimed.max_attempts:
            return _Outcome(JobStatus.QUEUED, error=error)
        return _Outcome(JobStatus.FAILED, error=error)

    def _backoff(self, attempt: int) -> timedelta:
        seconds = self._settings.retry_base_seconds * 2 ** min(attempt - 1, 30)
        return timedelta(seconds=min(seconds, self._settings.retry_max_seconds))

    def _fence(self, claimed: _Claimed) -> tuple[Any, ...]:
        return (
            Job.job_id == claimed.job_id,
            Job.status == JobStatus.RUNNING,
            Job.worker_id == self.worker_id,
            Job.attempts == claimed.attempt,
        )

    async def _finish(self, claimed: _Claimed, ctx: JobContext, outcome: _Outcome) -> None:
        now = utcnow()
        values: dict[str, Any] = {
            "status": outcome.status,
            "error": outcome.error,
            "progress": ctx.fraction,
            "message": ctx.message,
            "updated_at": now,
            "worker_id": None,
            "lease_expires_at": None,
        }
        if outcome.status == JobStatus.QUEUED:
            values["run_at"] = now + self._backoff(claimed.attempt)
        else:
            values["finished_at"] = now
        if outcome.status == JobStatus.SUCCEEDED:
            values.update(result=outcome.result, progress=1.0)
        async with self._runtime.sessionmaker() as session:
            updated = await session.execute(
                update(Job).where(*self._fence(claimed)).values(**values)
            )
            await session.commit()
        if updated.rowcount != 1:
            log.warning("job_lease_lost", job_id=str(claimed.job_id), kind=claimed.kind)
            return
        log.info("job_ended", job_id=str(claimed.job_id), kind=claimed.kind, status=outcome.status)
        if outcome.status != JobStatus.QUEUED:
            await self._announce(claimed.job_id, claimed.kind, claimed.owner_id, outcome)

    async def _announce(
        self, job_id: uuid.UUID, kind: str, owner_id: uuid.UUID | None, outcome: _Outcome
    ) -> None:
        message = finished_message(
            job_id=job_id,
            kind=kind,
            status=outcome.status,
            result=outcome.result,
            error=outcome.error,
        )
        await publish(self._runtime, owner_id, message)

    async def _release(self, claimed: _Claimed) -> None:
        with contextlib.suppress(Exception):
            async with self._runtime.sessionmaker() as session:
                await session.execute(
                    update(Job)
                    .where(*self._fence(claimed))
                    .values(
                        status=JobStatus.QUEUED,
                        attempts=claimed.attempt - 1,
                        worker_id=None,
                        lease_expires_at=None,
                        updated_at=utcnow(),
                    )
                )
                await session.commit()

    async def _heartbeat(self, claimed: _Claimed, ctx: JobContext, task: asyncio.Task[Any]) -> bool:
        """Renews the lease and stores progress until the handler ends; cancels the handler
        when its owner asked to (returns True) or when the lease was lost (returns False)."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    ctx.progress_changed.wait(), self._settings.heartbeat_seconds
                )
            ctx.progress_changed.clear()
            now = utcnow()
            try:
                async with self._runtime.sessionmaker() as session:
                    renewed = await session.execute(
                        update(Job)
                        .where(*self._fence(claimed))
                        .values(
                            lease_expires_at=now + timedelta(seconds=self._settings.lease_seconds),
                            progress=ctx.fraction,
                            message=ctx.message,
                            updated_at=now,
                        )
                    )
                    cancel = await session.scalar(
                        select(Job.cancel_requested).where(Job.job_id == claimed.job_id)
                    )
                    await session.commit()
            except Exception:
                log.warning("job_heartbeat_failed", job_id=str(claimed.job_id), exc_info=True)
                continue
            if renewed.rowcount != 1 or cancel:
                task.cancel()
                return bool(cancel) and renewed.rowcount == 1
            await asyncio.sleep(_PROGRESS_WRITE_SECONDS)


async def run_pending(runtime: Runtime, *, including_delayed: bool = False) -> int:
    """Runs every due job to its end, one at a time and each at most once, including jobs
    queued meanwhile; for tests and commands. With ``including_delayed``, jobs waiting to be
    retried run at once. Returns how many attempts ran."""
    worker = Worker(runtime)
    tried: set[uuid.UUID] = set()
    while batch := await worker.claim(
        runtime.settings.jobs.concurrency,
        including_delayed=including_delayed,
        skip=frozenset(tried),
    ):
        for claimed in batch:
            tried.add(claimed.job_id)
            await worker.run(claimed, heartbeat=False)
    return len(tried)


def start(runtime: Runtime) -> Worker:
    """Starts this instance's background worker (stop it with ``await worker.stop()``)."""
    worker = Worker(runtime)
    worker.start()
    return worker
