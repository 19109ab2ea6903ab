"""What the learner model tells other domains and the API."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class SkillMastery(BaseModel):
    skill_id: uuid.UUID
    p_mastery: float = Field(ge=0, le=1, description="Probability the skill is mastered (BKT).")
    p_correct_next: float = Field(
        ge=0, le=1, description="Probability of answering a question on the skill right now."
    )
    uncertainty: float = Field(ge=0, description="Standard deviation of the estimate.")
    attempts: int = Field(ge=0, description="Graded answers on the skill so far.")
    last_practiced_at: datetime | None


class FitRead(BaseModel):
    fit_id: uuid.UUID
    model_name: str
    responses: int
    learners: int
    fit_seconds: float
    metrics: dict[str, float]
    created_at: datetime
