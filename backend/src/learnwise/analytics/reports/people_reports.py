"""A learner's transcript, and the platform summary for admins."""

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from learnwise.analytics.reports.anonymize import SUPPRESSED, small
from learnwise.analytics.reports.builders import BuildContext, week_of
from learnwise.analytics.reports.document import Chart, ReportDocument, Table
from learnwise.auth import service as auth_service
from learnwise.auth.models import User
from learnwise.auth.service import Principal
from learnwise.content.models import ContentItem, Course, Enrollment
from learnwise.pagination import PageParams
from learnwise.progress import reports as progress_reports
from learnwise.progress.models import LearningDay, QuizAttempt, UserProgress

_PAGE = 100


async def principal_of_user(session: AsyncSession, user_id: uuid.UUID) -> tuple[User, Principal]:
    """The user as the services see them when they act themselves (with their roles now)."""
    user = await auth_service.get_user(session=session, user_id=user_id)
    permissions = await auth_service.permissions_of(session=session, user=user)
    principal = Principal(
        user_id=user.user_id,
        session_id=uuid.UUID(int=0),
        roles=frozenset(user.role_names),
        permissions=permissions,
    )
    return user, principal


async def learner_transcript(ctx: BuildContext) -> ReportDocument:
    """A learner's courses (progress as they see it) and quiz attempts in the period."""
    learner_id = ctx.report.learner_id or ctx.report.requested_by
    user, learner = await principal_of_user(ctx.session, learner_id)
    courses = Table(
        "Courses",
        [
            "Course",
            "Percent complete",
            "Completed",
            "Completed at",
            "Modules completed",
            "Minutes spent",
            "Last activity",
        ],
    )
    offset = 0
    while True:
        page = await progress_reports.my_courses_progress(
            session=ctx.session,
            cache=ctx.cache,
            principal=learner,
            page=PageParams(offset=offset, limit=_PAGE),
        )
        for course in page.items:
            courses.rows.append(
                [
                    course.title,
                    round(course.percent_complete, 1),
                    course.completed,
                    course.completed_at,
                    course.completed_modules,
                    round(course.time_spent_seconds / 60, 1),
                    course.last_activity_at,
                ]
            )
        offset += _PAGE
        if offset >= page.total:
            break

    query = (
        select(QuizAttempt, ContentItem.title)
        .join(ContentItem, ContentItem.content_id == QuizAttempt.content_id)
        .where(QuizAttempt.user_id == learner_id)
        .order_by(QuizAttempt.submitted_at)
    )
    if ctx.since is not None:
        query = query.where(QuizAttempt.submitted_at >= ctx.since)
    if ctx.until is not None:
        query = query.where(QuizAttempt.submitted_at < ctx.until)
    attempts = Table(
        "Quiz attempts", ["Quiz", "Attempt", "Submitted at", "Score", "Passed", "Seconds"]
    )
    for attempt, title in (await ctx.session.execute(query)).all():
        attempts.rows.append(
            [
                title,
                attempt.attempt_number,
                attempt.submitted_at,
                round(attempt.score, 3),
                attempt.passed,
                attempt.duration_seconds,
            ]
        )
    who = ctx.who(user.user_id, user.display_name, user.email)
    chart = Chart(
        "Percent complete per course",
        "bar",
        [str(row[0])[:20] for row in courses.rows],
        [float(row[1]) for row in courses.rows],  # type: ignore[arg-type]
    )
    return ReportDocument(
        title="Learner transcript",
        facts=ctx.facts(("Learner", " / ".join(who))),
        tables=[courses, attempts],
        charts=[chart] if courses.rows else [],
    )


async def _per_day(
    ctx: BuildContext, column: InstrumentedAttribute[datetime], since: datetime, until: datetime
) -> dict[date, int]:
    # date() is a function on SQLite and a cast on PostgreSQL: the one spelling both accept.
    day = func.date(column)
    rows = await ctx.session.execute(
        select(day, func.count()).where(column >= since, column < until).group_by(day)
    )
    return {_as_date(value): count for value, count in rows.all()}


def _as_date(value: date | str) -> date:
    # SQLite returns the day as text.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def platform_summary(ctx: BuildContext) -> ReportDocument:
    """Platform totals, activity per week, and enrollments per course (small ones suppressed)."""
    since, until = ctx.since, ctx.until
    assert since is not None and until is not None  # the request fills in the default period
    session = ctx.session
    users = await session.scalar(select(func.count()).select_from(User)) or 0
    published = await session.scalar(select(func.count()).where(Course.status == "published")) or 0
    new_users = await _per_day(ctx, User.created_at, since, until)
    enrollments = await _per_day(ctx, Enrollment.enrolled_at, since, until)
    attempts = await _per_day(ctx, QuizAttempt.submitted_at, since, until)
    completions = await _per_day(ctx, UserProgress.completed_at, since, until)
    learning = await session.execute(
        select(LearningDay.day, func.count(), func.sum(LearningDay.seconds))
        .where(LearningDay.day >= since.date(), LearningDay.day < until.date())
        .group_by(LearningDay.day)
    )
    active: dict[date, int] = defaultdict(int)
    minutes: dict[date, float] = defaultdict(float)
    for day, learners, seconds in learning.all():
        active[week_of(day)] += learners
        minutes[week_of(day)] += (seconds or 0) / 60

    weeks = Table(
        "Per week",
        [
            "Week of",
            "New users",
            "Enrollments",
            "Quiz attempts",
            "Items completed",
            "Learner-days active",
            "Minutes learned",
        ],
    )
    week = week_of(since.date())
    while week < until.date():
        days = [week + timedelta(days=n) for n in range(7)]
        weeks.rows.append(
            [
                week,
                sum(new_users.get(d, 0) for d in days),
                sum(enrollments.get(d, 0) for d in days),
                sum(attempts.get(d, 0) for d in days),
                sum(completions.get(d, 0) for d in days),
                active.get(week, 0),
                round(minutes.get(week, 0.0), 1),
            ]
        )
        week += timedelta(days=7)

    per_course = Table("Courses", ["Course", "Status", "Enrollments in the period"])
    enrolled = await session.execute(
        select(Course.title, Course.status, func.count(Enrollment.enrollment_id))
        .outerjoin(
            Enrollment,
            (Enrollment.course_id == Course.course_id)
            & (Enrollment.enrolled_at >= since)
            & (Enrollment.enrolled_at < until),
        )
        .group_by(Course.course_id, Course.title, Course.status)
        .order_by(func.count(Enrollment.enrollment_id).desc(), Course.title)
    )
    for title, status, count in enrolled.all():
        if small(count, ctx.k):
            per_course.rows.append([title, status, SUPPRESSED])
            per_course.note = f"Counts from 1 to {ctx.k - 1} are suppressed."
        else:
            per_course.rows.append([title, status, count])
    chart = Chart(
        "Enrollments per week",
        "line",
        [str(row[0]) for row in weeks.rows],
        [float(row[2]) for row in weeks.rows],  # type: ignore[arg-type]
    )
    return ReportDocument(
        title="Platform summary",
        facts=ctx.facts(("Users", str(users)), ("Published courses", str(published))),
        tables=[weeks, per_course],
        charts=[chart],
    )
