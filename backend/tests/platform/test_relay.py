"""The outbox relay: at-least-once relaying, exactly-once handling per consumer, retries with
backoff that never hold back other consumers, realtime publication, racing relays, retention."""

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.db import utcnow
from learnwise.platform import events, relay
from learnwise.platform.events import EventType
from learnwise.platform.models import EventReceipt, OutboxEvent
from learnwise.platform.runtime import Runtime
from tests.conftest import make_settings


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> relay.ConsumerRegistry:
    """A registry of the test's own consumers only."""
    fresh = relay.ConsumerRegistry()
    monkeypatch.setattr(relay, "registry", fresh)
    return fresh


async def record(session: AsyncSession, type: EventType = EventType.ITEM_COMPLETED, **payload):
    event = await events.record(session=session, type=type, payload=payload)
    await session.commit()
    return event


async def published(session: AsyncSession, event: OutboxEvent) -> OutboxEvent:
    await session.refresh(event)
    return event


async def test_each_consumer_handles_an_event_once_though_it_is_relayed_again(
    runtime: Runtime, db_session: AsyncSession, registry: relay.ConsumerRegistry
) -> None:
    handled: list[tuple[str, uuid.UUID]] = []

    @registry.consumer("first")
    async def first(*, session: AsyncSession, event: OutboxEvent) -> None:
        handled.append(("first", event.event_id))

    @registry.consumer("second", event_types={EventType.ITEM_COMPLETED})
    async def second(*, session: AsyncSession, event: OutboxEvent) -> None:
        handled.append(("second", event.event_id))

    @registry.consumer("uninterested", event_types={EventType.QUIZ_SUBMITTED})
    async def uninterested(*, session: AsyncSession, event: OutboxEvent) -> None:
        handled.append(("uninterested", event.event_id))

    event = await record(db_session, item="x")
    assert await relay.drain(runtime) == 1
    assert (await published(db_session, event)).published_at is not None

    # At least once: a relay that died before marking it relays it again.
    await db_session.execute(
        update(OutboxEvent).where(OutboxEvent.event_id == event.event_id).values(published_at=None)
    )
    await db_session.commit()
    assert await relay.drain(runtime) == 1

    assert sorted(handled) == [("first", event.event_id), ("second", event.event_id)]
    receipts = await db_session.scalars(
        select(EventReceipt.consumer).where(EventReceipt.event_id == event.event_id)
    )
    assert sorted(receipts) == ["first", "second"]


async def test_a_failing_consumer_is_retried_with_backoff_and_holds_back_nobody(
    runtime: Runtime, db_session: AsyncSession, registry: relay.ConsumerRegistry
) -> None:
    calls: Counter[str] = Counter()

    @registry.consumer("flaky", event_types={EventType.ITEM_COMPLETED})
    async def flaky(*, session: AsyncSession, event: OutboxEvent) -> None:
        calls["flaky"] += 1
        # What it wrote before failing is rolled back with its receipt.
        await events.record(session=session, type=EventType.REPORT_READY, payload={"n": 1})
        if calls["flaky"] == 1:
            raise RuntimeError("the learner model is away")

    @registry.consumer("steady", event_types={EventType.ITEM_COMPLETED})
    async def steady(*, session: AsyncSession, event: OutboxEvent) -> None:
        calls["steady"] += 1

    failing = await record(db_session, item="a")
    before = utcnow()
    assert await relay.drain(runtime) == 1

    event = await published(db_session, failing)
    assert event.published_at is None
    assert event.attempts == 1
    assert "flaky" in (event.last_error or "") and "the learner model is away" in event.last_error
    base = runtime.settings.events.retry_base_seconds
    assert event.next_attempt_at is not None
    assert event.next_attempt_at >= before + timedelta(seconds=base)
    assert calls == {"flaky": 1, "steady": 1}
    assert await db_session.scalar(select(func.count()).select_from(OutboxEvent)) == 1

    # Not due yet: the relay leaves it alone, while later events go ahead.
    later = await record(db_session, item="b")
    assert await relay.drain(runtime) == 2  # the later event, and the report flaky recorded
    assert (await published(db_session, later)).published_at is not None
    assert (await published(db_session, failing)).published_at is None

    # Due again: the failed consumer runs once more, the one that succeeded does not.
    await relay.drain(runtime, including_delayed=True)
    event = await published(db_session, failing)
    assert event.published_at is not None
    assert calls == {"flaky": 3, "steady": 2}  # twice for the first event, once for the second
    receipts = Counter(
        await db_session.scalars(
            select(EventReceipt.consumer).where(EventReceipt.event_id == failing.event_id)
        )
    )
    assert receipts == {"flaky": 1, "steady": 1}


async def test_backoff_doubles_up_to_its_ceiling(runtime: Runtime) -> None:
    settings = make_settings(
        runtime.settings.database_url,
        events={"retry_base_seconds": 2, "retry_max_seconds": 30, "relay_enabled": False},
    )
    configured = Runtime.build(settings)
    try:
        backoff = relay.Relay(configured)._backoff
        assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 5, 40)] == [2, 4, 8, 16, 30, 30]
    finally:
        await configured.close()


