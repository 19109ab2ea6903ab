"""The seed's user_progress and achievements."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, new_id, utcnow


class UserProgress(Base):
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
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.current_timestamp()
    )
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)


class Achievement(Base):
    __tablename__ = "achievements"

    achievement_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(50), index=True)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    awarded_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.current_timestamp()
    )
