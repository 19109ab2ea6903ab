"""A requested report and, once generated, the file it produced."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from learnwise.db import Base, new_id, utcnow


class AnalyticsReport(Base):
    __tablename__ = "analytics_report"

    report_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(8))
    # pending -> ready | failed
    status: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("courses.course_id", ondelete="CASCADE"), index=True
    )
    # A transcript's learner.
    learner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.user_id", ondelete="CASCADE"), index=True
    )
    date_from: Mapped[date | None]
    date_to: Mapped[date | None]
    # Names and emails instead of pseudonyms (only for those allowed to ask).
    include_identities: Mapped[bool] = mapped_column(default=False)
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("job.job_id", ondelete="SET NULL"), index=True
    )
    storage_key: Mapped[str | None] = mapped_column(String(300))
    filename: Mapped[str | None] = mapped_column(String(200))
    size_bytes: Mapped[int | None]
    summary: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime] = mapped_column(index=True)
