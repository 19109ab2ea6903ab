"""The rule engine, pure: conditions, award keys, streaks and levels, and the rules' data."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from learnwise.platform.events import EventType
from learnwise.progress import achievements
from learnwise.progress.achievement_rules import (
    EVENT_TYPES,
    RULES,
    RULES_BY_TYPE,
    AchievementRule,
    AtLeast,
    Condition,
)

COURSE = "6f1c2a54-0a4e-4c47-9a52-0e4b7c1f1a11"
MODULE = "0b7e3c2d-5e1f-4f0a-8a3b-2c1d0e9f8a77"


def due_types(event_type: str, facts: dict, metrics: dict | None = None) -> dict[str, str]:
    rules = achievements.rules_for(event_type)
    return {
        due.rule.type: due.award_key for due in achievements.due_awards(rules, facts, metrics or {})
    }


# The rules as data --------------------------------------------------------------------------


def test_every_rule_has_a_unique_type_and_listens_to_known_events() -> None:
    assert len({rule.type for rule in RULES}) == len(RULES)
    assert set(RULES_BY_TYPE) == {rule.type for rule in RULES}
    assert set(EventType) >= EVENT_TYPES
    assert EventType.ACHIEVEMENT_AWARDED not in EVENT_TYPES  # awards never cause awards


def test_the_issue_s_achievements_are_all_there() -> None:
    for kind in (
        "first_lesson",
        "module_completed",
        "course_completed",
        "perfect_quiz",
        "streak_3_days",
        "streak_7_days",
        "streak_30_days",
        "hours_learned_10",
    ):
        assert kind in RULES_BY_TYPE


def test_a_rule_is_validated_when_it_is_written() -> None:
    with pytest.raises(ValidationError, match="metric and gte go together"):
        Condition(metric="streak_days")
    with pytest.raises(ValidationError):
        Condition(metric="lines_of_code", gte=1)
    with pytest.raises(ValidationError, match="award_key may only name fields"):
        AchievementRule(
            type="x",
            title="X",
            description="",
            xp=1,
            event_types=frozenset({EventType.ITEM_COMPLETED}),
            award_key="{course_id!r}",
        )
    with pytest.raises(ValidationError):
        AchievementRule(type="Bad Type", title="X", description="", xp=1, event_types=frozenset())


# Conditions ---------------------------------------------------------------------------------


def test_first_lesson_needs_a_lesson_completed() -> None:
    assert due_types("item.completed", {"item_type": "lesson"})["first_lesson"] == ""
    assert "first_lesson" not in due_types("item.completed", {"item_type": "video"})
    assert "first_lesson" not in due_types("item.completed", {})


def test_perfect_quiz_needs_a_full_score() -> None:
    assert "perfect_quiz" not in due_types("quiz.submitted", {"score": 0.99, "passed": True})
    assert "perfect_quiz" in due_types("quiz.submitted", {"score": 1.0, "passed": True})
    assert "perfect_quiz" in due_types("quiz.submitted", {"score": 1, "passed": True})
    assert "perfect_quiz" not in due_types("quiz.submitted", {"passed": True})  # no score
    assert "perfect_quiz" not in due_types("quiz.submitted", {"score": "1.0"})
    assert "perfect_quiz" not in due_types("quiz.submitted", {"score": True})


def test_a_passed_quiz_needs_passed_to_be_true_not_truthy() -> None:
    assert "first_quiz_passed" in due_types("quiz.submitted", {"score": 0.8, "passed": True})
    assert "first_quiz_passed" not in due_types("quiz.submitted", {"score": 0.8, "passed": 1})
    assert "first_quiz_passed" not in due_types("quiz.submitted", {"score": 0.2, "passed": False})


def test_where_and_metric_must_both_hold() -> None:
    facts = {"score": 1.0, "passed": True}
    assert "perfect_quizzes_5" not in due_types("quiz.submitted", facts, {"perfect_quizzes": 4})
    assert "perfect_quizzes_5" in due_types("quiz.submitted", facts, {"perfect_quizzes": 5})
    failed = {"score": 0.5, "passed": False}
    assert "perfect_quizzes_5" not in due_types("quiz.submitted", failed, {"perfect_quizzes": 9})


@pytest.mark.parametrize(
    ("streak", "expected"),
    [
        (2, set()),
        (3, {"streak_3_days"}),
        (7, {"streak_3_days", "streak_7_days"}),
        (29, {"streak_3_days", "streak_7_days"}),
        (30, {"streak_3_days", "streak_7_days", "streak_30_days"}),
    ],
)
def test_streak_awards_at_3_7_and_30_days(streak: int, expected: set[str]) -> None:
    due = due_types("progress.recorded", {}, {"streak_days": streak, "hours_learned": 0})
    assert {kind for kind in due if kind.startswith("streak_")} == expected


def test_hours_learned_awards() -> None:
    due = due_types("progress.recorded", {}, {"streak_days": 0, "hours_learned": 10.0})
    assert {"hours_learned_1", "hours_learned_10"} <= set(due)
    assert "hours_learned_100" not in due
    assert "hours_learned_1" not in due_types("progress.recorded", {}, {"hours_learned": 0.99})


def test_module_and_course_completion_are_earned_once_per_module_and_course() -> None:
    assert due_types("module.completed", {"module_id": MODULE, "course_id": COURSE}) == {
        "module_completed": MODULE
    }
    assert due_types("course.completed", {"course_id": COURSE}, {"courses_completed": 1}) == {
        "course_completed": COURSE
    }
    assert due_types("course.completed", {"course_id": COURSE}, {"courses_completed": 3}) == {
        "course_completed": COURSE,
        "courses_completed_3": "",
    }


def test_an_event_without_the_key_s_field_awards_nothing_per_key() -> None:
    assert due_types("module.completed", {"course_id": COURSE}) == {}
    assert due_types("module.completed", {"module_id": ""}) == {}


def test_events_no_rule_listens_to_award_nothing() -> None:
    assert achievements.rules_for("achievement.awarded") == []
    assert achievements.rules_for("course.enrolled") == []


def test_needed_metrics_are_only_those_of_the_rules_given() -> None:
    assert achievements.needed_metrics(achievements.rules_for("course.completed")) == {
        "courses_completed"
    }
    assert achievements.needed_metrics(achievements.rules_for("module.completed")) == set()


def test_a_missing_metric_counts_as_zero() -> None:
    condition = Condition(metric="hours_learned", gte=1)
    assert not achievements.metric_reached(condition, {})
    assert achievements.metric_reached(Condition(), {})


def test_at_least_compares_numbers_only() -> None:
    condition = Condition(where={"score": AtLeast(gte=0.5)})
    assert achievements.event_matches(condition, {"score": 0.5})
    assert not achievements.event_matches(condition, {"score": None})
    assert not achievements.event_matches(condition, {})


# Streaks ------------------------------------------------------------------------------------

TODAY = date(2026, 3, 11)


def days_back(*offsets: int) -> list[date]:
    return [TODAY - timedelta(days=offset) for offset in offsets]


def test_a_streak_counts_consecutive_days_up_to_today() -> None:
    assert achievements.current_streak(days_back(0, 1, 2), TODAY) == 3


def test_a_streak_is_unbroken_until_a_whole_day_passes_without_learning() -> None:
    assert achievements.current_streak(days_back(1, 2, 3), TODAY) == 3
    assert achievements.current_streak(days_back(2, 3, 4), TODAY) == 0


def test_a_gap_ends_a_streak() -> None:
    assert achievements.current_streak(days_back(0, 1, 3, 4, 5, 6), TODAY) == 2
    assert achievements.longest_streak(days_back(0, 1, 3, 4, 5, 6)) == 4


def test_no_days_no_streak() -> None:
    assert achievements.current_streak([], TODAY) == 0
    assert achievements.longest_streak([]) == 0


def test_streaks_cross_month_and_year_ends() -> None:
    days = [date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 1)]
    assert achievements.current_streak(days, date(2026, 1, 2)) == 3
    assert achievements.longest_streak(days) == 3


@given(st.lists(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)), max_size=60))
def test_the_current_streak_never_exceeds_the_longest(days: list[date]) -> None:
    today = max(days, default=TODAY)
    assert achievements.current_streak(days, today) <= achievements.longest_streak(days)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 1, 1)), st.integers(1, 400))
def test_a_run_of_n_days_is_a_streak_of_n(start: date, length: int) -> None:
    days = [start + timedelta(days=i) for i in range(length)]
    last = days[-1]
    assert achievements.longest_streak(days) == length
    assert achievements.current_streak(days, last) == length
    assert achievements.current_streak(days, last + timedelta(days=1)) == length
    assert achievements.current_streak(days, last + timedelta(days=2)) == 0


# Levels -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("xp", "level", "starts_at", "next_at"),
    [
        (0, 1, 0, 100),
        (99, 1, 0, 100),
        (100, 2, 100, 300),
        (299, 2, 100, 300),
        (1000, 5, 1000, 1500),
    ],
)
def test_levels(xp: int, level: int, starts_at: int, next_at: int) -> None:
    assert achievements.level_for(xp) == achievements.Level(level, starts_at, next_at)


@given(st.integers(0, 10_000_000))
def test_xp_always_falls_inside_its_level(xp: int) -> None:
    found = achievements.level_for(xp)
    assert found.starts_at <= xp < found.next_at
    assert found.next_at - found.starts_at == 100 * found.level


def test_negative_xp_is_a_bug() -> None:
    with pytest.raises(ValueError, match="never negative"):
        achievements.level_for(-1)
