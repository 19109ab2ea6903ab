"""Reports: who may request which, the request (a row and a job in one transaction), reading,
downloading and deleting them."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.analytics.reports.exceptions import (
    InvalidReportRequest,
    ReportExpired,
    ReportForbidden,
    ReportNotFound,
    ReportNotReady,
)
from learnwise.analytics.reports.models import AnalyticsReport
from learnwise.analytics.reports.schemas import (
    ReportCreate,
    ReportKind,
    ReportRead,
    ReportStatus,
)
from learnwise.auth import service as auth_service
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.config import Settings
from learnwise.content import service as content_service
from learnwise.db import after_commit, utcnow
from learnwise.pagination import PageParams
from learnwise.platform import jobs
from learnwise.platform.models import Job
from learnwise.platform.runtime import Runtime
from learnwise.progress.access import course_for_instructor

REPORT_JOB = "analytics.report"
COURSE_KINDS = frozenset({ReportKind.COURSE_PROGRESS, ReportKind.QUIZ_ITEM_ANALYSIS})


def _check_period(request: ReportCreate, settings: Settings) -> None:
    today = datetime.now(UTC).date()
    limit = settings.reports.max_range_days
    if request.date_to is not None and request.date_to > today:
        raise InvalidReportRequest("date_to is in the future.")
    if request.date_from is not None and request.date_from > (request.date_to or today):
        raise InvalidReportRequest("date_from is after date_to.")
    if request.kind == ReportKind.PLATFORM_SUMMARY:
        request.date_to = request.date_to or today
        request.date_from = request.date_from or request.date_to - timedelta(
            days=settings.reports.default_range_days - 1
        )
    if request.date_from is not None:
        days = ((request.date_to or today) - request.date_from).days + 1
        if days > limit:
            raise InvalidReportRequest(
                f"The period spans {days} days; at most {limit} are allowed."
            )


async def _authorize(*, session: AsyncSession, principal: Principal, request: ReportCreate) -> None:
    """A learner may have their own transcript; an instructor reports on the courses they
    teach; admins anything. Names and emails need report:identify (one's own excepted)."""
    if request.kind in COURSE_KINDS:
        if request.course_id is None or request.learner_id is not None:
            raise InvalidReportRequest(f"A {request.kind} report needs course_id (only).")
        if not principal.can(Permission.REPORT_CREATE):
            raise ReportForbidden("Only instructors and admins request course reports.")
        # 404 for a course the caller cannot see, 403 for one they do not teach.
        await course_for_instructor(
            session=session, principal=principal, course_id=request.course_id
        )
    elif request.kind == ReportKind.LEARNER_TRANSCRIPT:
        if request.course_id is not None:
            raise InvalidReportRequest("A transcript takes learner_id, not course_id.")
        request.learner_id = request.learner_id or principal.user_id
        if request.learner_id != principal.user_id:
            if not content_service.is_admin(principal):
                raise ReportForbidden("Only admins request another learner's transcript.")
            await auth_service.get_user(session=session, user_id=request.learner_id)
    else:
        if request.course_id is not None or request.learner_id is not None:
            raise InvalidReportRequest("A platform summary takes neither course_id nor learner_id.")
        if not principal.can(Permission.ANALYTICS_PLATFORM):
            raise ReportForbidden("Only admins request the platform summary.")
    own_transcript = (
        request.kind == ReportKind.LEARNER_TRANSCRIPT and request.learner_id == principal.user_id
    )
    if request.include_identities and not (
        own_transcript or principal.can(Permission.REPORT_IDENTIFY)
    ):
        raise ReportForbidden("Names and emails in reports need the permission report:identify.")


async def request_report(
    *, session: AsyncSession, settings: Settings, principal: Principal, request: ReportCreate
) -> AnalyticsReport:
    """Checks the request, records it and queues its job (both only if the request commits)."""
    _check_period(request, settings)
    await _authorize(session=session, principal=principal, request=request)
    now = utcnow()
    report = AnalyticsReport(
        kind=request.kind,
        format=request.format,
        status=ReportStatus.PENDING,
        requested_by=principal.user_id,
        course_id=request.course_id,
        learner_id=request.learner_id,
        date_from=request.date_from,
        date_to=request.date_to,
        include_identities=request.include_identities,
        created_at=now,
        expires_at=now + timedelta(hours=settings.reports.retention_hours),
    )
    session.add(report)
    await session.flush()
    job = await jobs.enqueue(
        session=session,
        kind=REPORT_JOB,
        payload={"report_id": str(report.report_id)},
        owner_id=principal.user_id,
    )
    report.job_id = job.job_id
    await session.flush()
    return report


def _may_see(principal: Principal, report: AnalyticsReport) -> bool:
    return report.requested_by == principal.user_id or content_service.is_admin(principal)


async def get_for_principal(
    *, session: AsyncSession, principal: Principal, report_id: uuid.UUID
) -> AnalyticsReport:
    """The report if the caller requested it or is an admin; others' reports are not found."""
    report = await session.get(AnalyticsReport, report_id, populate_existing=True)
    if report is None or not _may_see(principal, report):
        raise ReportNotFound(f"There is no report {report_id} of yours.")
    return report


async def read(*, session: AsyncSession, report: AnalyticsReport) -> ReportRead:
    """The report as the API shows it: a pending report whose job ended without it failed."""
    shown = ReportRead.model_validate(report)
    if report.status == ReportStatus.PENDING:
        job = await session.get(Job, report.job_id) if report.job_id else None
        if job is None or job.status in (jobs.JobStatus.FAILED, jobs.JobStatus.CANCELLED):
            shown.status = ReportStatus.FAILED
            shown.error = (job.error if job else None) or "The report's job did not finish."
    return shown


async def list_reports(
    *, session: AsyncSession, principal: Principal, page: PageParams, kind: ReportKind | None
) -> tuple[list[AnalyticsReport], int]:
    """The caller's reports, newest first (an admin's: everyone's)."""
    query = select(AnalyticsReport)
    if not content_service.is_admin(principal):
        query = query.where(AnalyticsReport.requested_by == principal.user_id)
    if kind is not None:
        query = query.where(AnalyticsReport.kind == kind)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    found = await session.scalars(
        query.order_by(AnalyticsReport.created_at.desc(), AnalyticsReport.report_id)
        .offset(page.offset)
        .limit(page.limit)
    )
    return list(found), total or 0


async def open_download(
    *, session: AsyncSession, runtime: Runtime, principal: Principal, report_id: uuid.UUID
) -> tuple[AnalyticsReport, AsyncIterator[bytes]]:
    """The ready report's file, as a stream: 409 while it is not ready, 410 once expired."""
    report = await get_for_principal(session=session, principal=principal, report_id=report_id)
    if report.expires_at <= utcnow():
        raise ReportExpired("This report has expired; request it again.")
    if report.status != ReportStatus.READY or report.storage_key is None:
        status = (await read(session=session, report=report)).status
        raise ReportNotReady(f"The report is {status}, not ready.")
    stream = await runtime.storage.open_range(report.storage_key, 0, report.size_bytes or 0)
    return report, stream


async def delete(
    *, session: AsyncSession, runtime: Runtime, principal: Principal, report_id: uuid.UUID
) -> None:
    """Deletes the report and, once that is committed, its file."""
    report = await get_for_principal(session=session, principal=principal, report_id=report_id)
    key = report.storage_key
    await session.delete(report)
    await session.flush()
    if key is not None:

        async def remove_file() -> None:
            await runtime.storage.delete(key)

        after_commit(session, remove_file)
