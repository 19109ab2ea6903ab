"""The learner model's background job: ``ai.fit`` refits it in the worker, with progress, once
a day and whenever an admin asks (``POST /api/v1/ai/learner-model/fit``)."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.learner_model import history, service
from learnwise.platform import jobs
from learnwise.platform.models import Job

FIT = "ai.fit"
FIT_EVERY_SECONDS = 24 * 3600


@jobs.handler(FIT, max_attempts=2, timeout_seconds=3600)
async def fit(ctx: jobs.JobContext) -> dict[str, Any]:
    """Reads every graded answer, fits in a thread, then stores the fit and every learner's
    replayed state in one transaction (each step its own, so that progress can be stored)."""
    await ctx.progress(0.05, "Reading graded answers")
    async with ctx.session() as session:
        responses = await history.all_responses(session=session)
    if not len(responses):
        return {"fitted": False, "reason": "There are no graded answers to fit on yet."}
    fitted = await service.fit_responses(responses, progress=ctx.progress)
    await ctx.progress(0.8, "Updating every learner's state")
    async with ctx.session() as session:
        stored = await service.store_fit(session=session, fitted=fitted)
        summary = {"fitted": True, **service.fit_summary(stored)}
    await ctx.progress(1.0, "Fitted")
    return summary


async def request_fit(*, session: AsyncSession, owner_id: uuid.UUID) -> Job:
    """Queues a fit for ``owner_id`` (who follows its progress), or returns the fit already
    queued or running: two fits at once would only do the same work twice."""
    pending = await session.scalar(
        select(Job)
        .where(Job.kind == FIT, Job.status.not_in(list(jobs.FINISHED)))
        .order_by(Job.created_at.desc())
        .limit(1)
    )
    if pending is not None:
        return pending
    return await jobs.enqueue(session=session, kind=FIT, owner_id=owner_id)


jobs.periodic(FIT, every_seconds=FIT_EVERY_SECONDS)
