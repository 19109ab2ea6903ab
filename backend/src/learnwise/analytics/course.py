"""A course's analytics (GET /analytics/course-metrics), for its instructors and admins.

Read from the course's rollups only: a handful of indexed queries whose cost depends on the
course's outline, its learners and the days asked for, never on how many events it has had.
"""

import uuid
from collections import defaultdict
from datetime import date, timedelta
from itertools import pairwise

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.analytics import cohorts, risk
from learnwise.analytics.exceptions import CourseAnalyticsDenied
from learnwise.analytics.models import CoursePeriod, ItemStat, ModuleStat, QuestionStat, ScoreBucket
from learnwise.analytics.schemas import (
    CountOn,
    CourseMetricsRead,
    DropOff,
    ItemFunnel,
    ModuleFunnel,
    QuestionFigures,
    QuizFigures,
    Replayed,
)
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.config import AnalyticsSettings
from learnwise.content import service as content_service
from learnwise.content.models import Course
from learnwise.content.schemas import OutlineItem, OutlineModule
from learnwise.db import utcnow
from learnwise.platform.cache import Cache

_DROP_OFFS = 5
_MOST_REPLAYED = 10


async def course_for_analytics(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID
) -> Course:
    """The course if the caller teaches it (with the course analytics permission) or is an
    admin; 403 if they only see it, 404 (as if it did not exist) otherwise."""
    course = await content_service.get_course_for_read(
        session=session, principal=principal, course_id=course_id
    )
    if principal.can(Permission.ANALYTICS_PLATFORM):
        return course
    if principal.can(Permission.ANALYTICS_COURSE) and await content_service.is_instructor(
        session=session, user_id=principal.user_id, course=course
    ):
        return course
    raise CourseAnalyticsDenied("Only the course's instructors and admins see its analytics.")


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


async def _series(
    session: AsyncSession, course_id: uuid.UUID, first: date, last: date
) -> dict[str, dict[str, list[CountOn]]]:
    rows = await session.scalars(
        select(CoursePeriod)
        .where(
            CoursePeriod.course_id == course_id,
            CoursePeriod.starts_on.between(first - timedelta(days=6), last),
        )
        .order_by(CoursePeriod.starts_on)
    )
    series: dict[str, dict[str, list[CountOn]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row.period == "day" and row.starts_on < first:
            continue
        for field in ("active_learners", "enrollments", "course_completions"):
            count = getattr(row, field)
            if count:
                series[row.period][field].append(CountOn(starts_on=row.starts_on, count=count))
    return series


async def _enrollments_total(session: AsyncSession, course_id: uuid.UUID) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(CoursePeriod.enrollments), 0)).where(
            CoursePeriod.course_id == course_id, CoursePeriod.period == "week"
        )
    )
    return int(total or 0)


def _funnel(
    outline: list[OutlineModule],
    stats: dict[uuid.UUID, ItemStat],
    module_completions: dict[uuid.UUID, int],
    enrolled: int,
) -> list[ModuleFunnel]:
    def item(entry: OutlineItem) -> ItemFunnel:
        stat = stats.get(entry.content_id)
        started = stat.learners_started if stat else 0
        completed = stat.learners_completed if stat else 0
        return ItemFunnel(
            content_id=entry.content_id,
            title=entry.title,
            type=entry.type,
            is_required=entry.is_required,
            learners_started=started,
            learners_completed=completed,
            completion_rate=_ratio(completed, enrolled),
            average_seconds=_ratio(stat.seconds, started) if stat else None,
            views=stat.views if stat else 0,
            replays=stat.replays if stat else 0,
        )

    return [
        ModuleFunnel(
            module_id=module.module_id,
            title=module.title,
            completions=module_completions.get(module.module_id, 0),
            items=[item(entry) for entry in module.items],
        )
        for module in outline
    ]


