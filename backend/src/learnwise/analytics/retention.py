"""The retention of raw activity events: older than ``analytics.retention_days`` (by the time
they were recorded), they are deleted in batches by a periodic job, every hour on whichever
instance gets there first; the rollups built from them stay.

On PostgreSQL the BRIN index on ``recorded_at`` finds the old block ranges without a scan.
"""

from datetime import timedelta

import structlog
from sqlalchemy import delete, select

from learnwise.analytics.models import ActivityEvent
from learnwise.db import utcnow
from learnwise.platform import jobs

log = structlog.get_logger(__name__)

SWEEP_JOB = "analytics.retention"
_BATCH = 5000


@jobs.handler(SWEEP_JOB)
async def sweep_events(ctx: jobs.JobContext) -> dict[str, int]:
    """Deletes the expired events, a batch per transaction."""
    cutoff = utcnow() - timedelta(days=ctx.runtime.settings.analytics.retention_days)
    deleted = 0
    while True:
        async with ctx.session() as session:
            expired = (
                select(ActivityEvent.event_id)
                .where(ActivityEvent.recorded_at < cutoff)
                .limit(_BATCH)
                .scalar_subquery()
            )
            result = await session.execute(
                delete(ActivityEvent).where(ActivityEvent.event_id.in_(expired))
            )
        count = result.rowcount or 0  # type: ignore[attr-defined]
        deleted += count
        if count < _BATCH:
            log.info("activity_events_swept", deleted=deleted)
            return {"deleted": deleted}


jobs.periodic(SWEEP_JOB, every_seconds=3600)
