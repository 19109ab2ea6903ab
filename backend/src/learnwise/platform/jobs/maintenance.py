"""The platform's own periodic jobs: deleting finished jobs and expired idempotency records."""

from datetime import timedelta

from sqlalchemy import delete, select

from learnwise.db import utcnow
from learnwise.platform.idempotency import purge_expired
from learnwise.platform.jobs.context import JobContext
from learnwise.platform.jobs.queue import FINISHED
from learnwise.platform.jobs.registry import registry
from learnwise.platform.models import Job

PURGE_JOBS = "platform.purge_jobs"
PURGE_IDEMPOTENCY = "platform.purge_idempotency"
_BATCH = 1000


@registry.handler(PURGE_JOBS)
async def purge_finished_jobs(ctx: JobContext) -> dict[str, int]:
    """Deletes the jobs that finished longer ago than the retention, in batches."""
    cutoff = utcnow() - timedelta(days=ctx.runtime.settings.jobs.retention_days)
    deleted = 0
    while True:
        async with ctx.session() as session:
            old = (
                select(Job.job_id)
                .where(Job.status.in_(list(FINISHED)), Job.finished_at < cutoff)
                .limit(_BATCH)
            )
            result = await session.execute(delete(Job).where(Job.job_id.in_(old.scalar_subquery())))
        count = result.rowcount or 0  # type: ignore[attr-defined]
        deleted += count
        if count < _BATCH:
            return {"deleted": deleted}


@registry.handler(PURGE_IDEMPOTENCY)
async def purge_idempotency_records(ctx: JobContext) -> dict[str, int]:
    async with ctx.session() as session:
        return {"deleted": await purge_expired(session=session)}


registry.periodic(PURGE_JOBS, every_seconds=3600)
registry.periodic(PURGE_IDEMPOTENCY, every_seconds=3600)
