"""The achievement rule engine, pure: which rules an event makes due, streaks, levels.

Nothing here touches the database; ``achievement_service`` gathers the facts and metrics,
asks this module what is due and records the awards.
"""

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from learnwise.progress.achievement_rules import (
    LEVEL_XP_STEP,
    RULES,
    AchievementRule,
    AtLeast,
    Condition,
    Metric,
    Scalar,
)

Facts = Mapping[str, Any]
Metrics = Mapping[Metric, float]


@dataclass(frozen=True, slots=True)
class DueAward:
    rule: AchievementRule
    award_key: str


def rules_for(event_type: str, rules: Iterable[AchievementRule] = RULES) -> list[AchievementRule]:
    return [rule for rule in rules if event_type in rule.event_types]


def needed_metrics(rules: Iterable[AchievementRule]) -> set[Metric]:
    return {rule.condition.metric for rule in rules if rule.condition.metric is not None}


def _field_matches(expected: Scalar | AtLeast, actual: Any) -> bool:
    if isinstance(expected, AtLeast):
        return (
            isinstance(actual, int | float)
            and not isinstance(actual, bool)
            and actual >= expected.gte
        )
    # bool is an int: True must not match 1, nor 1.0 match True.
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual is expected
    return actual == expected


def event_matches(condition: Condition, facts: Facts) -> bool:
    """Whether the event's fields satisfy the condition's ``where``."""
    return all(
        name in facts and _field_matches(expected, facts[name])
        for name, expected in condition.where.items()
    )


def metric_reached(condition: Condition, metrics: Metrics) -> bool:
    if condition.metric is None or condition.gte is None:
        return True
    return metrics.get(condition.metric, 0) >= condition.gte


def award_key(rule: AchievementRule, facts: Facts) -> str | None:
    """The rule's key for this event, or None when the event lacks a field the key names."""
    fields = [f for _, f, _, _ in string.Formatter().parse(rule.award_key) if f is not None]
    if any(facts.get(name) in (None, "") for name in fields):
        return None
    return rule.award_key.format_map({name: str(facts[name]) for name in fields})


def due_awards(rules: Iterable[AchievementRule], facts: Facts, metrics: Metrics) -> list[DueAward]:
    """The awards the event makes due, given the learner's metrics (those already earned are
    not filtered out: the database's unique constraint does that, race-free)."""
    due = []
    for rule in rules:
        if not (event_matches(rule.condition, facts) and metric_reached(rule.condition, metrics)):
            continue
        key = award_key(rule, facts)
        if key is not None:
            due.append(DueAward(rule, key))
    return due


# Streaks ------------------------------------------------------------------------------------


def current_streak(days: Iterable[date], today: date) -> int:
    """Consecutive days learned ending today, or yesterday: a streak is not broken until a
    whole day of the learner's calendar has passed without learning."""
    learned = set(days)
    day = today if today in learned else today - timedelta(days=1)
    streak = 0
    while day in learned:
        streak += 1
        day -= timedelta(days=1)
    return streak


def longest_streak(days: Iterable[date]) -> int:
    longest = run = 0
    previous: date | None = None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    return longest


# Levels -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Level:
    level: int
    starts_at: int  # the XP at which this level starts
    next_at: int  # the XP at which the next one starts


def level_start(level: int) -> int:
    return LEVEL_XP_STEP * level * (level - 1) // 2


def level_for(xp: int) -> Level:
    if xp < 0:
        raise ValueError("XP is never negative")
    level = 1
    while level_start(level + 1) <= xp:
        level += 1
    return Level(level, level_start(level), level_start(level + 1))
