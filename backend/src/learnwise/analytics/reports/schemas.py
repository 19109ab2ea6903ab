"""Requests for reports and what the API says about them."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ReportKind(StrEnum):
    COURSE_PROGRESS = "course_progress"
    LEARNER_TRANSCRIPT = "learner_transcript"
    QUIZ_ITEM_ANALYSIS = "quiz_item_analysis"
    PLATFORM_SUMMARY = "platform_summary"


class ReportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


class ReportStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ReportKind
    format: ReportFormat
    course_id: uuid.UUID | None = Field(
        None, description="course_progress and quiz_item_analysis: the course."
    )
    learner_id: uuid.UUID | None = Field(
        None, description="learner_transcript: whose (default: mine; others' for admins)."
    )
    date_from: date | None = Field(None, description="Activity from this day (UTC), included.")
    date_to: date | None = Field(None, description="Activity up to this day (UTC), included.")
    include_identities: bool = Field(
        False,
        description="Names and emails instead of pseudonyms: needs report:identify, except in "
        "one's own transcript.",
    )


class ReportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    report_id: uuid.UUID
    kind: ReportKind
    format: ReportFormat
    status: ReportStatus
    requested_by: uuid.UUID
    course_id: uuid.UUID | None
    learner_id: uuid.UUID | None
    date_from: date | None
    date_to: date | None
    include_identities: bool
    job_id: uuid.UUID | None
    filename: str | None
    size_bytes: int | None
    summary: dict[str, Any] | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime
