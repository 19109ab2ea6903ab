"""Achievement schemas: the rules, a learner's achievements and their summary."""

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from learnwise.progress.achievement_rules import RULES_BY_TYPE, AchievementRule, Condition, Metric
from learnwise.progress.achievement_service import RuleStatus, Summary
from learnwise.progress.models import Achievement


class AchievementRuleRead(BaseModel):
    type: str
    title: str
    description: str
    xp: int
    event_types: list[str]
    condition: Condition
    # "" when earned once; otherwise the template of what it is earned once per ("{course_id}").
    award_key: str

    @classmethod
    def of(cls, rule: AchievementRule) -> "AchievementRuleRead":
        return cls(
            type=rule.type,
            title=rule.title,
            description=rule.description,
            xp=rule.xp,
            event_types=sorted(rule.event_types),
            condition=rule.condition,
            award_key=rule.award_key,
        )


class AchievementRead(BaseModel):
    achievement_id: uuid.UUID
    type: str
    title: str
    description: str
    # What it was earned for (a course or module id), "" for one-off awards.
    award_key: str
    xp: int
    awarded_at: datetime
    details: dict[str, Any]

    @classmethod
    def of(cls, achievement: Achievement) -> "AchievementRead":
        rule = RULES_BY_TYPE.get(achievement.type)
        return cls(
            achievement_id=achievement.achievement_id,
            type=achievement.type,
            title=rule.title if rule else achievement.type,
            description=rule.description if rule else "",
            award_key=achievement.award_key,
            xp=achievement.xp,
            awarded_at=achievement.awarded_at,
            details=achievement.metadata_,
        )


class RuleProgress(BaseModel):
    metric: Metric
    current: float
    target: float
    fraction: float  # current / target, at most 1


class RuleStatusRead(BaseModel):
    type: str
    title: str
    description: str
    xp: int
    per_key: bool  # earned once per course or module rather than once
    earned: bool
    times_earned: int
    last_awarded_at: datetime | None
    # Toward rules measured by a metric (streaks, hours, counts); None for the others.
    progress: RuleProgress | None

    @classmethod
    def of(cls, status: RuleStatus) -> "RuleStatusRead":
        rule, condition = status.rule, status.rule.condition
        progress = None
        if condition.metric is not None and condition.gte and status.current is not None:
            progress = RuleProgress(
                metric=condition.metric,
                current=status.current,
                target=condition.gte,
                fraction=round(min(1.0, status.current / condition.gte), 4),
            )
        return cls(
            type=rule.type,
            title=rule.title,
            description=rule.description,
            xp=rule.xp,
            per_key=rule.per_key,
            earned=bool(status.earned),
            times_earned=len(status.earned),
            last_awarded_at=max((a.awarded_at for a in status.earned), default=None),
            progress=progress,
        )


class MyAchievements(BaseModel):
    earned: list[AchievementRead]  # newest first
    rules: list[RuleStatusRead]  # every rule, in the order of the rules


class AchievementSummary(BaseModel):
    """XP is the achievements' XP plus a fixed XP per completed item (see achievement_rules);
    streaks and "today" are in the learner's time zone."""

    xp: int
    level: int
    level_starts_at: int
    next_level_at: int
    current_streak_days: int
    longest_streak_days: int
    days_learned: int
    hours_learned: float
    items_completed: int
    achievements_earned: int
    time_zone: str
    today: date

    @classmethod
    def of(cls, summary: Summary) -> "AchievementSummary":
        return cls(
            xp=summary.xp,
            level=summary.level.level,
            level_starts_at=summary.level.starts_at,
            next_level_at=summary.level.next_at,
            current_streak_days=summary.current_streak_days,
            longest_streak_days=summary.longest_streak_days,
            days_learned=summary.days_learned,
            hours_learned=summary.hours_learned,
            items_completed=summary.items_completed,
            achievements_earned=summary.achievements_earned,
            time_zone=summary.time_zone,
            today=summary.today,
        )


class BadgeRead(BaseModel):
    """An achievement as an Open Badges 3.0 OpenBadgeCredential, and the same credential signed
    as a VC-JWT (EdDSA; the public key is in its header and in the badges' JWKS)."""

    credential: dict[str, Any]
    jwt: str
