"""Domain events: recorded in the outbox in the same transaction as the change they report.

A relay publishes them afterwards, at least once; consumers deduplicate by ``event_id``.

    await events.record(session=session, type=EventType.ITEM_COMPLETED, user_id=..., payload={...})
"""

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.db import utcnow
from learnwise.platform.models import OutboxEvent


class EventType(StrEnum):
    PROGRESS_RECORDED = "progress.recorded"
    QUIZ_SUBMITTED = "quiz.submitted"
    ITEM_COMPLETED = "item.completed"
    MODULE_COMPLETED = "module.completed"
    COURSE_COMPLETED = "course.completed"
    ACHIEVEMENT_AWARDED = "achievement.awarded"
    ENROLLED = "course.enrolled"
    CONTENT_PUBLISHED = "content.published"
    REPORT_READY = "report.ready"
    AI_JOB_PROGRESS = "ai.job_progress"


async def record(
    *,
    session: AsyncSession,
    type: EventType,
    payload: dict[str, Any],
    user_id: uuid.UUID | None = None,
    course_id: uuid.UUID | None = None,
) -> OutboxEvent:
    """Adds an event to the outbox; it is published only if the transaction commits."""
    event = OutboxEvent(
        type=type, user_id=user_id, course_id=course_id, payload=payload, occurred_at=utcnow()
    )
    session.add(event)
    await session.flush()
    return event
