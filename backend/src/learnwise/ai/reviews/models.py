"""Review cards: the FSRS memory state of one learner for one content item or one skill."""

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, TimestampMixin, new_id


class ReviewCard(TimestampMixin, Base):
    """Exactly one of ``content_id`` and ``skill_id`` is set. The FSRS fields are those of
    ``fsrs.Card``; ``due`` is when the next review is best made."""

    __tablename__ = "review_card"
    __table_args__ = (
        UniqueConstraint("user_id", "content_id"),
        UniqueConstraint("user_id", "skill_id"),
        CheckConstraint("(content_id IS NULL) <> (skill_id IS NULL)", name="one_subject"),
        Index("ix_review_card_user_id_due", "user_id", "due"),
    )

    card_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.user_id", ondelete="CASCADE"))
    content_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("content_items.content_id", ondelete="CASCADE"), index=True
    )
    skill_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("skill.skill_id", ondelete="CASCADE"), index=True
    )
    state: Mapped[int]
    step: Mapped[int | None]
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime]
    last_review: Mapped[datetime | None]
    reviews: Mapped[int] = mapped_column(default=0)
    lapses: Mapped[int] = mapped_column(default=0)
