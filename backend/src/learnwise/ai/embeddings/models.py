"""Stored embeddings of the published content items."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, utcnow


class ContentEmbedding(Base):
    """The embedding of an item's published version: float32 little-endian, unit length."""

    __tablename__ = "content_embedding"

    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("content_items.content_id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("courses.course_id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    model: Mapped[str] = mapped_column(String(64))
    dim: Mapped[int]
    # SHA-256 of the embedded text: an unchanged text is not embedded again.
    text_sha256: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    embedded_at: Mapped[datetime] = mapped_column(default=utcnow)