def _drop_offs(modules: list[ModuleFunnel]) -> list[DropOff]:
    """Where learners stop: along the required items in outline order, how many completed the
    previous one but not this one."""
    required = [item for module in modules for item in module.items if item.is_required]
    losses = [
        DropOff(
            content_id=item.content_id,
            title=item.title,
            learners_lost=before.learners_completed - item.learners_completed,
        )
        for before, item in pairwise(required)
        if before.learners_completed > item.learners_completed
    ]
    return sorted(losses, key=lambda d: -d.learners_lost)[:_DROP_OFFS]


async def _quizzes(
    session: AsyncSession, outline: list[OutlineModule], stats: dict[uuid.UUID, ItemStat]
) -> list[QuizFigures]:
    quizzes = [item for module in outline for item in module.items if item.type == "quiz"]
    ids = [quiz.content_id for quiz in quizzes]
    if not ids:
        return []
    buckets: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0] * 11)
    for row in await session.scalars(select(ScoreBucket).where(ScoreBucket.content_id.in_(ids))):
        buckets[row.content_id][row.bucket] = row.attempts
    questions: dict[uuid.UUID, list[QuestionFigures]] = defaultdict(list)
    found = await session.scalars(
        select(QuestionStat)
        .where(QuestionStat.content_id.in_(ids))
        .order_by(QuestionStat.question_id)
    )
    for row in found:
        questions[row.content_id].append(
            QuestionFigures(
                question_id=row.question_id,
                responses=row.responses,
                answered=row.answered,
                correct=row.correct,
                correct_rate=_ratio(row.correct, row.responses),
            )
        )
    figures = []
    for quiz in quizzes:
        stat = stats.get(quiz.content_id)
        attempts = stat.quiz_attempts if stat else 0
        figures.append(
            QuizFigures(
                content_id=quiz.content_id,
                title=quiz.title,
                attempts=attempts,
                average_score=_ratio(stat.quiz_score_sum, attempts) if stat else None,
                score_distribution=buckets[quiz.content_id],
                questions=questions[quiz.content_id],
            )
        )
    return figures


def _most_replayed(modules: list[ModuleFunnel]) -> list[Replayed]:
    replayed = [
        Replayed(content_id=item.content_id, title=item.title, replays=item.replays)
        for module in modules
        for item in module.items
        if item.replays
    ]
    return sorted(replayed, key=lambda r: -r.replays)[:_MOST_REPLAYED]


async def course_metrics(
    *,
    session: AsyncSession,
    cache: Cache,
    principal: Principal,
    course_id: uuid.UUID,
    days: int,
    settings: AnalyticsSettings,
) -> CourseMetricsRead:
    course = await course_for_analytics(session=session, principal=principal, course_id=course_id)
    today = utcnow().date()
    first = today - timedelta(days=days - 1)
    outline = await content_service.course_outline(
        session=session, cache=cache, course=course, view="published"
    )
    stats = {
        stat.content_id: stat
        for stat in await session.scalars(select(ItemStat).where(ItemStat.course_id == course_id))
    }
    module_completions = dict(
        (
            await session.execute(
                select(ModuleStat.module_id, ModuleStat.completions).where(
                    ModuleStat.course_id == course_id
                )
            )
        ).all()
    )
    enrolled = await _enrollments_total(session, course_id)
    series = await _series(session, course_id, first, today)
    modules = _funnel(outline, stats, module_completions, enrolled)
    return CourseMetricsRead(
        course_id=course_id,
        from_day=first,
        to_day=today,
        enrollments_total=enrolled,
        enrollments=series["day"]["enrollments"],
        daily_active_learners=series["day"]["active_learners"],
        weekly_active_learners=series["week"]["active_learners"],
        completions=series["day"]["course_completions"],
        modules=modules,
        drop_off=_drop_offs(modules),
        quizzes=await _quizzes(session, outline, stats),
        at_risk=await risk.learners_at_risk(
            session=session, course_id=course_id, today=today, settings=settings
        ),
        most_replayed=_most_replayed(modules),
        cohorts=await cohorts.by_enrollment_month(
            session=session, course_id=course_id, k=settings.k_anonymity
        ),
        k_anonymity=settings.k_anonymity,
    )
