"""Progress: the seed's user_progress and achievements, quiz attempts, learning days (for
streaks and time learned), certificates and the audit of instructors' resets."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, JsonDocument, new_id, utcnow


class UserProgress(Base):
    """One learner's progress on one content item. Completion only moves forward, except by an
    instructor's audited reset."""

    __tablename__ = "user_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "content_id"),
        CheckConstraint(
            "completion_percentage BETWEEN 0 AND 100", name="completion_percentage_range"
        ),
    )

    progress_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Indexed by the unique (user_id, content_id) constraint, which starts with it.
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.user_id", ondelete="CASCADE"))
    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("content_items.content_id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    completion_percentage: Mapped[int] = mapped_column(default=0)
    last_accessed: Mapped[datetime | None]
    # The published version of the item this progress was made against.
    content_version: Mapped[int | None]
    time_spent_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    # Videos: the merged [start, end] second ranges actually watched.
    watched_ranges: Mapped[list[list[float]]] = mapped_column(
        JsonDocument, default=list, server_default="[]"
    )
    # Quizzes: the best score (0..1) over attempts, and how many were made.
    best_score: Mapped[float | None] = mapped_column(Float)
    attempts_count: Mapped[int] = mapped_column(default=0, server_default="0")
    completed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.current_timestamp()
    )
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)


class QuizAttempt(Base):
    """A submitted quiz, graded on the server against the key of the version taken."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (UniqueConstraint("user_id", "content_id", "attempt_number"),)

    attempt_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.user_id", ondelete="CASCADE"))
    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("content_items.content_id", ondelete="CASCADE"), index=True
    )
    content_version: Mapped[int]
    attempt_number: Mapped[int]
    # Per question: the answer given, whether it was right, the points earned, and when.
    responses: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    score: Mapped[float] = mapped_column(Float)  # 0..1
    points: Mapped[float] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool]
    duration_seconds: Mapped[int | None]
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LearningDay(Base):
    """What a learner did on one day of their own calendar (their time zone): the basis of
    streaks and of time learned per day."""

    __tablename__ = "learning_day"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True)
    seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    items_completed: Mapped[int] = mapped_column(default=0, server_default="0")


class Achievement(Base):
    """An achievement awarded to a learner. ``award_key`` makes each award happen once: the
    unique constraint, not a prior read, decides when qualifying events race."""

    __tablename__ = "achievements"
    __table_args__ = (UniqueConstraint("user_id", "type", "award_key"),)

    achievement_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(50), index=True)
    # What the award is about (a course id for "course completed", "" for one-off awards).
    award_key: Mapped[str] = mapped_column(String(100), default="", server_default="")
    xp: Mapped[int] = mapped_column(default=0, server_default="0")
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    awarded_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.current_timestamp()
    )


class Certificate(Base):
    """A certificate of completion, verifiable by anyone who has its code."""

    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    certificate_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.user_id", ondelete="CASCADE"))
    course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("courses.course_id", ondelete="CASCADE"), index=True
    )
    verification_code: Mapped[str] = mapped_column(String(64), unique=True)
    # The names as they were when it was issued; a certificate does not change afterwards.
    learner_name: Mapped[str] = mapped_column(String(120))
    course_title: Mapped[str] = mapped_column(String(255))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProgressReset(Base):
    """The audit of an instructor resetting a learner's progress on an item."""

    __tablename__ = "progress_reset"
    __table_args__ = (Index("ix_progress_reset_learner_content", "learner_id", "content_id"),)

    reset_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    learner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.user_id", ondelete="CASCADE"))
    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("content_items.content_id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.user_id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(String(500), default="")
    # The progress as it was before the reset.
    previous: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
