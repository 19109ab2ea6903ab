"""Achievements: evaluating the rules on domain events, and the learner's achievements, XP and
streak.

Awarding is an INSERT that does nothing on conflict with the unique (user_id, type, award_key)
constraint: when qualifying events race, exactly one insert wins, and only the winner records
the ``achievement.awarded`` event that tells the learner.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.db import new_id, utcnow
from learnwise.platform import events
from learnwise.platform.events import EventType
from learnwise.platform.models import OutboxEvent
from learnwise.progress import achievements
from learnwise.progress.achievement_exceptions import AchievementNotFound
from learnwise.progress.achievement_rules import (
    COURSE_COMPLETED,
    MODULE_COMPLETED,
    RULES,
    XP_PER_COMPLETED_ITEM,
    AchievementRule,
    Metric,
)
from learnwise.progress.achievements import DueAward, Level
from learnwise.progress.models import Achievement, LearningDay, QuizAttempt, UserProgress
from learnwise.users import service as users_service

# The fields of an event worth keeping with the award it caused.
_CONTEXT_FIELDS = ("course_id", "module_id", "content_id", "attempt_id")


def event_facts(event: OutboxEvent) -> dict[str, Any]:
    """What rules see of an event: its payload, plus the course it is about."""
    facts = dict(event.payload or {})
    if event.course_id is not None:
        facts.setdefault("course_id", str(event.course_id))
    return facts


# Metrics ------------------------------------------------------------------------------------


async def learner_time_zone(*, session: AsyncSession, user_id: uuid.UUID) -> str:
    settings = await users_service.get_settings(session=session, user_id=user_id)
    return settings.learning_preferences.get("time_zone") or "UTC"


def day_in(time_zone: str, moment: datetime) -> date:
    """The learner's calendar day at that moment."""
    return moment.astimezone(ZoneInfo(time_zone)).date()


async def _learning_days(session: AsyncSession, user_id: uuid.UUID) -> list[date]:
    found = await session.scalars(
        select(LearningDay.day).where(
            LearningDay.user_id == user_id,
            or_(LearningDay.seconds > 0, LearningDay.items_completed > 0),
        )
    )
    return list(found)


async def _count(session: AsyncSession, statement: Any) -> float:
    return float(await session.scalar(statement) or 0)


async def _metric(session: AsyncSession, user_id: uuid.UUID, metric: Metric, today: date) -> float:
    match metric:
        case "items_completed":
            return await _count(
                session,
                select(func.count()).where(
                    UserProgress.user_id == user_id, UserProgress.completed_at.is_not(None)
                ),
            )
        case "quizzes_passed" | "perfect_quizzes":
            qualifies = QuizAttempt.passed if metric == "quizzes_passed" else QuizAttempt.score >= 1
            return await _count(
                session,
                select(func.count(distinct(QuizAttempt.content_id))).where(
                    QuizAttempt.user_id == user_id, qualifies
                ),
            )
        case "modules_completed" | "courses_completed":
            kind = MODULE_COMPLETED if metric == "modules_completed" else COURSE_COMPLETED
            return await _count(
                session,
                select(func.count()).where(
                    Achievement.user_id == user_id, Achievement.type == kind
                ),
            )
        case "streak_days":
            days = await _learning_days(session, user_id)
            return float(achievements.current_streak(days, today))
        case "days_learned":
            return float(len(await _learning_days(session, user_id)))
        case "hours_learned":
            seconds = await _count(
                session,
                select(func.sum(LearningDay.seconds)).where(LearningDay.user_id == user_id),
            )
            return round(seconds / 3600, 2)


async def compute_metrics(
    *, session: AsyncSession, user_id: uuid.UUID, wanted: set[Metric], today: date
) -> dict[Metric, float]:
    return {metric: await _metric(session, user_id, metric, today) for metric in sorted(wanted)}


# Awarding -----------------------------------------------------------------------------------


async def _earned_keys(session: AsyncSession, user_id: uuid.UUID) -> set[tuple[str, str]]:
    rows = await session.execute(
        select(Achievement.type, Achievement.award_key).where(Achievement.user_id == user_id)
    )
    return {(kind, key) for kind, key in rows}


def _not_yet_earned(
    rules: list[AchievementRule], facts: dict[str, Any], earned: set[tuple[str, str]]
) -> list[AchievementRule]:
    """Skips what was earned already, so that frequent events (progress heartbeats) cost no
    metric queries once their awards are in; races are still decided by the constraint."""
    return [
        rule
        for rule in rules
        if (key := achievements.award_key(rule, facts)) is not None
        and (rule.type, key) not in earned
    ]


