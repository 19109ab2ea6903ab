"""AI generation endpoints.

POST /ai/generate                     queues quiz, summary, flashcards, objectives, glossary
                                      as drafts (202; the work runs as an ``ai.generate`` job)
GET  /ai/generations/{generation_id}  a generation (who asked for it, admins)
"""

import uuid

from fastapi import APIRouter, status

from learnwise.ai.generation import jobs as _jobs  # noqa: F401  (registers ai.generate)
from learnwise.ai.generation import service
from learnwise.ai.generation.models import Generation
from learnwise.ai.generation.schemas import (
    DraftItem,
    GeneratedMaterial,
    GenerateRequest,
    GenerationRead,
)
from learnwise.auth.dependencies import RequirePermission
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.db import SessionDep
from learnwise.platform.runtime import RuntimeDep

router = APIRouter(prefix="/ai", tags=["ai"])

Generator = RequirePermission(Permission.AI_GENERATE)


def _read(generation: Generation) -> GenerationRead:
    return GenerationRead(
        generation_id=generation.generation_id,
        status=generation.status,
        job_id=generation.options.get("job_id"),
        engine=generation.engine,
        course_id=generation.course_id,
        module_id=generation.module_id,
        source_content_id=generation.source_content_id,
        source_version=generation.source_version,
        source_chars=generation.source_chars,
        outputs=generation.options.get("outputs", []),
        result=GeneratedMaterial.model_validate(generation.result) if generation.result else None,
        drafts=[DraftItem.model_validate(d) for d in generation.drafts],
        error=generation.error,
        created_at=generation.created_at,
        finished_at=generation.finished_at,
    )


@router.post("/generate", status_code=status.HTTP_202_ACCEPTED)
async def generate(
    request: GenerateRequest,
    session: SessionDep,
    runtime: RuntimeDep,
    principal: Principal = Generator,
) -> GenerationRead:
    """Queues the generation of study material from a content item or pasted text, saved as
    draft items (unpublished) in the item's module or the module named. Follow it with
    GET /api/v1/jobs/{job_id} (or the job.progress and job.finished messages on the realtime
    channel), then read the result with GET /api/v1/ai/generations/{generation_id}."""
    generation = await service.generate(
        session=session, runtime=runtime, principal=principal, request=request
    )
    return _read(generation)


@router.get("/generations/{generation_id}")
async def get_generation(
    generation_id: uuid.UUID, session: SessionDep, principal: Principal = Generator
) -> GenerationRead:
    generation = await service.get_generation(
        session=session, principal=principal, generation_id=generation_id
    )
    return _read(generation)
