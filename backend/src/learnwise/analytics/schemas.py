"""What the analytics endpoints answer (client events are in event_schemas)."""

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from learnwise.ai.usage import AiUsage


class DayFigures(BaseModel):
    day: date
    seconds: int
    items_completed: int
    courses_completed: int
    quiz_attempts: int


class WeekFigures(BaseModel):
    week_start: date = Field(description="The Monday of the ISO week.")
    seconds: int
    items_completed: int
    courses_completed: int
    quiz_attempts: int


class Streak(BaseModel):
    current: int = Field(description="Days in a row with activity, ending today or yesterday.")
    longest: int
    last_active_day: date | None


class Totals(BaseModel):
    seconds: int
    items_completed: int
    courses_completed: int


class SkillWeek(BaseModel):
    week_start: date
    answered: int
    correct: int
    accuracy: float | None


class SkillPerformance(BaseModel):
    skill_id: uuid.UUID
    name: str | None = Field(description="None when the skill has been deleted since.")
    answered: int
    correct: int
    accuracy: float | None
    weeks: list[SkillWeek]


class CourseGoal(BaseModel):
    course_id: uuid.UUID
    target_date: datetime | None
    completed: bool
    items_completed: int


class GoalProgress(BaseModel):
    weekly_minutes_target: int
    minutes_this_week: int
    fraction_of_weekly_target: float | None = Field(
        description="Minutes learned this week over the target (None when the target is 0)."
    )
    courses: list[CourseGoal] = Field(description="The learner's goals of kind 'course'.")


class UserProgressRead(BaseModel):
    user_id: uuid.UUID
    time_zone: str
    from_day: date
    to_day: date
    days: list[DayFigures] = Field(description="Days with activity only, oldest first.")
    weeks: list[WeekFigures]
    streak: Streak
    totals: Totals
    skills: list[SkillPerformance]
    goal: GoalProgress


class CountOn(BaseModel):
    starts_on: date
    count: int


class ItemFunnel(BaseModel):
    content_id: uuid.UUID
    title: str
    type: str
    is_required: bool
    learners_started: int
    learners_completed: int
    completion_rate: float | None = Field(description="Completed over enrolled learners.")
    average_seconds: float | None = Field(description="Time on task per learner who started.")
    views: int
    replays: int


class ModuleFunnel(BaseModel):
    module_id: uuid.UUID
    title: str
    completions: int
    items: list[ItemFunnel]


class DropOff(BaseModel):
    content_id: uuid.UUID
    title: str
    learners_lost: int = Field(description="Completed the item before it, not this one.")


class QuestionFigures(BaseModel):
    question_id: str
    responses: int
    answered: int
    correct: int
    correct_rate: float | None


class QuizFigures(BaseModel):
    content_id: uuid.UUID
    title: str
    attempts: int
    average_score: float | None
    score_distribution: list[int] = Field(
        description="Attempts per tenth of the score: [0, 0.1), ..., [0.9, 1), and 1.0."
    )
    questions: list[QuestionFigures]


class LearnerAtRisk(BaseModel):
    user_id: uuid.UUID
    last_active_on: date | None
    days_inactive: int
    items_completed: int


class AtRisk(BaseModel):
    method: str = Field(description="How learners were judged at risk.")
    inactive_days: int
    count: int
    learners: list[LearnerAtRisk] = Field(description="The longest inactive first (at most 50).")


class Replayed(BaseModel):
    content_id: uuid.UUID
    title: str
    replays: int


class Cohort(BaseModel):
    cohort: str = Field(description="The enrollment month, YYYY-MM.")
    learners: int | None = Field(description="None when the cohort is suppressed.")
    suppressed: bool
    completion_rate: float | None
    average_items_completed: float | None
    average_quiz_score: float | None
    average_minutes: float | None


class CourseMetricsRead(BaseModel):
    course_id: uuid.UUID
    from_day: date
    to_day: date
    enrollments_total: int
    enrollments: list[CountOn] = Field(description="New enrollments per UTC day.")
    daily_active_learners: list[CountOn]
    weekly_active_learners: list[CountOn]
    completions: list[CountOn] = Field(description="Course completions per UTC day.")
    modules: list[ModuleFunnel]
    drop_off: list[DropOff] = Field(description="The largest losses along the outline.")
    quizzes: list[QuizFigures]
    at_risk: AtRisk
    most_replayed: list[Replayed]
    cohorts: list[Cohort]
    k_anonymity: int


class ActiveUsers(BaseModel):
    today: int
    last_7_days: int
    last_30_days: int


class PlatformDayRead(BaseModel):
    day: date
    active_users: int
    enrollments: int
    items_completed: int
    course_completions: int
    seconds: int


class PlatformRead(BaseModel):
    users: int
    active_users: ActiveUsers
    courses: dict[str, int] = Field(description="Courses per status.")
    enrollments: int
    course_completions: int
    days: list[PlatformDayRead]
    ai_usage: AiUsage = Field(description="The AI service's use over the same days.")


class StatementPage(BaseModel):
    statements: list[dict[str, Any]] = Field(description="xAPI 1.0.3 statements.")
    next_after: uuid.UUID | None = Field(
        description="Pass as ``after`` for the next page; None on the last page."
    )
