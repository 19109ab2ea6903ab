"""Cohort comparisons with k-anonymity: a cohort of fewer than k learners is reported as
suppressed, with none of its figures, so that no small group's results can be singled out."""

import uuid

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from learnwise.analytics.models import CourseLearner
from learnwise.analytics.schemas import Cohort


def _month(session: AsyncSession, column: ColumnElement) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)  # SQLite stores UTC


async def by_enrollment_month(
    *, session: AsyncSession, course_id: uuid.UUID, k: int
) -> list[Cohort]:
    month = _month(session, CourseLearner.enrolled_at).label("month")
    rows = await session.execute(
        select(
            month,
            func.count(),
            func.sum(case((CourseLearner.completed_at.is_not(None), 1), else_=0)),
            func.avg(CourseLearner.items_completed),
            func.sum(CourseLearner.quiz_score_sum),
            func.sum(CourseLearner.quiz_attempts),
            func.avg(CourseLearner.seconds),
        )
        .where(CourseLearner.course_id == course_id, CourseLearner.enrolled_at.is_not(None))
        .group_by(month)
        .order_by(month)
    )
    cohorts = []
    for name, learners, completed, items, score_sum, attempts, seconds in rows:
        if learners < k:
            cohorts.append(
                Cohort(
                    cohort=name,
                    learners=None,
                    suppressed=True,
                    completion_rate=None,
                    average_items_completed=None,
                    average_quiz_score=None,
                    average_minutes=None,
                )
            )
            continue
        cohorts.append(
            Cohort(
                cohort=name,
                learners=learners,
                suppressed=False,
                completion_rate=round(completed / learners, 4),
                average_items_completed=round(float(items), 2),
                average_quiz_score=round(score_sum / attempts, 4) if attempts else None,
                average_minutes=round(float(seconds) / 60, 1),
            )
        )
    return cohorts
