"""A learner's own analytics (GET /analytics/user-progress), read from their rollups only."""

import uuid
from collections import defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.analytics.exceptions import LearnerAnalyticsDenied
from learnwise.analytics.models import CourseLearner, LearnerDay, LearnerSummary, SkillDay
from learnwise.analytics.rollups import week_start
from learnwise.analytics.schemas import (
    CourseGoal,
    DayFigures,
    GoalProgress,
    SkillPerformance,
    SkillWeek,
    Streak,
    Totals,
    UserProgressRead,
    WeekFigures,
)
from learnwise.auth import service as auth_service
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.content.models import Skill
from learnwise.db import utcnow
from learnwise.users import service as users_service

_DAY_FIELDS = ("seconds", "items_completed", "courses_completed", "quiz_attempts")


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def check_may_read(principal: Principal, user_id: uuid.UUID) -> None:
    if user_id != principal.user_id and not principal.can(Permission.ANALYTICS_PLATFORM):
        raise LearnerAnalyticsDenied("You may only see your own learning analytics.")


async def _days(
    session: AsyncSession, user_id: uuid.UUID, first: date, last: date
) -> list[DayFigures]:
    rows = await session.execute(
        select(LearnerDay.day, *(func.sum(getattr(LearnerDay, f)) for f in _DAY_FIELDS))
        .where(LearnerDay.user_id == user_id, LearnerDay.day.between(first, last))
        .group_by(LearnerDay.day)
        .order_by(LearnerDay.day)
    )
    return [
        DayFigures(
            day=row[0], **{f: int(v or 0) for f, v in zip(_DAY_FIELDS, row[1:], strict=True)}
        )
        for row in rows
    ]


def _weeks(days: list[DayFigures]) -> list[WeekFigures]:
    weeks: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_DAY_FIELDS, 0))
    for figures in days:
        totals = weeks[week_start(figures.day)]
        for field in _DAY_FIELDS:
            totals[field] += getattr(figures, field)
    return [WeekFigures(week_start=start, **weeks[start]) for start in sorted(weeks)]


async def _skills(
    session: AsyncSession, user_id: uuid.UUID, first: date, last: date
) -> list[SkillPerformance]:
    rows = (
        await session.execute(
            select(SkillDay.skill_id, SkillDay.day, SkillDay.answered, SkillDay.correct).where(
                SkillDay.user_id == user_id, SkillDay.day.between(first, last)
            )
        )
    ).all()
    per_skill: dict[uuid.UUID, dict[date, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0])
    )
    for skill_id, day, answered, correct in rows:
        week = per_skill[skill_id][week_start(day)]
        week[0] += answered
        week[1] += correct
    names = (
        dict(
            (
                await session.execute(
                    select(Skill.skill_id, Skill.name).where(Skill.skill_id.in_(per_skill))
                )
            ).all()
        )
        if per_skill
        else {}
    )
    skills = []
    for skill_id, weeks in per_skill.items():
        answered = sum(a for a, _ in weeks.values())
        correct = sum(c for _, c in weeks.values())
        skills.append(
            SkillPerformance(
                skill_id=skill_id,
                name=names.get(skill_id),
                answered=answered,
                correct=correct,
                accuracy=_ratio(correct, answered),
                weeks=[
                    SkillWeek(week_start=start, answered=a, correct=c, accuracy=_ratio(c, a))
                    for start, (a, c) in sorted(weeks.items())
                ],
            )
        )
    return sorted(skills, key=lambda s: (s.name or "", str(s.skill_id)))


async def _goal(
    session: AsyncSession, user_id: uuid.UUID, preferences: dict, today: date
) -> GoalProgress:
    this_week = week_start(today)
    seconds = await session.scalar(
        select(func.coalesce(func.sum(LearnerDay.seconds), 0)).where(
            LearnerDay.user_id == user_id, LearnerDay.day.between(this_week, today)
        )
    )
    target = int(preferences.get("weekly_time_budget_minutes") or 0)
    minutes = int(seconds or 0) // 60
    course_goals = []
    for goal in preferences.get("goals") or []:
        if goal.get("kind") != "course":
            continue
        try:
            course_id = uuid.UUID(str(goal.get("value")))
        except ValueError:
            continue  # a course named by title: nothing to measure it by
        row = await session.get(CourseLearner, (course_id, user_id))
        course_goals.append(
            CourseGoal(
                course_id=course_id,
                target_date=goal.get("target_date"),
                completed=row is not None and row.completed_at is not None,
                items_completed=row.items_completed if row is not None else 0,
            )
        )
    return GoalProgress(
        weekly_minutes_target=target,
        minutes_this_week=minutes,
        fraction_of_weekly_target=round(minutes / target, 4) if target else None,
        courses=course_goals,
    )


async def user_progress(
    *, session: AsyncSession, principal: Principal, user_id: uuid.UUID, days: int
) -> UserProgressRead:
    check_may_read(principal, user_id)
    if user_id != principal.user_id:
        await auth_service.get_user(session=session, user_id=user_id)  # 404 if unknown
    settings = await users_service.get_settings(session=session, user_id=user_id)
    preferences = settings.learning_preferences or {}
    zone = str(preferences.get("time_zone") or "UTC")
    today = utcnow().astimezone(ZoneInfo(zone)).date()
    first = today - timedelta(days=days - 1)
    day_figures = await _days(session, user_id, first, today)
    summary = await session.get(LearnerSummary, user_id)
    current = 0
    # A streak not continued today or yesterday is over.
    if (
        summary is not None
        and summary.last_active_day is not None
        and (summary.last_active_day >= today - timedelta(days=1))
    ):
        current = summary.current_streak
    return UserProgressRead(
        user_id=user_id,
        time_zone=zone,
        from_day=first,
        to_day=today,
        days=day_figures,
        weeks=_weeks(day_figures),
        streak=Streak(
            current=current,
            longest=summary.longest_streak if summary else 0,
            last_active_day=summary.last_active_day if summary else None,
        ),
        totals=Totals(
            seconds=summary.seconds if summary else 0,
            items_completed=summary.items_completed if summary else 0,
            courses_completed=summary.courses_completed if summary else 0,
        ),
        skills=await _skills(session, user_id, first, today),
        goal=await _goal(session, user_id, preferences, today),
    )
