"""Review API schemas."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from learnwise.ai.reviews.scheduling import ReviewRating


class ReviewCreate(BaseModel):
    """A review the learner made now: of a content item or of a skill (exactly one)."""

    model_config = ConfigDict(extra="forbid")

    content_id: uuid.UUID | None = None
    skill_id: uuid.UUID | None = None
    rating: ReviewRating


class ReviewCardRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    card_id: uuid.UUID
    content_id: uuid.UUID | None
    skill_id: uuid.UUID | None
    due: datetime
    last_review: datetime | None
    stability: float | None
    difficulty: float | None
    reviews: int
    lapses: int


class DueReviewRead(ReviewCardRead):
    title: str
    # The probability of recalling it now, as FSRS estimates it.
    retrievability: float