async def test_events_recorded_by_consumers_are_relayed_in_the_same_drain(
    runtime: Runtime, db_session: AsyncSession, registry: relay.ConsumerRegistry
) -> None:
    seen: list[str] = []

    @registry.consumer("awarder", event_types={EventType.ITEM_COMPLETED})
    async def award(*, session: AsyncSession, event: OutboxEvent) -> None:
        await events.record(session=session, type=EventType.ACHIEVEMENT_AWARDED, payload={})

    @registry.consumer("notifier", event_types={EventType.ACHIEVEMENT_AWARDED})
    async def notify(*, session: AsyncSession, event: OutboxEvent) -> None:
        seen.append(event.type)

    await record(db_session)
    assert await relay.drain(runtime) == 2
    assert seen == [EventType.ACHIEVEMENT_AWARDED]


def test_consumer_names_are_checked(registry: relay.ConsumerRegistry) -> None:
    async def handler(*, session: AsyncSession, event: OutboxEvent) -> None: ...

    async def another(*, session: AsyncSession, event: OutboxEvent) -> None: ...

    for bad in ("", "Has Space", "realtime", "x" * 65):
        with pytest.raises(ValueError):
            registry.consumer(bad)
    registry.consumer("ok")(handler)
    registry.consumer("ok")(handler)  # importing a module twice registers the same handler
    with pytest.raises(ValueError, match="already registered"):
        registry.consumer("ok")(another)


class Listener:
    def __init__(self) -> None:
        self.frames: asyncio.Queue[tuple[str, int, str]] = asyncio.Queue()

    def deliver(self, channel: str, seq: int, frame: str) -> None:
        self.frames.put_nowait((channel, seq, frame))

    def interrupted(self, channel: str) -> None:
        raise AssertionError("interrupted")


async def test_events_are_published_to_their_realtime_channels_once(
    runtime: Runtime, db_session: AsyncSession, registry: relay.ConsumerRegistry, make_account
) -> None:
    learner = await make_account("learner")
    channel = f"user:{learner.user_id}"
    listener = Listener()
    runtime.hub.attach(channel, listener)
    try:
        event = await events.record(
            session=db_session,
            type=EventType.ACHIEVEMENT_AWARDED,
            user_id=learner.user_id,
            payload={"key": "first-steps"},
        )
        await db_session.commit()
        await relay.drain(runtime)
        got_channel, _seq, frame = await asyncio.wait_for(listener.frames.get(), 5)
        assert got_channel == channel
        assert str(event.event_id) in frame and "first-steps" in frame

        await db_session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.event_id == event.event_id)
            .values(published_at=None)
        )
        await db_session.commit()
        await relay.drain(runtime)
        await asyncio.sleep(0.2)
        assert listener.frames.empty()
    finally:
        runtime.hub.detach(channel, listener)


@pytest.fixture
async def other_runtime(runtime: Runtime) -> AsyncIterator[Runtime]:
    """A second instance on the same database and Redis."""
    other = Runtime.build(runtime.settings)
    await other.hub.start()
    try:
        yield other
    finally:
        await other.close()


async def test_racing_relays_handle_each_event_once(
    runtime: Runtime,
    other_runtime: Runtime,
    live_client,
    registry: relay.ConsumerRegistry,
) -> None:
    handled: Counter[uuid.UUID] = Counter()

    @registry.consumer("counter")
    async def count(*, session: AsyncSession, event: OutboxEvent) -> None:
        handled[event.event_id] += 1
        await asyncio.sleep(0)  # let the other relay in

    async with runtime.sessionmaker() as session:
        ids = [
            (
                await events.record(session=session, type=EventType.ITEM_COMPLETED, payload={})
            ).event_id
            for _ in range(60)
        ]
        await session.commit()

    # Small batches, so that both relays claim many times.
    for each in (runtime, other_runtime):
        each.settings = each.settings.model_copy(
            update={"events": each.settings.events.model_copy(update={"batch_size": 7})}
        )
    await asyncio.gather(relay.drain(runtime), relay.drain(other_runtime))

    assert handled == dict.fromkeys(ids, 1)
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(EventReceipt)) == 60
        assert (
            await session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(OutboxEvent.published_at.is_(None))
            )
            == 0
        )


async def test_the_retention_sweep_deletes_old_published_events_only(
    runtime: Runtime, db_session: AsyncSession, registry: relay.ConsumerRegistry
) -> None:
    @registry.consumer("noop")
    async def noop(*, session: AsyncSession, event: OutboxEvent) -> None: ...

    old = await record(db_session, n=1)
    recent = await record(db_session, n=2)
    pending = await record(db_session, n=3)
    await relay.drain(runtime)
    retention = timedelta(days=runtime.settings.events.retention_days)
    long_ago = utcnow() - retention - timedelta(hours=1)
    await db_session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.event_id == old.event_id)
        .values(published_at=long_ago)
    )
    await db_session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.event_id == pending.event_id)
        .values(published_at=None, occurred_at=long_ago)
    )
    await db_session.commit()

    assert await relay.sweep(runtime) == 1
    remaining = set(await db_session.scalars(select(OutboxEvent.event_id)))
    assert remaining == {recent.event_id, pending.event_id}
    receipts = set(await db_session.scalars(select(EventReceipt.event_id)))
    assert old.event_id not in receipts
