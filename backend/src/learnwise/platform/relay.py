"""The outbox relay: delivers recorded domain events to their consumers and realtime channels.

Events are written by ``events.record`` in the transaction of the change they report. The relay,
a background task of every instance, claims the unpublished ones (on PostgreSQL with
``FOR NO KEY UPDATE SKIP LOCKED``, so that several instances share the work; on SQLite one
instance relays), and for each:

- publishes the batch to its realtime channels (once too, under the receipts of ``realtime``,
  taken in one statement; the messages go to the hub in one round trip);
- runs every registered consumer that wants it, each in a transaction of its own that also
  inserts the consumer's ``EventReceipt``: relaying is at least once, handling exactly once;
- marks it published, or, when something failed, tries again later with exponential backoff.
  A failing consumer is logged and never keeps the others, or other events, from going ahead.

Consumers register at import time::

    from learnwise.platform import relay

    @relay.consumer("achievements", event_types={EventType.ITEM_COMPLETED})
    async def award(*, session: AsyncSession, event: OutboxEvent) -> None: ...

The handler only ``flush()``es; the relay commits (running ``db.after_commit`` callbacks). Tests
relay synchronously with ``await relay.drain(runtime)``.
"""

import asyncio
import contextlib
import re
import uuid
import weakref
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import structlog
from sqlalchemy import delete, event, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from learnwise.db import commit, utcnow
from learnwise.platform.models import EventReceipt, OutboxEvent
from learnwise.platform.runtime import Runtime
from learnwise.realtime.channels import channels_of_event, event_message

log = structlog.get_logger(__name__)

REALTIME_CONSUMER = "realtime"
_CONSUMER_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
_RETENTION_BATCH = 1000


class Handler(Protocol):
    def __call__(self, *, session: AsyncSession, event: OutboxEvent) -> Awaitable[None]: ...


@dataclass(frozen=True, slots=True)
class Consumer:
    name: str
    handler: Handler
    # None: every event.
    event_types: frozenset[str] | None

    def wants(self, event: OutboxEvent) -> bool:
        return self.event_types is None or event.type in self.event_types


class ConsumerRegistry:
    def __init__(self) -> None:
        self._consumers: dict[str, Consumer] = {}

    def consumer(
        self, name: str, *, event_types: Iterable[str] | None = None
    ) -> Callable[[Handler], Handler]:
        """Registers ``async def handler(*, session, event)`` to receive the events of these
        types (all events when None). ``name`` identifies its receipts: never rename it."""
        if not _CONSUMER_NAME.match(name) or name == REALTIME_CONSUMER:
            raise ValueError(f"invalid or reserved consumer name {name!r}")
        types = frozenset(event_types) if event_types is not None else None

        def register(handler: Handler) -> Handler:
            existing = self._consumers.get(name)
            if existing is not None and _qualname(existing.handler) != _qualname(handler):
                raise ValueError(f"consumer {name!r} is already registered")
            self._consumers[name] = Consumer(name, handler, types)
            return handler

        return register

    def for_event(self, event: OutboxEvent) -> list[Consumer]:
        return [c for c in self._consumers.values() if c.wants(event)]


def _qualname(handler: Handler) -> str:
    return f"{getattr(handler, '__module__', '')}.{getattr(handler, '__qualname__', '')}"


registry = ConsumerRegistry()


def consumer(
    name: str, *, event_types: Iterable[str] | None = None
) -> Callable[[Handler], Handler]:
    """``@relay.consumer("name", event_types={...})``: see ``ConsumerRegistry.consumer``."""
    return registry.consumer(name, event_types=event_types)


# ---------------------------------------------------------------------------------------------
# Relaying


@dataclass(frozen=True, slots=True)
class _Outcome:
    event_id: uuid.UUID
    # Tries before this one.
    attempts: int
    failures: list[str]


