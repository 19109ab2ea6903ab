"""Embeddings follow publishing: the relay consumer of ``content.published`` (registered on
import) embeds what changed in the course, in the relay's transaction with its receipt."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.embeddings import service
from learnwise.config import get_settings
from learnwise.platform import relay
from learnwise.platform.events import EventType
from learnwise.platform.models import OutboxEvent


@relay.consumer("ai.embeddings", event_types={EventType.CONTENT_PUBLISHED})
async def embed_published_course(*, session: AsyncSession, event: OutboxEvent) -> None:
    course_id = event.payload.get("course_id")
    if not course_id:
        return
    # Relay handlers receive no runtime; the process's settings are the application's.
    await service.index_course(
        session=session, settings=get_settings().ai, course_id=uuid.UUID(str(course_id))
    )
