"""Client events: checked as a whole batch, then stored (with consent) once per event id.

A batch is refused whole, storing nothing, when it is too large, when an event's time is in the
future (beyond the allowed clock skew) or too far back, when an event claims another user, or
when it names an item that does not exist. Without the caller's consent nothing is stored, and
consent is read from the database on every request, so a withdrawal applies at once.
"""

import uuid
from collections import Counter
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.analytics import counters
from learnwise.analytics.event_schemas import BatchResult, ClientEvent, EventBatch, event_data
from learnwise.analytics.exceptions import (
    BatchTooLarge,
    EventTimeOutOfRange,
    EventUserMismatch,
    UnknownEventContent,
)
from learnwise.analytics.models import ActivityEvent, ItemStat, time_ordered_id
from learnwise.auth.service import Principal
from learnwise.config import AnalyticsSettings
from learnwise.content.models import ContentItem, Module
from learnwise.db import utcnow
from learnwise.users import service as users_service


def _check(batch: EventBatch, *, principal: Principal, settings: AnalyticsSettings) -> None:
    if len(batch.events) > settings.max_batch_events:
        raise BatchTooLarge(
            f"A batch holds at most {settings.max_batch_events} events; "
            f"this one has {len(batch.events)}: send them in several batches."
        )
    now = utcnow()
    latest = now + timedelta(seconds=settings.max_clock_skew_seconds)
    earliest = now - timedelta(hours=settings.max_event_age_hours)
    for index, event in enumerate(batch.events):
        if event.user_id is not None and event.user_id != principal.user_id:
            raise EventUserMismatch(f"events[{index}] names another user; send only your own.")
        if not earliest <= event.occurred_at <= latest:
            raise EventTimeOutOfRange(
                f"events[{index}].occurred_at must lie between {earliest.isoformat()} and "
                f"{latest.isoformat()} (at most {settings.max_event_age_hours} hours back)."
            )


async def _courses_of_items(
    *, session: AsyncSession, events: list[ClientEvent]
) -> dict[uuid.UUID, uuid.UUID]:
    """The course of every item the events name; UnknownEventContent if one does not exist."""
    wanted = {e.content_id for e in events if getattr(e, "content_id", None) is not None}
    if not wanted:
        return {}
    rows = await session.execute(
        select(ContentItem.content_id, Module.course_id)
        .join(Module, Module.module_id == ContentItem.module_id)
        .where(ContentItem.content_id.in_(wanted))
    )
    courses = {content_id: course_id for content_id, course_id in rows}
    missing = wanted - courses.keys()
    if missing:
        raise UnknownEventContent(f"No such content item: {sorted(map(str, missing))[0]}.")
    return courses


async def ingest(
    *,
    session: AsyncSession,
    principal: Principal,
    batch: EventBatch,
    settings: AnalyticsSettings,
) -> BatchResult:
    _check(batch, principal=principal, settings=settings)
    courses = await _courses_of_items(session=session, events=batch.events)
    received = len(batch.events)
    if not await users_service.analytics_consent(session=session, user_id=principal.user_id):
        return BatchResult(
            received=received, stored=0, duplicates=0, not_stored_without_consent=received
        )
    unique = list({event.id: event for event in batch.events}.values())
    rows = [
        {
            "event_id": time_ordered_id(),
            "source": "client",
            "type": event.type,
            "user_id": principal.user_id,
            "course_id": courses.get(getattr(event, "content_id", None)),  # type: ignore[arg-type]
            "content_id": getattr(event, "content_id", None),
            "client_event_id": event.id,
            "occurred_at": event.occurred_at,
            "recorded_at": utcnow(),
            "data": event_data(event),
        }
        for event in unique
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stored_ids = set(
        await session.scalars(
            insert(ActivityEvent)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["user_id", "client_event_id"])
            .returning(ActivityEvent.client_event_id)
        )
    )
    stored = [event for event in unique if event.id in stored_ids]
    await _count(session=session, events=stored, courses=courses)
    return BatchResult(
        received=received,
        stored=len(stored),
        duplicates=received - len(stored),
        not_stored_without_consent=0,
    )


async def _count(
    *, session: AsyncSession, events: list[ClientEvent], courses: dict[uuid.UUID, uuid.UUID]
) -> None:
    """Adds the newly stored events to the items' views and replays: one write per item, in a
    fixed order (no deadlock between batches), and no row that every batch would lock."""
    if not events:
        return
    views: Counter[uuid.UUID] = Counter()
    replays: Counter[uuid.UUID] = Counter()
    for event in events:
        if event.type == "lesson_view":
            views[event.content_id] += 1
        elif event.type == "video_seek" and event.to_seconds < event.from_seconds:
            replays[event.content_id] += 1
    for content_id in sorted(views.keys() | replays.keys()):
        await counters.add(
            session,
            ItemStat,
            {"content_id": content_id},
            {"views": views[content_id], "replays": replays[content_id]},
            on_insert={"course_id": courses[content_id]},
        )