class Relay:
    """Relays this instance's share of the outbox, now or in the background (``start``)."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._settings = runtime.settings.events
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._swept_at: datetime | None = None

    def wake(self) -> None:
        self._wakeup.set()

    def start(self) -> None:
        _awake_after_commit.add(self)
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        _awake_after_commit.discard(self)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            self._wakeup.clear()
            try:
                while await self.relay_batch():
                    pass
                await self._sweep_if_due()
            except Exception:
                # The database or Redis may be away for a while: try again at the next poll.
                log.exception("outbox_relay_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self._settings.poll_seconds)

    async def relay_batch(
        self, *, including_delayed: bool = False, skip: frozenset[uuid.UUID] = frozenset()
    ) -> list[uuid.UUID]:
        """Claims up to a batch of due events, delivers them, marks them. Returns the ids of
        the events it tried (published or not)."""
        query = (
            select(OutboxEvent)
            .where(OutboxEvent.published_at.is_(None))
            .order_by(OutboxEvent.occurred_at, OutboxEvent.event_id)
            .limit(self._settings.batch_size)
        )
        if not including_delayed:
            query = query.where(
                or_(
                    OutboxEvent.next_attempt_at.is_(None),
                    OutboxEvent.next_attempt_at <= utcnow(),
                )
            )
        if skip:
            query = query.where(OutboxEvent.event_id.not_in(skip))
        # PostgreSQL: row locks that other relays skip, held until the events are marked; NO KEY
        # UPDATE, so that the consumers' receipts (foreign keys to the event) do not wait for
        # them. SQLite has one relay, and holding its write lock while consumers write through
        # other connections would deadlock them: the claim ends at once.
        locking = not self._runtime.settings.is_sqlite
        if locking:
            query = query.with_for_update(skip_locked=True, key_share=True)
        async with self._runtime.sessionmaker() as claim:
            events = list(await claim.scalars(query))
            if not locking:
                await claim.commit()
            # Realtime first, the whole batch at once: a client hears of an event before the
            # consumers' work on the batch, not after it.
            realtime_failures = await self._publish(events)
            outcomes = [
                await self._deliver(event, realtime_failures.get(event.event_id))
                for event in events
            ]
            await self._mark(claim, outcomes)
            await claim.commit()
        return [event.event_id for event in events]

    async def _deliver(self, event: OutboxEvent, realtime_failure: str | None) -> _Outcome:
        failures = [realtime_failure] if realtime_failure else []
        for each in registry.for_event(event):
            try:
                await _handle_once(self._runtime.sessionmaker, each.name, event, each.handler)
            except Exception as exc:
                log.exception(
                    "outbox_consumer_failed",
                    consumer=each.name,
                    event_id=str(event.event_id),
                    type=event.type,
                    attempt=event.attempts + 1,
                )
                failures.append(f"{each.name}: {exc!r}")
        return _Outcome(event.event_id, event.attempts, failures)

    async def _publish(self, events: list[OutboxEvent]) -> dict[uuid.UUID, str]:
        """Publishes the events to their realtime channels, in order, each once: the receipts
        of every event in one statement, the messages in one round trip to the hub. Returns
        why, for the events it could not publish."""
        routed = [(event, channels) for event in events if (channels := channels_of_event(event))]
        if not routed:
            return {}
        try:
            async with self._runtime.sessionmaker() as session:
                taken = await _take_receipts(
                    session, REALTIME_CONSUMER, [event.event_id for event, _ in routed]
                )
                await self._runtime.hub.publish_many(
                    [
                        (channel, event_message(event))
                        for event, channels in routed
                        if event.event_id in taken
                        for channel in channels
                    ]
                )
                await commit(session)
        except Exception as exc:
            log.exception("outbox_realtime_failed", events=len(routed))
            return {event.event_id: f"{REALTIME_CONSUMER}: {exc!r}" for event, _ in routed}
        return {}

    async def _mark(self, session: AsyncSession, outcomes: list[_Outcome]) -> None:
        now = utcnow()
        published = [outcome.event_id for outcome in outcomes if not outcome.failures]
        if published:
            await session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.event_id.in_(published))
                .values(published_at=now, next_attempt_at=None)
                .execution_options(synchronize_session=False)
            )
        for outcome in outcomes:
            if not outcome.failures:
                continue
            attempts = outcome.attempts + 1
            await session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.event_id == outcome.event_id)
                .values(
                    attempts=attempts,
                    next_attempt_at=now + self._backoff(attempts),
                    last_error="; ".join(outcome.failures)[:1000],
                )
                .execution_options(synchronize_session=False)
            )

    def _backoff(self, attempts: int) -> timedelta:
        seconds = self._settings.retry_base_seconds * 2 ** min(attempts - 1, 30)
        return timedelta(seconds=min(seconds, self._settings.retry_max_seconds))

    async def _sweep_if_due(self) -> None:
        now = utcnow()
        interval = timedelta(seconds=self._settings.retention_sweep_seconds)
        if self._swept_at is not None and now - self._swept_at < interval:
            return
        self._swept_at = now
        await sweep(self._runtime)


async def _handle_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    name: str,
    event: OutboxEvent,
    handler: Handler,
) -> None:
    """Runs ``handler`` for ``event`` unless ``name`` already handled it, in one transaction
    with the receipt that says it did."""
    async with sessionmaker() as session:
        if not await _take_receipts(session, name, [event.event_id]):
            await session.rollback()
            return
        try:
            await handler(session=session, event=await session.merge(event, load=False))
        except BaseException:
            await session.rollback()
            raise
        await commit(session)


async def _take_receipts(
    session: AsyncSession, name: str, event_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Inserts ``name``'s receipts of these events in one statement; returns the events whose
    receipt this session took. A relay racing on the same events waits on them (PostgreSQL's
    unique index, SQLite's write lock), then finds them taken and leaves those events alone, as
    does a relay that comes back to an event handled before."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    taken = await session.scalars(
        dialect.insert(EventReceipt)
        .values([{"consumer": name, "event_id": event_id} for event_id in event_ids])
        .on_conflict_do_nothing()
        .returning(EventReceipt.event_id)
    )
    return set(taken)


async def drain(runtime: Runtime, *, including_delayed: bool = False) -> int:
    """Relays every due event now, each at most once, including those that consumers record
    meanwhile; for tests and commands. With ``including_delayed``, events waiting to be
    retried are tried at once. Returns how many events were tried."""
    relay = Relay(runtime)
    tried: set[uuid.UUID] = set()
    while batch := await relay.relay_batch(
        including_delayed=including_delayed, skip=frozenset(tried)
    ):
        tried.update(batch)
    return len(tried)


async def sweep(runtime: Runtime) -> int:
    """Deletes the published events older than the retention (their receipts go with them)."""
    cutoff = utcnow() - timedelta(days=runtime.settings.events.retention_days)
    deleted = 0
    while True:
        async with runtime.sessionmaker() as session:
            ids = select(OutboxEvent.event_id).where(
                OutboxEvent.published_at.is_not(None), OutboxEvent.published_at < cutoff
            )
            result = await session.execute(
                delete(OutboxEvent).where(
                    OutboxEvent.event_id.in_(ids.limit(_RETENTION_BATCH).scalar_subquery())
                )
            )
            await session.commit()
        count = result.rowcount or 0  # type: ignore[attr-defined]
        deleted += count
        if count < _RETENTION_BATCH:
            return deleted


def start(runtime: Runtime) -> Relay:
    """Starts this instance's background relay (stop it with ``await relay.stop()``)."""
    relay = Relay(runtime)
    relay.start()
    return relay


# A commit that recorded events wakes the relays of this process at once, instead of at their
# next poll. Set on flush, acted on after the commit, forgotten on rollback.
_awake_after_commit: "weakref.WeakSet[Relay]" = weakref.WeakSet()
_RECORDED = "learnwise.outbox_recorded"


@event.listens_for(Session, "after_flush")
def _note_recorded(session: Session, _context: Any) -> None:
    if any(isinstance(obj, OutboxEvent) for obj in session.new):
        session.info[_RECORDED] = True


@event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    if session.info.pop(_RECORDED, False):
        for relay in list(_awake_after_commit):
            relay.wake()


@event.listens_for(Session, "after_rollback")
def _forget_recorded(session: Session) -> None:
    session.info.pop(_RECORDED, None)
