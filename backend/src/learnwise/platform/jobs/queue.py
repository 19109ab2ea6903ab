"""Queuing jobs: a row inserted in the caller's transaction, so a job exists exactly when the
change that asked for it was committed."""

import uuid
import weakref
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from learnwise.db import utcnow
from learnwise.platform.jobs.registry import registry
from learnwise.platform.models import Job


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class JobFailed(Exception):
    """Raised by a handler to fail its job at once, without retrying; the message is shown
    to the job's owner."""


async def enqueue(
    *,
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any] | None = None,
    owner_id: uuid.UUID | None = None,
    dedupe_key: str | None = None,
    run_at: datetime | None = None,
) -> Job:
    """Queues a job of a registered ``kind`` (flush only: it runs after the commit). With a
    ``dedupe_key``, a second job with the same key fails the flush with IntegrityError."""
    spec = registry.get(kind)
    if spec is None:
        raise ValueError(f"no handler is registered for the job kind {kind!r}")
    now = utcnow()
    job = Job(
        kind=kind,
        status=JobStatus.QUEUED,
        payload=payload or {},
        owner_id=owner_id,
        dedupe_key=dedupe_key,
        max_attempts=spec.max_attempts,
        attempts=0,
        progress=0.0,
        cancel_requested=False,
        run_at=run_at or now,
        created_at=now,
        updated_at=now,
    )
    session.add(job)
    await session.flush()
    return job


class Wakeable(Protocol):
    def wake(self) -> None: ...


# A commit that queued jobs wakes the workers of this process at once, instead of at their
# next poll. Set on flush, acted on after the commit, forgotten on rollback.
awake_after_commit: "weakref.WeakSet[Wakeable]" = weakref.WeakSet()
_QUEUED = "learnwise.job_queued"


@event.listens_for(Session, "after_flush")
def _note_queued(session: Session, _context: Any) -> None:
    if any(isinstance(obj, Job) for obj in session.new):
        session.info[_QUEUED] = True


@event.listens_for(Session, "after_commit")
def _wake_workers(session: Session) -> None:
    if session.info.pop(_QUEUED, False):
        for worker in list(awake_after_commit):
            worker.wake()


@event.listens_for(Session, "after_rollback")
def _forget_queued(session: Session) -> None:
    session.info.pop(_QUEUED, None)
