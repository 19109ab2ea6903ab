"""The relay consumer that keeps learning paths in step with the learner (registered on
import): a completed or attempted item is marked done and its paths re-planned when next read."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.paths import service
from learnwise.platform import relay
from learnwise.platform.events import EventType
from learnwise.platform.models import OutboxEvent


@relay.consumer("ai.paths", event_types={EventType.ITEM_COMPLETED, EventType.QUIZ_SUBMITTED})
async def follow_learner(*, session: AsyncSession, event: OutboxEvent) -> None:
    if event.user_id is None or "content_id" not in event.payload:
        return
    await service.mark_for_replanning(
        session=session,
        user_id=event.user_id,
        content_id=uuid.UUID(str(event.payload["content_id"])),
        completed=event.type == EventType.ITEM_COMPLETED,
    )