async def _insert_once(session: AsyncSession, values: dict[str, Any]) -> Achievement | None:
    """Inserts the award unless (user_id, type, award_key) exists; None if it did."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Achievement)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["user_id", "type", "award_key"])
        .returning(Achievement)
    )
    return (await session.scalars(statement)).one_or_none()


async def _award(
    session: AsyncSession, event: OutboxEvent, due: DueAward, details: dict[str, Any]
) -> Achievement | None:
    assert event.user_id is not None
    rule = due.rule
    achievement = await _insert_once(
        session,
        {
            "achievement_id": new_id(),
            "user_id": event.user_id,
            "type": rule.type,
            "award_key": due.award_key,
            "xp": rule.xp,
            "metadata_": details,
            "awarded_at": utcnow(),
        },
    )
    if achievement is None:
        return None
    await events.record(
        session=session,
        type=EventType.ACHIEVEMENT_AWARDED,
        user_id=event.user_id,
        course_id=event.course_id,
        payload={
            "achievement_id": str(achievement.achievement_id),
            "type": rule.type,
            "title": rule.title,
            "description": rule.description,
            "xp": rule.xp,
            "award_key": due.award_key,
        },
    )
    return achievement


async def evaluate(*, session: AsyncSession, event: OutboxEvent) -> list[Achievement]:
    """Awards what the event makes due, each at most once; returns the awards it made."""
    rules = achievements.rules_for(event.type)
    if event.user_id is None or not rules:
        return []
    facts = event_facts(event)
    rules = _not_yet_earned(rules, facts, await _earned_keys(session, event.user_id))
    rules = [rule for rule in rules if achievements.event_matches(rule.condition, facts)]
    context = {name: facts[name] for name in _CONTEXT_FIELDS if name in facts}
    context |= {"event_id": str(event.event_id), "event_type": event.type}

    awarded = []
    # Awards that need no metric first: some metrics count them (courses completed).
    for due in achievements.due_awards(
        [rule for rule in rules if rule.condition.metric is None], facts, {}
    ):
        if achievement := await _award(session, event, due, context):
            awarded.append(achievement)

    measured = [rule for rule in rules if rule.condition.metric is not None]
    if measured:
        time_zone = await learner_time_zone(session=session, user_id=event.user_id)
        metrics = await compute_metrics(
            session=session,
            user_id=event.user_id,
            wanted=achievements.needed_metrics(measured),
            today=day_in(time_zone, event.occurred_at),
        )
        for due in achievements.due_awards(measured, facts, metrics):
            metric = due.rule.condition.metric
            assert metric is not None
            details = context | {"metric": metric, "value": metrics[metric]}
            if achievement := await _award(session, event, due, details):
                awarded.append(achievement)
    return awarded


# The learner's view -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleStatus:
    rule: AchievementRule
    earned: list[Achievement]
    current: float | None  # the metric's value, for rules with a metric


@dataclass(frozen=True, slots=True)
class Summary:
    xp: int
    level: Level
    current_streak_days: int
    longest_streak_days: int
    days_learned: int
    hours_learned: float
    items_completed: int
    achievements_earned: int
    time_zone: str
    today: date


async def _earned(session: AsyncSession, user_id: uuid.UUID) -> list[Achievement]:
    found = await session.scalars(
        select(Achievement)
        .where(Achievement.user_id == user_id)
        .order_by(Achievement.awarded_at.desc(), Achievement.achievement_id)
    )
    return list(found)


async def my_achievements(
    *, session: AsyncSession, user_id: uuid.UUID
) -> tuple[list[Achievement], list[RuleStatus]]:
    """What the learner earned, newest first, and every rule with their progress toward it."""
    earned = await _earned(session, user_id)
    time_zone = await learner_time_zone(session=session, user_id=user_id)
    metrics = await compute_metrics(
        session=session,
        user_id=user_id,
        wanted=achievements.needed_metrics(RULES),
        today=day_in(time_zone, utcnow()),
    )
    statuses = [
        RuleStatus(
            rule=rule,
            earned=[a for a in earned if a.type == rule.type],
            current=metrics[rule.condition.metric] if rule.condition.metric else None,
        )
        for rule in RULES
    ]
    return earned, statuses


async def summary(*, session: AsyncSession, user_id: uuid.UUID) -> Summary:
    """XP, level, streaks and time learned, the streak counted in the learner's time zone."""
    time_zone = await learner_time_zone(session=session, user_id=user_id)
    today = day_in(time_zone, utcnow())
    days = await _learning_days(session, user_id)
    metrics = await compute_metrics(
        session=session,
        user_id=user_id,
        wanted={"items_completed", "hours_learned"},
        today=today,
    )
    achievement_xp, achievement_count = (
        await session.execute(
            select(func.coalesce(func.sum(Achievement.xp), 0), func.count()).where(
                Achievement.user_id == user_id
            )
        )
    ).one()
    items_completed = int(metrics["items_completed"])
    xp = int(achievement_xp) + XP_PER_COMPLETED_ITEM * items_completed
    return Summary(
        xp=xp,
        level=achievements.level_for(xp),
        current_streak_days=achievements.current_streak(days, today),
        longest_streak_days=achievements.longest_streak(days),
        days_learned=len(days),
        hours_learned=metrics["hours_learned"],
        items_completed=items_completed,
        achievements_earned=int(achievement_count),
        time_zone=time_zone,
        today=today,
    )


async def get_own_achievement(
    *, session: AsyncSession, user_id: uuid.UUID, achievement_id: uuid.UUID
) -> Achievement:
    achievement = await session.get(Achievement, achievement_id)
    if achievement is None or achievement.user_id != user_id:
        raise AchievementNotFound("No such achievement of yours.")
    return achievement
