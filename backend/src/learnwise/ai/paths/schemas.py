"""Learning-path API schemas."""

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from learnwise.users.schemas import WeeklyMinutes


class GoalIn(BaseModel):
    """A course (id or slug), skills (ids, comma-separated) or free text matched to a course or
    a skill by name."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["course", "skill", "text"]
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class PathCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goal: GoalIn
    weekly_minutes: WeeklyMinutes | None = Field(
        None, description="Defaults to the learner's weekly_time_budget_minutes."
    )
    start_on: date | None = Field(None, description="Defaults to today.")


class PathStep(BaseModel):
    content_id: uuid.UUID
    title: str
    course_id: uuid.UUID
    minutes: int
    scheduled_for: date
    week: int
    explanation: str
    done: bool


class PathRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    path_id: uuid.UUID
    goal: GoalIn
    title: str
    status: Literal["active", "completed"]
    weekly_minutes: int
    start_on: date
    total_minutes: int
    steps: list[PathStep]
    steps_done: int
    planned_at: datetime
    replans: int
    created_at: datetime


class PathSummary(BaseModel):
    path_id: uuid.UUID
    title: str
    status: Literal["active", "completed"]
    total_minutes: int
    steps: int
    steps_done: int
    planned_at: datetime
