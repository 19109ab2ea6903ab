"""The relay consumer of analytics (registered on import): every domain event it wants is
stored and folded into the rollups once, in the transaction of its receipt."""

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.analytics import rollups
from learnwise.platform import relay
from learnwise.platform.models import OutboxEvent


@relay.consumer("analytics", event_types=rollups.EVENT_TYPES)
async def fold_domain_event(*, session: AsyncSession, event: OutboxEvent) -> None:
    await rollups.fold_event(session=session, event=event)
