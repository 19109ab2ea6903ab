"""Generation runs: what was asked, by whom, how it went, and the draft items it made."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, JsonDocument, new_id, utcnow


class Generation(Base):
    __tablename__ = "ai_generation"

    generation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    requested_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.user_id", ondelete="SET NULL"), index=True
    )
    course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("courses.course_id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("modules.module_id", ondelete="CASCADE")
    )
    # The item generated from, when it was one (null for pasted text).
    source_content_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("content_items.content_id", ondelete="SET NULL")
    )
    source_version: Mapped[int | None]
    source_chars: Mapped[int]
    # queued | running | succeeded | failed
    status: Mapped[str] = mapped_column(String(20))
    # offline | llm: which path produced the result
    engine: Mapped[str | None] = mapped_column(String(20))
    options: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    # The draft items made: [{content_id, type, title, version}].
    drafts: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
