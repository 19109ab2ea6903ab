"""Reading and cancelling jobs on behalf of a caller: their own, or anyone's for a job manager."""

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.exceptions import PermissionDenied
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.db import after_commit, utcnow
from learnwise.pagination import PageParams
from learnwise.platform.jobs.context import finished_message, publish
from learnwise.platform.jobs.exceptions import JobAlreadyFinished, JobNotFound
from learnwise.platform.jobs.queue import JobStatus
from learnwise.platform.models import Job
from learnwise.platform.runtime import Runtime


def _manages_jobs(principal: Principal) -> bool:
    return principal.can(Permission.JOB_MANAGE)


async def get_for_principal(
    *, session: AsyncSession, principal: Principal, job_id: uuid.UUID
) -> Job:
    """The job if the caller owns it or manages jobs; someone else's job is not found."""
    job = await session.get(Job, job_id, populate_existing=True)
    if job is None or (job.owner_id != principal.user_id and not _manages_jobs(principal)):
        raise JobNotFound(f"There is no job {job_id} of yours.")
    return job


async def list_jobs(
    *,
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    kind: str | None = None,
    status: JobStatus | None = None,
    owner_id: uuid.UUID | None = None,
) -> tuple[list[Job], int]:
    """The caller's jobs, newest first; a job manager sees everyone's (or one owner's)."""
    query = select(Job)
    if not _manages_jobs(principal):
        if owner_id is not None and owner_id != principal.user_id:
            raise PermissionDenied("Only a job manager may list another user's jobs.")
        owner_id = principal.user_id
    if owner_id is not None:
        query = query.where(Job.owner_id == owner_id)
    if kind is not None:
        query = query.where(Job.kind == kind)
    if status is not None:
        query = query.where(Job.status == status)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    found = await session.scalars(
        query.order_by(Job.created_at.desc(), Job.job_id).offset(page.offset).limit(page.limit)
    )
    return list(found), total or 0


async def cancel(
    *, session: AsyncSession, runtime: Runtime, principal: Principal, job_id: uuid.UUID
) -> Job:
    """Cancels a queued job at once; asks the worker of a running job to stop it (it becomes
    cancelled within a heartbeat). A finished job cannot be cancelled (409)."""
    job = await get_for_principal(session=session, principal=principal, job_id=job_id)
    now = utcnow()
    dequeued = await session.execute(
        update(Job)
        .where(Job.job_id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.CANCELLED, finished_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if dequeued.rowcount == 1:
        message = finished_message(
            job_id=job.job_id, kind=job.kind, status=JobStatus.CANCELLED, result=None, error=None
        )
        owner_id = job.owner_id

        async def announce() -> None:
            await publish(runtime, owner_id, message)

        after_commit(session, announce)
    else:
        asked = await session.execute(
            update(Job)
            .where(Job.job_id == job_id, Job.status == JobStatus.RUNNING)
            .values(cancel_requested=True, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if asked.rowcount != 1:
            raise JobAlreadyFinished(f"The job has already {job.status}.")
    await session.flush()
    return await get_for_principal(session=session, principal=principal, job_id=job_id)
