"""The relay consumers of achievements and certificates (registered on import).

Each runs once per event, in the relay's transaction that also records its receipt; what they
record (awards, ``achievement.awarded`` events, certificates) commits with that receipt.
"""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.platform import relay
from learnwise.platform.events import EventType
from learnwise.platform.models import OutboxEvent
from learnwise.progress import achievement_service, certificates
from learnwise.progress.achievement_rules import EVENT_TYPES


@relay.consumer("achievements", event_types=EVENT_TYPES)
async def award_achievements(*, session: AsyncSession, event: OutboxEvent) -> None:
    await achievement_service.evaluate(session=session, event=event)


@relay.consumer("certificates", event_types={EventType.COURSE_COMPLETED})
async def issue_certificate(*, session: AsyncSession, event: OutboxEvent) -> None:
    course_id = achievement_service.event_facts(event).get("course_id")
    if event.user_id is None or not course_id:
        return
    await certificates.issue_on_completion(
        session=session, user_id=event.user_id, course_id=uuid.UUID(str(course_id))
    )
