"""Every achievement, as data, in this one place; and how XP turns into levels.

A rule says which domain events may award it, when they do (its ``condition``) and what one
award is about (its ``award_key``):

- ``condition.where``: fields of the event (its payload, plus ``course_id``) that must match,
  each either a value (equal) or ``{"gte": n}`` (at least n);
- ``condition.metric`` / ``condition.gte``: one of the learner's metrics (``Metric``, computed
  from the database when the event is handled) that must be at least ``gte``;
- ``award_key``: a template over the event's fields, such as ``"{course_id}"``, for awards
  earned once per course; ``""`` for awards earned once in all.

Both parts of a condition must hold; a rule with an empty condition is earned by the event
itself. The unique (user_id, type, award_key) constraint makes each award happen once.

XP is the sum of the XP of the achievements earned plus ``XP_PER_COMPLETED_ITEM`` for every
content item completed. Level n starts at ``LEVEL_XP_STEP * n * (n - 1) / 2`` XP: each level
takes ``LEVEL_XP_STEP`` more XP than the one before (0, 100, 300, 600, 1000, ...).
"""

import string
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from learnwise.platform.events import EventType

XP_PER_COMPLETED_ITEM = 10
LEVEL_XP_STEP = 100

Metric = Literal[
    "items_completed",  # content items completed
    "quizzes_passed",  # distinct quizzes with a passing attempt
    "perfect_quizzes",  # distinct quizzes with an attempt scoring 100%
    "modules_completed",  # "module_completed" awards earned
    "courses_completed",  # "course_completed" awards earned
    "streak_days",  # consecutive days learned up to today or yesterday (learner's calendar)
    "days_learned",  # days with any learning
    "hours_learned",  # time spent learning, in hours
]

# Kept as awards, and counted by the modules_completed and courses_completed metrics.
MODULE_COMPLETED = "module_completed"
COURSE_COMPLETED = "course_completed"

Scalar = bool | int | float | str


class AtLeast(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    gte: float


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    where: dict[str, Scalar | AtLeast] = Field(default_factory=dict)
    metric: Metric | None = None
    gte: float | None = None

    @model_validator(mode="after")
    def _metric_needs_a_threshold(self) -> Self:
        if (self.metric is None) != (self.gte is None):
            raise ValueError("metric and gte go together")
        return self


RuleType = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,49}$")]


class AchievementRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: RuleType
    title: str
    description: str
    xp: int = Field(ge=0)
    event_types: frozenset[EventType] = Field(min_length=1)
    condition: Condition = Condition()
    award_key: str = ""

    @model_validator(mode="after")
    def _key_is_a_template_of_fields(self) -> Self:
        for _, field, spec, conversion in string.Formatter().parse(self.award_key):
            if field is not None and (not field.isidentifier() or spec or conversion):
                raise ValueError(f"award_key may only name fields: {self.award_key!r}")
        return self

    @property
    def per_key(self) -> bool:
        """Whether the rule is earned once per key (per course, per module) rather than once."""
        return bool(self.award_key)


_LEARNING = frozenset(
    {EventType.PROGRESS_RECORDED, EventType.ITEM_COMPLETED, EventType.QUIZ_SUBMITTED}
)


def _streak(days: int, xp: int, title: str) -> AchievementRule:
    return AchievementRule(
        type=f"streak_{days}_days",
        title=title,
        description=f"Learn on {days} days in a row.",
        xp=xp,
        event_types=_LEARNING,
        condition=Condition(metric="streak_days", gte=days),
    )


def _hours(hours: int, xp: int, title: str) -> AchievementRule:
    return AchievementRule(
        type=f"hours_learned_{hours}",
        title=title,
        description=f"Spend {hours} hour{'s' if hours > 1 else ''} learning.",
        xp=xp,
        event_types=_LEARNING,
        condition=Condition(metric="hours_learned", gte=hours),
    )


RULES: tuple[AchievementRule, ...] = (
    AchievementRule(
        type="first_lesson",
        title="First lesson",
        description="Complete your first lesson.",
        xp=10,
        event_types=frozenset({EventType.ITEM_COMPLETED}),
        condition=Condition(where={"item_type": "lesson"}),
    ),
    AchievementRule(
        type="items_completed_10",
        title="Getting into it",
        description="Complete 10 learning items.",
        xp=25,
        event_types=frozenset({EventType.ITEM_COMPLETED}),
        condition=Condition(metric="items_completed", gte=10),
    ),
    AchievementRule(
        type="items_completed_100",
        title="Centurion",
        description="Complete 100 learning items.",
        xp=150,
        event_types=frozenset({EventType.ITEM_COMPLETED}),
        condition=Condition(metric="items_completed", gte=100),
    ),
    AchievementRule(
        type="first_quiz_passed",
        title="Quiz passed",
        description="Pass your first quiz.",
        xp=10,
        event_types=frozenset({EventType.QUIZ_SUBMITTED}),
        condition=Condition(where={"passed": True}),
    ),
    AchievementRule(
        type="perfect_quiz",
        title="Perfect score",
        description="Answer every question of a quiz correctly.",
        xp=25,
        event_types=frozenset({EventType.QUIZ_SUBMITTED}),
        condition=Condition(where={"score": AtLeast(gte=1.0)}),
    ),
    AchievementRule(
        type="perfect_quizzes_5",
        title="Sharpshooter",
        description="Score 100% on 5 different quizzes.",
        xp=75,
        event_types=frozenset({EventType.QUIZ_SUBMITTED}),
        condition=Condition(where={"score": AtLeast(gte=1.0)}, metric="perfect_quizzes", gte=5),
    ),
    AchievementRule(
        type=MODULE_COMPLETED,
        title="Module completed",
        description="Complete every required item of a module (earned once per module).",
        xp=20,
        event_types=frozenset({EventType.MODULE_COMPLETED}),
        award_key="{module_id}",
    ),
    AchievementRule(
        type=COURSE_COMPLETED,
        title="Course completed",
        description="Complete a course (earned once per course).",
        xp=100,
        event_types=frozenset({EventType.COURSE_COMPLETED}),
        award_key="{course_id}",
    ),
    AchievementRule(
        type="courses_completed_3",
        title="Scholar",
        description="Complete 3 courses.",
        xp=150,
        event_types=frozenset({EventType.COURSE_COMPLETED}),
        condition=Condition(metric="courses_completed", gte=3),
    ),
    _streak(3, 15, "On a roll"),
    _streak(7, 50, "Week streak"),
    _streak(30, 200, "Month streak"),
    _hours(1, 10, "First hour"),
    _hours(10, 50, "Ten hours"),
    _hours(100, 250, "Hundred hours"),
)

RULES_BY_TYPE: dict[str, AchievementRule] = {rule.type: rule for rule in RULES}
if len(RULES_BY_TYPE) != len(RULES):
    raise ValueError("two achievement rules share a type")

EVENT_TYPES: frozenset[EventType] = frozenset().union(*(rule.event_types for rule in RULES))
