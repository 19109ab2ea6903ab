"""The learner model's relay consumer (registered on import): every graded quiz attempt updates
the learner's state online, once per event, in the relay's transaction."""

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.learner_model import service
from learnwise.platform import relay
from learnwise.platform.events import EventType
from learnwise.platform.models import OutboxEvent


@relay.consumer("learner_model", event_types={EventType.QUIZ_SUBMITTED})
async def update_learner_model(*, session: AsyncSession, event: OutboxEvent) -> None:
    if event.user_id is None or "content_id" not in event.payload:
        return
    await service.record_quiz_submitted(
        session=session, user_id=event.user_id, payload=event.payload
    )
