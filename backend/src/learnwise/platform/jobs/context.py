"""What a job handler receives: the job, the runtime, a way to open transactions and to report
progress."""

import asyncio
import math
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.db import commit
from learnwise.platform.runtime import Runtime
from learnwise.realtime.channels import user_channel

log = structlog.get_logger(__name__)

PROGRESS_MESSAGE = "job.progress"
FINISHED_MESSAGE = "job.finished"


class JobContext:
    """One attempt at one job, as its handler sees it."""

    def __init__(
        self,
        *,
        job_id: uuid.UUID,
        kind: str,
        payload: dict[str, Any],
        owner_id: uuid.UUID | None,
        attempt: int,
        runtime: Runtime,
    ) -> None:
        self.job_id = job_id
        self.kind = kind
        self.payload = payload
        self.owner_id = owner_id
        self.attempt = attempt
        self.runtime = runtime
        self.fraction = 0.0
        self.message: str | None = None
        # Set by progress(); the worker's heartbeat writes the progress down when it sees it.
        self.progress_changed = asyncio.Event()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction of its own: committed when the block ends normally
        (running ``db.after_commit`` callbacks), rolled back when it raises."""
        async with self.runtime.sessionmaker() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            await commit(session)

    async def progress(self, fraction: float, message: str | None = None) -> None:
        """Reports how far the job has got (0 to 1) and what it is doing. Sent live to the
        owner's realtime channel at once, and stored within a second or at the next heartbeat.
        Call it outside an open ``session()`` block: on SQLite, storing it needs the write lock."""
        if not math.isfinite(fraction) or not 0.0 <= fraction <= 1.0:
            raise ValueError(f"progress must be between 0 and 1, not {fraction!r}")
        self.fraction = fraction
        self.message = message[:500] if message is not None else None
        self.progress_changed.set()
        await publish(
            self.runtime,
            self.owner_id,
            {
                "type": PROGRESS_MESSAGE,
                "job_id": str(self.job_id),
                "kind": self.kind,
                "progress": fraction,
                "message": self.message,
            },
        )


async def publish(runtime: Runtime, owner_id: uuid.UUID | None, message: dict[str, Any]) -> None:
    """Sends a job message to its owner's channel. Best effort: the job's row is what counts,
    and a client that missed a message reads it with GET /api/v1/jobs/{id}."""
    if owner_id is None:
        return
    try:
        await runtime.hub.publish(user_channel(owner_id), message)
    except Exception:
        log.warning("job_message_not_published", job_id=message.get("job_id"), exc_info=True)


def finished_message(
    *, job_id: uuid.UUID, kind: str, status: str, result: Any, error: str | None
) -> dict[str, Any]:
    return {
        "type": FINISHED_MESSAGE,
        "job_id": str(job_id),
        "kind": kind,
        "status": status,
        "result": result,
        "error": error,
    }
