"""Recommendation API schemas."""

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from learnwise.ai.recommend.ranking import Kind


class RecommendationRead(BaseModel):
    content_id: uuid.UUID
    title: str
    type: str
    course_id: uuid.UUID
    course_title: str
    minutes: int = Field(description="About how long it takes.")
    kind: Kind = Field(description="The main reason, as a stable key.")
    reason: str = Field(description="The main reason, in words a learner understands.")
    reasons: list[str] = Field(description="Every reason, the strongest first.")
    score: float
    predicted_success: float | None = Field(
        description="The learner model's probability that the learner succeeds at it now."
    )
    enrollment_required: bool = Field(description="The learner must enroll in its course first.")


class RecommendationsRead(BaseModel):
    items: list[RecommendationRead]
    generated_at: datetime
