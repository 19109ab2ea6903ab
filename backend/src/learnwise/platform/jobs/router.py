"""Background jobs: the caller's own (a job manager's: everyone's), and cancelling one."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from learnwise.auth.dependencies import CurrentPrincipal
from learnwise.db import SessionDep
from learnwise.pagination import Page, PageParamsDep
from learnwise.platform.jobs import service
from learnwise.platform.jobs.queue import JobStatus
from learnwise.platform.jobs.schemas import JobRead
from learnwise.platform.runtime import RuntimeDep

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("")
async def list_jobs(
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageParamsDep,
    kind: Annotated[str | None, Query(max_length=64)] = None,
    status: JobStatus | None = None,
    owner_id: Annotated[
        uuid.UUID | None, Query(description="Another user's jobs (job managers only).")
    ] = None,
) -> Page[JobRead]:
    """My jobs, newest first; admins see everyone's. Filter by kind and status."""
    jobs, total = await service.list_jobs(
        session=session, principal=principal, page=page, kind=kind, status=status, owner_id=owner_id
    )
    return Page(
        items=[JobRead.model_validate(job) for job in jobs],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/{job_id}")
async def get_job(job_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> JobRead:
    """A job of mine (any job for an admin): status, progress, result or error."""
    job = await service.get_for_principal(session=session, principal=principal, job_id=job_id)
    return JobRead.model_validate(job)


@router.post("/{job_id}/cancel")
async def cancel_job(
    job_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> JobRead:
    """Cancels a queued job at once, or asks a running one to stop (its status becomes
    'cancelled' within a heartbeat; cancel_requested says it was asked). 409 when finished."""
    job = await service.cancel(session=session, runtime=runtime, principal=principal, job_id=job_id)
    return JobRead.model_validate(job)
