"""Learning paths: a learner's goal planned into dated steps, kept with their progress."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, JsonDocument, TimestampMixin, new_id


class LearningPath(TimestampMixin, Base):
    __tablename__ = "learning_path"

    path_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), index=True
    )
    # The goal as asked: {"kind": "course" | "skill" | "text", "value": ...}.
    goal: Mapped[dict[str, Any]]
    title: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | completed
    weekly_minutes: Mapped[int]
    start_on: Mapped[date]
    # The steps in order: content_id, title, course_id, minutes, scheduled_for, week,
    # explanation, done.
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    total_minutes: Mapped[int] = mapped_column(default=0)
    planned_at: Mapped[datetime]
    replans: Mapped[int] = mapped_column(default=0)
    # Set when the learner's state changed since planning: re-planned when next read.
    needs_replan: Mapped[bool] = mapped_column(default=False)
