"""The learner model's tables: each learner's state per skill and overall, and the fits."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, new_id, utcnow


class LearnerSkillState(Base):
    """What the model knows of one learner on one skill, updated after every graded answer."""

    __tablename__ = "learner_skill_state"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("skill.skill_id", ondelete="CASCADE"), primary_key=True, index=True
    )
    correct: Mapped[int] = mapped_column(default=0)
    wrong: Mapped[int] = mapped_column(default=0)
    decayed_correct: Mapped[float] = mapped_column(Float, default=0.0)
    decayed_wrong: Mapped[float] = mapped_column(Float, default=0.0)
    last_correct: Mapped[bool | None]
    p_mastery: Mapped[float | None] = mapped_column(Float)
    # The last answers, oldest first ("101": right, wrong, right).
    recent: Mapped[str] = mapped_column(String(8), default="")
    last_practiced_at: Mapped[datetime | None]


class LearnerState(Base):
    """A learner's answers overall (every skill together), beside the per-skill states."""

    __tablename__ = "learner_state"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True
    )
    correct: Mapped[int] = mapped_column(default=0)
    wrong: Mapped[int] = mapped_column(default=0)
    last_correct: Mapped[bool | None]
    recent: Mapped[str] = mapped_column(String(8), default="")
    # Answers per question ("<content id>/<question id>"): a question seen before is easier.
    item_attempts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.current_timestamp()
    )


class LearnerModelFit(Base):
    """One fit of the model on every graded answer; the latest one serves predictions."""

    __tablename__ = "learner_model_fit"

    fit_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    model_name: Mapped[str] = mapped_column(String(50))
    responses: Mapped[int]
    learners: Mapped[int]
    fit_seconds: Mapped[float] = mapped_column(Float)
    # Held-out evaluation of the fit (auc, rmse, n), empty when too few answers to hold any out.
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.current_timestamp(), index=True
    )
