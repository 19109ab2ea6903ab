"""Analytics tables: the raw activity events and the rollups kept current from them.

``activity_event`` is append-only and written in time order, for volume: a BRIN index on its
insertion time on PostgreSQL (tiny, and what the retention sweep needs), and no other index
but the one that deduplicates client events. Every read of the analytics API goes to the
rollups below, each updated by atomic increments as events arrive, never by a scan of events.
"""

import secrets
import time
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, utcnow

_last_id = 0


def time_ordered_id() -> uuid.UUID:
    """A UUIDv7 (RFC 9562): milliseconds since the epoch, then random bits; within one process
    each id is greater than the last (the random part counts up within a millisecond). Events
    written one after another are in order, so the primary key index grows at its end."""
    global _last_id
    value = (time.time_ns() // 1_000_000) << 80 | secrets.randbits(80)
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # RFC 9562 variant
    if value <= _last_id:
        # Same millisecond: one more than the last, version and variant bits left untouched.
        value = _last_id + 1
    _last_id = value
    return uuid.UUID(int=value)


class ActivityEvent(Base):
    """One event: a client's (lesson views, video controls, heartbeats, searches; stored only
    with the learner's consent) or a server's domain event (always stored)."""

    __tablename__ = "activity_event"
    __table_args__ = (
        # Client events are deduplicated per user by the id the client gave them.
        UniqueConstraint("user_id", "client_event_id"),
        Index("ix_activity_event_recorded_at", "recorded_at", postgresql_using="brin"),
    )

    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=time_ordered_id)
    source: Mapped[str] = mapped_column(String(10))  # client | server
    type: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE")
    )
    # No foreign keys: the history outlives deleted courses and items.
    course_id: Mapped[uuid.UUID | None]
    content_id: Mapped[uuid.UUID | None]
    client_event_id: Mapped[uuid.UUID | None]
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


def _user_fk() -> Any:
    return ForeignKey("users.user_id", ondelete="CASCADE")


def _course_fk() -> Any:
    return ForeignKey("courses.course_id", ondelete="CASCADE")


class LearnerDay(Base):
    """A learner's activity in one course on one day of their own calendar (time zone)."""

    __tablename__ = "analytics_learner_day"

    user_id: Mapped[uuid.UUID] = mapped_column(_user_fk(), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    course_id: Mapped[uuid.UUID] = mapped_column(_course_fk(), primary_key=True, index=True)
    seconds: Mapped[int] = mapped_column(default=0)
    items_completed: Mapped[int] = mapped_column(default=0)
    courses_completed: Mapped[int] = mapped_column(default=0)
    quiz_attempts: Mapped[int] = mapped_column(default=0)


class LearnerSummary(Base):
    """A learner's totals and streak (days of their own calendar in a row with activity)."""

    __tablename__ = "analytics_learner_summary"

    user_id: Mapped[uuid.UUID] = mapped_column(_user_fk(), primary_key=True)
    last_active_day: Mapped[date | None]
    # UTC, for the platform's active users.
    last_active_at: Mapped[datetime | None] = mapped_column(index=True)
    current_streak: Mapped[int] = mapped_column(default=0)
    longest_streak: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[int] = mapped_column(default=0)
    items_completed: Mapped[int] = mapped_column(default=0)
    courses_completed: Mapped[int] = mapped_column(default=0)


class SkillDay(Base):
    """A learner's answers to questions on one skill on one day of their calendar."""

    __tablename__ = "analytics_skill_day"

    user_id: Mapped[uuid.UUID] = mapped_column(_user_fk(), primary_key=True)
    skill_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    answered: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)


class CourseLearner(Base):
    """One learner in one course: the basis of cohorts and of learners at risk."""

    __tablename__ = "analytics_course_learner"

    course_id: Mapped[uuid.UUID] = mapped_column(_course_fk(), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(_user_fk(), primary_key=True, index=True)
    enrolled_at: Mapped[datetime | None]
    # UTC day of the learner's latest activity in the course.
    last_active_on: Mapped[date | None]
    seconds: Mapped[int] = mapped_column(default=0)
    items_completed: Mapped[int] = mapped_column(default=0)
    quiz_attempts: Mapped[int] = mapped_column(default=0)
    quiz_score_sum: Mapped[float] = mapped_column(Float, default=0.0)
    completed_at: Mapped[datetime | None]


class CoursePeriod(Base):
    """A course's figures per UTC day and per ISO week (``period`` day | week)."""

    __tablename__ = "analytics_course_period"

    course_id: Mapped[uuid.UUID] = mapped_column(_course_fk(), primary_key=True)
    period: Mapped[str] = mapped_column(String(5), primary_key=True)
    starts_on: Mapped[date] = mapped_column(primary_key=True)
    active_learners: Mapped[int] = mapped_column(default=0)
    enrollments: Mapped[int] = mapped_column(default=0)
    items_completed: Mapped[int] = mapped_column(default=0)
    course_completions: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[int] = mapped_column(default=0)


class LearnerItem(Base):
    """That a learner started (and completed) an item: counts each learner once per item."""

    __tablename__ = "analytics_learner_item"

    content_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(_user_fk(), primary_key=True, index=True)
    started_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class ItemStat(Base):
    """One item's funnel, time on task, views, replays and quiz figures."""

    __tablename__ = "analytics_item_stat"

    content_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    course_id: Mapped[uuid.UUID] = mapped_column(_course_fk(), index=True)
    learners_started: Mapped[int] = mapped_column(default=0)
    learners_completed: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[int] = mapped_column(default=0)
    views: Mapped[int] = mapped_column(default=0)
    replays: Mapped[int] = mapped_column(default=0)
    quiz_attempts: Mapped[int] = mapped_column(default=0)
    quiz_score_sum: Mapped[float] = mapped_column(Float, default=0.0)


class ModuleStat(Base):
    __tablename__ = "analytics_module_stat"

    module_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    course_id: Mapped[uuid.UUID] = mapped_column(_course_fk(), index=True)
    completions: Mapped[int] = mapped_column(default=0)


class ScoreBucket(Base):
    """How many attempts of a quiz scored in each tenth (bucket 10 is a perfect score)."""

    __tablename__ = "analytics_score_bucket"

    content_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    bucket: Mapped[int] = mapped_column(primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)


class QuestionStat(Base):
    __tablename__ = "analytics_question_stat"

    content_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    responses: Mapped[int] = mapped_column(default=0)
    answered: Mapped[int] = mapped_column(default=0)
    correct: Mapped[int] = mapped_column(default=0)


class PlatformDay(Base):
    """The platform's figures per UTC day."""

    __tablename__ = "analytics_platform_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    active_users: Mapped[int] = mapped_column(default=0)
    enrollments: Mapped[int] = mapped_column(default=0)
    items_completed: Mapped[int] = mapped_column(default=0)
    course_completions: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[int] = mapped_column(default=0)
