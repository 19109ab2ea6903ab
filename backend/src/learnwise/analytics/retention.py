"""The retention of raw activity events: older than ``analytics.retention_days`` (by the time
they were recorded), they are deleted in batches; the rollups built from them stay.

On PostgreSQL the BRIN index on ``recorded_at`` finds the old block ranges without a scan.
"""

from datetime import timedelta

from sqlalchemy import delete, select

from learnwise.analytics.models import ActivityEvent
from learnwise.db import utcnow
from learnwise.platform.runtime import Runtime

_BATCH = 5000


async def sweep_events(runtime: Runtime) -> int:
    """Deletes the expired events, a batch per transaction; returns how many."""
    cutoff = utcnow() - timedelta(days=runtime.settings.analytics.retention_days)
    deleted = 0
    while True:
        async with runtime.sessionmaker() as session:
            expired = (
                select(ActivityEvent.event_id)
                .where(ActivityEvent.recorded_at < cutoff)
                .limit(_BATCH)
                .scalar_subquery()
            )
            result = await session.execute(
                delete(ActivityEvent).where(ActivityEvent.event_id.in_(expired))
            )
            await session.commit()
        count = result.rowcount or 0  # type: ignore[attr-defined]
        deleted += count
        if count < _BATCH:
            return deleted
