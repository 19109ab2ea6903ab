"""Course structure: the seed's courses, modules and content_items, plus the tables around them:
co-instructors, enrollments, immutable content versions, skills and the prerequisite graphs."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func, true
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, JsonDocument, TimestampMixin, new_id, utcnow


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
    cover_media_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("media.media_id", ondelete="SET NULL"), index=True
    )
    # Course-wide rules the progress service applies (feedback shown after a quiz, attempt
    # limits, ...), validated by content.schemas.CourseSettings.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    published_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]
    # Title, summary, tags and instructor names, kept by the service for full-text search.
    search_document: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Bumped by every change to the course or anything in it: the ETag of its outline and the
    # key of its cache entries.
    revision: Mapped[int] = mapped_column(default=1, server_default="1")


class CourseInstructor(Base):
    """A co-instructor of a course (the owner is courses.owner_id)."""

    __tablename__ = "course_instructor"

    course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("courses.course_id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Enrollment(Base):
    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    enrollment_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.user_id", ondelete="CASCADE"))
    course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("courses.course_id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | dropped
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    dropped_at: Mapped[datetime | None]


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


class ModulePrerequisite(Base):
    """An edge of the module prerequisite graph (a DAG): ``module_id`` needs ``requires_id``."""

    __tablename__ = "module_prerequisite"

    module_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("modules.module_id", ondelete="CASCADE"), primary_key=True
    )
    requires_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("modules.module_id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ContentItem(TimestampMixin, Base):
    """A content item. Its content and metadata are those of its latest version (the draft
    instructors edit); ``published_version`` is the version learners see."""

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
    published_version: Mapped[int | None]
    is_required: Mapped[bool] = mapped_column(default=True, server_default=true())


class ContentVersion(Base):
    """One immutable version of a content item: never updated, never deleted on its own."""

    __tablename__ = "content_version"
    __table_args__ = (UniqueConstraint("content_id", "version"),)

    version_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("content_items.content_id", ondelete="CASCADE")
    )
    version: Mapped[int]
    type: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    skill_ids: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.user_id", ondelete="SET NULL"), index=True
    )
    change_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.current_timestamp()
    )
    published_at: Mapped[datetime | None]


class Skill(TimestampMixin, Base):
    __tablename__ = "skill"

    skill_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")


class ContentItemSkill(Base):
    __tablename__ = "content_item_skill"

    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("content_items.content_id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("skill.skill_id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SkillPrerequisite(Base):
    """An edge of the skill prerequisite graph (a DAG): ``skill_id`` needs ``requires_id``."""

    __tablename__ = "skill_prerequisite"

    skill_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("skill.skill_id", ondelete="CASCADE"), primary_key=True
    )
    requires_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("skill.skill_id", ondelete="CASCADE"), primary_key=True, index=True
    )
