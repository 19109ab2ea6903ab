"""The ``ai.generate`` job: runs a queued generation's graph in the worker, its progress sent to
the requester (``job.progress`` on their realtime channel; ``GET /api/v1/jobs/{id}``), then
saves the drafts. The graph is checkpointed under the generation's id: a retried job resumes it
where it stopped."""

import uuid
from typing import Any

from learnwise.ai.generation import service
from learnwise.ai.generation.models import Generation
from learnwise.ai.generation.state import GenerationContext
from learnwise.db import utcnow
from learnwise.errors import AppError
from learnwise.platform import jobs

MAX_ATTEMPTS = 3


@jobs.handler(service.GENERATE_JOB, max_attempts=MAX_ATTEMPTS, timeout_seconds=900)
async def generate(ctx: jobs.JobContext) -> dict[str, Any]:
    generation_id = uuid.UUID(ctx.payload["generation_id"])
    async with ctx.session() as session:
        generation = await session.get(Generation, generation_id)
        if generation is None:
            raise jobs.JobFailed("The generation was deleted (its course or module was).")
        if generation.status == "succeeded":
            return _summary(generation)  # a repeated run: the drafts are already saved
        generation.status = "running"
        requested_by = generation.requested_by
        start = service.graph_input(generation)
    if requested_by is None:
        await _fail(ctx, generation_id, "The account that asked for it no longer exists.")
    principal = service.job_principal(user_id=requested_by, payload=ctx.payload)
    try:
        async with ctx.session() as session:
            # The language model's usage ledger joins this transaction.
            state = await service.run_graph(
                runtime=ctx.runtime,
                context=GenerationContext(
                    runtime=ctx.runtime,
                    session=session,
                    user_id=requested_by,
                    progress=ctx.progress,
                ),
                thread_id=generation_id,
                start=start,
            )
        await ctx.progress(0.95, "Saving the drafts")
        async with ctx.session() as session:
            generation = await session.get(Generation, generation_id)
            if generation is None:
                raise jobs.JobFailed("The generation was deleted (its course or module was).")
            await service.finish(
                session=session, principal=principal, generation=generation, state=state
            )
            summary = _summary(generation)
    except AppError as exc:
        # Refused by the content service (the requester lost the right to edit the course,
        # the module is gone): no retry will change that.
        await _fail(ctx, generation_id, exc.detail)
    except jobs.JobFailed as exc:
        await _fail(ctx, generation_id, str(exc))
    except Exception:
        if ctx.attempt >= MAX_ATTEMPTS:
            await _mark_failed(ctx, generation_id, "Generation failed; try again later.")
        raise
    await ctx.progress(1.0, "Done: drafts saved for review")
    return summary


def _summary(generation: Generation) -> dict[str, Any]:
    return {
        "generation_id": str(generation.generation_id),
        "engine": generation.engine,
        "drafts": generation.drafts,
    }


async def _mark_failed(ctx: jobs.JobContext, generation_id: uuid.UUID, message: str) -> None:
    async with ctx.session() as session:
        generation = await session.get(Generation, generation_id)
        if generation is not None and generation.status != "succeeded":
            generation.status = "failed"
            generation.error = message
            generation.finished_at = utcnow()


async def _fail(ctx: jobs.JobContext, generation_id: uuid.UUID, message: str) -> None:
    await _mark_failed(ctx, generation_id, message)
    raise jobs.JobFailed(message)
