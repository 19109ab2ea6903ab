"""Course structure: the seed's courses, modules and content_items."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, JsonDocument, TimestampMixin, new_id


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Course(TimestampMixin, Base):
    __tablename__ = "courses"

    course_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(String(1000), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(20), default="beginner", index=True)
    language: Mapped[str] = mapped_column(String(16), default="en", index=True)
    tags: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    estimated_minutes: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20), default=CourseStatus.DRAFT, index=True)
    # A course outlives nothing of its owner silently: deleting a user who owns courses is
    # refused until the courses are handed over (RESTRICT).
    owner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="RESTRICT"), index=True
    )
    published_at: Mapped[datetime | None]


class Module(TimestampMixin, Base):
    __tablename__ = "modules"
    __table_args__ = (Index("ix_modules_course_id_sequence", "course_id", "sequence_number"),)

    module_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("courses.course_id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    sequence_number: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=CourseStatus.DRAFT)


class ContentItem(TimestampMixin, Base):
    __tablename__ = "content_items"
    __table_args__ = (Index("ix_content_items_module_id_sequence", "module_id", "sequence_number"),)

    content_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    module_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("modules.module_id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(255), default="")
    sequence_number: Mapped[int] = mapped_column(default=0)
    type: Mapped[str] = mapped_column(String(50), index=True)
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # "metadata" is reserved on declarative classes, so the attribute is metadata_.
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    version: Mapped[int] = mapped_column(default=1)
