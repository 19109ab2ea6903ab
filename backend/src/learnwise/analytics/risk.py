"""Learners at risk of dropping out of a course: not completed, and inactive for
``at_risk_inactive_days`` (or, never active, enrolled that long ago), read from the course's
rollup of its learners.

Not the AI service's risk score: that one is computed on request, learner by learner, from their
progress, skill states and quiz attempts (``ai.analysis.service.analyze_learner``), far too many
queries for every learner of a course on each course-metrics request, and the AI service stores no
score to read instead (docs/analytics.md, "Learners at risk"). ``learners_at_risk`` is the one
place to change when it does."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.analytics.models import CourseLearner
from learnwise.analytics.schemas import AtRisk, LearnerAtRisk
from learnwise.config import AnalyticsSettings

METHOD = "inactivity"
_LISTED = 50


async def learners_at_risk(
    *, session: AsyncSession, course_id: uuid.UUID, today: date, settings: AnalyticsSettings
) -> AtRisk:
    cutoff = today - timedelta(days=settings.at_risk_inactive_days)
    condition = and_(
        CourseLearner.course_id == course_id,
        CourseLearner.completed_at.is_(None),
        or_(
            CourseLearner.last_active_on < cutoff,
            and_(
                CourseLearner.last_active_on.is_(None),
                CourseLearner.enrolled_at < datetime.combine(cutoff, time(), tzinfo=UTC),
            ),
        ),
    )
    count = await session.scalar(select(func.count()).select_from(CourseLearner).where(condition))
    rows = await session.scalars(
        select(CourseLearner)
        .where(condition)
        .order_by(CourseLearner.last_active_on.is_not(None), CourseLearner.last_active_on)
        .limit(_LISTED)
    )
    learners = []
    for row in rows:
        since = row.last_active_on or (row.enrolled_at.date() if row.enrolled_at else today)
        learners.append(
            LearnerAtRisk(
                user_id=row.user_id,
                last_active_on=row.last_active_on,
                days_inactive=(today - since).days,
                items_completed=row.items_completed,
            )
        )
    return AtRisk(
        method=METHOD,
        inactive_days=settings.at_risk_inactive_days,
        count=int(count or 0),
        learners=learners,
    )
