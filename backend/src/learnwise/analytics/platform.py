"""The platform's figures for admins (GET /analytics/platform)."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai import usage as ai_usage
from learnwise.analytics.models import LearnerSummary, PlatformDay
from learnwise.analytics.schemas import ActiveUsers, PlatformDayRead, PlatformRead
from learnwise.auth.models import User
from learnwise.content.models import Course
from learnwise.db import utcnow


async def _active_since(session: AsyncSession, days: int) -> int:
    since = utcnow() - timedelta(days=days)
    count = await session.scalar(
        select(func.count())
        .select_from(LearnerSummary)
        .where(LearnerSummary.last_active_at >= since)
    )
    return int(count or 0)


async def platform_figures(*, session: AsyncSession, days: int) -> PlatformRead:
    today = utcnow().date()
    first = today - timedelta(days=days - 1)
    users = await session.scalar(select(func.count()).select_from(User))
    courses = dict(
        (await session.execute(select(Course.status, func.count()).group_by(Course.status))).all()
    )
    totals = (
        await session.execute(
            select(
                func.coalesce(func.sum(PlatformDay.enrollments), 0),
                func.coalesce(func.sum(PlatformDay.course_completions), 0),
            )
        )
    ).one()
    rows = await session.scalars(
        select(PlatformDay).where(PlatformDay.day.between(first, today)).order_by(PlatformDay.day)
    )
    day_figures = [
        PlatformDayRead(
            day=row.day,
            active_users=row.active_users,
            enrollments=row.enrollments,
            items_completed=row.items_completed,
            course_completions=row.course_completions,
            seconds=row.seconds,
        )
        for row in rows
    ]
    today_row = next((d for d in day_figures if d.day == today), None)
    return PlatformRead(
        users=int(users or 0),
        active_users=ActiveUsers(
            today=today_row.active_users if today_row else 0,
            last_7_days=await _active_since(session, 7),
            last_30_days=await _active_since(session, 30),
        ),
        courses={str(status): int(count) for status, count in courses.items()},
        enrollments=int(totals[0]),
        course_completions=int(totals[1]),
        days=day_figures,
        ai_usage=await ai_usage.usage_since(
            session=session, since=datetime.combine(first, time(), tzinfo=UTC)
        ),
    )
