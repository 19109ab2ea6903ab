"""The relay consumer that keeps review cards in step with what learners do (registered on
import): a graded attempt reviews its quiz and skills, a completed item is learned."""

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.reviews import service
from learnwise.platform import relay
from learnwise.platform.events import EventType
from learnwise.platform.models import OutboxEvent


def _when(event: OutboxEvent, field: str) -> datetime:
    value = event.payload.get(field)
    return datetime.fromisoformat(value) if isinstance(value, str) else event.occurred_at


@relay.consumer("ai.reviews", event_types={EventType.QUIZ_SUBMITTED, EventType.ITEM_COMPLETED})
async def update_review_cards(*, session: AsyncSession, event: OutboxEvent) -> None:
    if event.user_id is None or "content_id" not in event.payload:
        return
    if event.type == EventType.QUIZ_SUBMITTED:
        await service.record_attempt(
            session=session,
            user_id=event.user_id,
            payload=event.payload,
            at=_when(event, "submitted_at"),
        )
    elif event.payload.get("item_type") != "quiz":
        await service.record_completion(
            session=session,
            user_id=event.user_id,
            content_id=uuid.UUID(str(event.payload["content_id"])),
            at=_when(event, "completed_at"),
        )
