"""Periodic kinds: each queued once per period, whichever instance gets there first."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from learnwise.db import commit, utcnow
from learnwise.platform.jobs.queue import enqueue
from learnwise.platform.jobs.registry import registry
from learnwise.platform.runtime import Runtime


async def enqueue_periodic(
    runtime: Runtime, *, scheduled: dict[str, int] | None = None, now: datetime | None = None
) -> list[str]:
    """Queues the periodic kinds whose current period has no job yet; returns their kinds.
    The period is in the job's dedupe key, so each is queued once across all instances."""
    scheduled = scheduled if scheduled is not None else {}
    moment = now or utcnow()
    queued: list[str] = []
    for schedule in list(registry.schedules.values()):
        if registry.get(schedule.kind) is None:
            continue
        period = int(moment.timestamp() // schedule.every_seconds)
        if scheduled.get(schedule.kind) == period:
            continue
        try:
            async with runtime.sessionmaker() as session:
                await enqueue(
                    session=session,
                    kind=schedule.kind,
                    payload=schedule.payload,
                    dedupe_key=f"periodic:{schedule.kind}:{period}",
                )
                await commit(session)
            queued.append(schedule.kind)
        except IntegrityError:
            pass  # another instance queued this period's run
        scheduled[schedule.kind] = period
    return queued
