"""Media files: uploaded once, stored once per checksum, referenced by content and courses."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, new_id, utcnow


class MediaBlob(Base):
    """Stored bytes, named by their SHA-256: identical uploads share one blob."""

    __tablename__ = "media_blob"

    checksum: Mapped[str] = mapped_column(String(64), primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(127))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Media(Base):
    """One upload by one user: its own name and metadata, pointing at a blob."""

    __tablename__ = "media"

    media_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    owner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), index=True
    )
    checksum: Mapped[str] = mapped_column(
        ForeignKey("media_blob.checksum", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # image | video | audio | document | text
    content_type: Mapped[str] = mapped_column(String(127))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    # The name the uploader gave; metadata only, never used as a storage path.
    original_filename: Mapped[str] = mapped_column(String(255), default="")
    thumbnail_key: Mapped[str | None] = mapped_column(String(255))
    # Width, height, duration and the like, as known.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaUpload(Base):
    """A resumable upload in progress: chunks are appended in order until ``size_bytes``."""

    __tablename__ = "media_upload"

    upload_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    owner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), index=True
    )
    original_filename: Mapped[str] = mapped_column(String(255), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    received_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    staging_key: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    media_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("media.media_id", ondelete="SET NULL")
    )
