"""Background jobs: durable rows in the database, run by a worker in each instance (or by
``learnwise worker`` processes), with progress streamed to the owner's realtime channel.

    from learnwise.platform import jobs

    @jobs.handler("ai.fit")                       # registered at import time
    async def fit(ctx: jobs.JobContext) -> dict | None:
        await ctx.progress(0.4, "Fitting the model")
        async with ctx.session() as session: ...  # a transaction of its own
        return {"auc": 0.8}                       # the job's result (JSON)

    job = await jobs.enqueue(session=session, kind="ai.fit", payload={...}, owner_id=user.id)
    jobs.periodic("analytics.retention", every_seconds=3600)

Tests run the queue with ``await jobs.run_pending(runtime)``. See docs/jobs.md.
"""

from learnwise.platform.jobs import maintenance  # noqa: F401  (registers the platform's jobs)
from learnwise.platform.jobs.context import JobContext
from learnwise.platform.jobs.queue import FINISHED, JobFailed, JobStatus, enqueue
from learnwise.platform.jobs.registry import JobRegistry, registry
from learnwise.platform.jobs.schedule import enqueue_periodic
from learnwise.platform.jobs.worker import Worker, run_pending, start

handler = registry.handler
periodic = registry.periodic

__all__ = [
    "FINISHED",
    "JobContext",
    "JobFailed",
    "JobRegistry",
    "JobStatus",
    "Worker",
    "enqueue",
    "enqueue_periodic",
    "handler",
    "periodic",
    "registry",
    "run_pending",
    "start",
]
