"""/api/v1/analytics: client events in, learning analytics out."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from learnwise.analytics import course, ingest, learner, platform, xapi
from learnwise.analytics.dependencies import CourseAnalyst, DaysQuery, PlatformAnalyst
from learnwise.analytics.event_schemas import BatchResult, EventBatch
from learnwise.analytics.schemas import (
    CourseMetricsRead,
    PlatformRead,
    StatementPage,
    UserProgressRead,
)
from learnwise.auth.dependencies import CurrentPrincipal
from learnwise.db import SessionDep
from learnwise.platform.runtime import RuntimeDep

router = APIRouter(prefix="/analytics", tags=["analytics"])


@router.post("/events")
async def send_events(
    batch: EventBatch, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> BatchResult:
    """Stores a batch of the caller's client events (with their consent), each once."""
    settings = runtime.settings.analytics
    await runtime.limiter.hit(
        settings.ingest_rate_per_user, "analytics-events", str(principal.user_id)
    )
    return await ingest.ingest(session=session, principal=principal, batch=batch, settings=settings)


@router.get("/user-progress")
async def user_progress(
    principal: CurrentPrincipal,
    session: SessionDep,
    days: DaysQuery = 30,
    user_id: Annotated[
        uuid.UUID | None, Query(description="Another user's (admins only); default: yours.")
    ] = None,
) -> UserProgressRead:
    return await learner.user_progress(
        session=session, principal=principal, user_id=user_id or principal.user_id, days=days
    )


@router.get("/course-metrics")
async def course_metrics(
    principal: CourseAnalyst,
    session: SessionDep,
    runtime: RuntimeDep,
    course_id: uuid.UUID,
    days: DaysQuery = 30,
) -> CourseMetricsRead:
    return await course.course_metrics(
        session=session,
        cache=runtime.cache,
        principal=principal,
        course_id=course_id,
        days=days,
        settings=runtime.settings.analytics,
    )


@router.get("/platform")
async def platform_figures(
    principal: PlatformAnalyst, session: SessionDep, days: DaysQuery = 30
) -> PlatformRead:
    return await platform.platform_figures(session=session, days=days)


@router.get("/xapi/statements")
async def xapi_statements(
    principal: CurrentPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
    user_id: Annotated[
        uuid.UUID | None, Query(description="Another user's (admins only); default: yours.")
    ] = None,
    since: Annotated[AwareDatetime | None, Query(description="Events from this time on.")] = None,
    after: Annotated[uuid.UUID | None, Query(description="The previous page's next_after.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> StatementPage:
    """The user's activity events as xAPI 1.0.3 statements, in the order they were recorded."""
    found, next_after = await xapi.statements(
        session=session,
        principal=principal,
        user_id=user_id or principal.user_id,
        base_url=runtime.settings.public_url.rstrip("/"),
        since=since,
        after=after,
        limit=limit,
    )
    return StatementPage(statements=found, next_after=next_after)
