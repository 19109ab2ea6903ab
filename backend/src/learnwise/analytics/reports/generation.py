"""The report jobs: generating a requested report, and deleting expired ones every hour."""

import asyncio
import uuid

import structlog
from sqlalchemy import select

from learnwise.analytics.reports import course_reports, people_reports
from learnwise.analytics.reports.anonymize import Pseudonymizer, pseudonym_key
from learnwise.analytics.reports.builders import BuildContext, Builder
from learnwise.analytics.reports.models import AnalyticsReport
from learnwise.analytics.reports.renderers import MEDIA_TYPES, RENDERERS
from learnwise.analytics.reports.schemas import ReportFormat, ReportKind, ReportStatus
from learnwise.analytics.reports.service import REPORT_JOB
from learnwise.db import utcnow
from learnwise.errors import AppError
from learnwise.platform import events, jobs
from learnwise.platform.events import EventType

log = structlog.get_logger(__name__)

PURGE_JOB = "analytics.report_purge"
_ATTEMPTS = 3
_PURGE_BATCH = 200

BUILDERS: dict[ReportKind, Builder] = {
    ReportKind.COURSE_PROGRESS: course_reports.course_progress,
    ReportKind.LEARNER_TRANSCRIPT: people_reports.learner_transcript,
    ReportKind.QUIZ_ITEM_ANALYSIS: course_reports.quiz_item_analysis,
    ReportKind.PLATFORM_SUMMARY: people_reports.platform_summary,
}


@jobs.handler(REPORT_JOB, max_attempts=_ATTEMPTS, timeout_seconds=600)
async def generate(ctx: jobs.JobContext) -> dict | None:
    report_id = uuid.UUID(ctx.payload["report_id"])
    try:
        return await _generate(ctx, report_id)
    except jobs.JobFailed as exc:
        await _mark_failed(ctx, report_id, str(exc))
        raise
    except Exception:
        if ctx.attempt >= _ATTEMPTS:
            await _mark_failed(ctx, report_id, "The report could not be generated.")
        raise


async def _generate(ctx: jobs.JobContext, report_id: uuid.UUID) -> dict | None:
    await ctx.progress(0.05, "Collecting the data")
    async with ctx.session() as session:
        report = await session.get(AnalyticsReport, report_id)
        if report is None:
            return None  # deleted meanwhile
        try:
            _, requester = await people_reports.principal_of_user(session, report.requested_by)
            build = BuildContext(
                session=session,
                cache=ctx.runtime.cache,
                report=report,
                requester=requester,
                pseudonym=Pseudonymizer(pseudonym_key(ctx.runtime.settings), report.report_id),
                k=ctx.runtime.settings.reports.k_anonymity,
            )
            document = await BUILDERS[ReportKind(report.kind)](build)
        except AppError as exc:
            # The requester lost access since asking (or the course is gone).
            raise jobs.JobFailed(exc.detail) from exc
        report_format = ReportFormat(report.format)
        stamp = report.created_at.strftime("%Y%m%d-%H%M")
        filename = f"{report.kind.replace('_', '-')}-{stamp}.{report_format.value}"
    await ctx.progress(0.6, "Rendering the file")
    content = await asyncio.to_thread(RENDERERS[report_format], document)
    key = f"reports/{report_id}/{filename}"
    await ctx.runtime.storage.put_bytes(key, content, content_type=MEDIA_TYPES[report_format])
    await ctx.progress(0.9, "Storing the file")
    async with ctx.session() as session:
        report = await session.get(AnalyticsReport, report_id)
        if report is None:
            await ctx.runtime.storage.delete(key)
            return None
        report.status = ReportStatus.READY
        report.storage_key = key
        report.filename = filename
        report.size_bytes = len(content)
        report.summary = {"rows": document.row_count, "tables": len(document.tables)}
        report.finished_at = utcnow()
        await events.record(
            session=session,
            type=EventType.REPORT_READY,
            user_id=report.requested_by,
            payload={"report_id": str(report_id), "kind": report.kind, "format": report.format},
        )
    return {"report_id": str(report_id), "size_bytes": len(content), "rows": document.row_count}


async def _mark_failed(ctx: jobs.JobContext, report_id: uuid.UUID, error: str) -> None:
    async with ctx.session() as session:
        report = await session.get(AnalyticsReport, report_id)
        if report is not None:
            report.status = ReportStatus.FAILED
            report.error = error[:1000]
            report.finished_at = utcnow()


@jobs.handler(PURGE_JOB)
async def purge_expired(ctx: jobs.JobContext) -> dict[str, int]:
    """Deletes expired reports: each file first, then its row (a file never outlives the row
    that would let the purge find it again)."""
    deleted = 0
    while True:
        async with ctx.session() as session:
            expired = list(
                await session.scalars(
                    select(AnalyticsReport)
                    .where(AnalyticsReport.expires_at <= utcnow())
                    .limit(_PURGE_BATCH)
                )
            )
            for report in expired:
                if report.storage_key is not None:
                    await ctx.runtime.storage.delete(report.storage_key)
                await session.delete(report)
        deleted += len(expired)
        if len(expired) < _PURGE_BATCH:
            log.info("reports_purged", deleted=deleted)
            return {"deleted": deleted}


jobs.periodic(PURGE_JOB, every_seconds=3600)
