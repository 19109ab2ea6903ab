"""What the jobs API returns."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from learnwise.platform.jobs.queue import JobStatus


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    job_id: uuid.UUID
    kind: str
    status: JobStatus
    owner_id: uuid.UUID | None
    payload: dict[str, Any]
    # 0 to 1, and what the job last said it was doing.
    progress: float
    message: str | None
    result: dict[str, Any] | None
    # Why the last attempt failed (kept while it is retried).
    error: str | None
    attempts: int
    max_attempts: int
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None
    updated_at: datetime
    finished_at: datetime | None
