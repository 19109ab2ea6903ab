"""The usage ledger of language models: one row per call, whatever its outcome."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, new_id, utcnow


class LlmUsage(Base):
    __tablename__ = "llm_usage"
    __table_args__ = (Index("ix_llm_usage_user_id_called_at", "user_id", "called_at"),)

    usage_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.user_id", ondelete="SET NULL")
    )
    purpose: Mapped[str] = mapped_column(String(64), index=True)
    model: Mapped[str] = mapped_column(String(255))
    input_tokens: Mapped[int | None]
    output_tokens: Mapped[int | None]
    latency_ms: Mapped[int]
    # ok | invalid (answered, but not what was asked) | timeout | error
    outcome: Mapped[str] = mapped_column(String(20))
    called_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
