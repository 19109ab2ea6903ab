"""The hub: numbers each channel's messages, holds them for a replay window, and hands them to
the connections of this instance that subscribed.

Without Redis (one instance) the numbers and the replay buffers live in memory. With Redis, a
channel's number is a counter there, its recent messages a stream trimmed to the window, and
every message is published on one pub/sub channel that every instance listens to, so a message
published on one instance reaches clients connected to any. One Lua script does all three, so
numbers, stream order and pub/sub order agree.
"""

import asyncio
import contextlib
import json
import time
from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from learnwise.config import RealtimeSettings

log = structlog.get_logger(__name__)


class Subscriber(Protocol):
    def deliver(self, channel: str, seq: int, frame: str) -> None:
        """Takes one message (never blocks): ``frame`` is the text to send."""
        ...

    def interrupted(self, channel: str) -> None:
        """Messages of the channel may have been lost (the hub lost its Redis connection)."""
        ...


@dataclass(frozen=True, slots=True)
class Replay:
    # The channel's latest sequence number (0 before its first message).
    head: int
    # The messages after the ``since`` asked for, oldest first; None when some of them are no
    # longer held (older than the window) or the channel's numbering started over.
    frames: list[tuple[int, str]] | None


def message_frame(channel: str, seq: int, data_json: str) -> str:
    """The text a client receives; ``data_json`` is already JSON, so it is not parsed again."""
    return f'{{"type":"message","channel":{json.dumps(channel)},"seq":{seq},"data":{data_json}}}'


def _replay(head: int, since: int | None, held: list[tuple[int, str]]) -> Replay:
    """The replay after ``since`` from the ``held`` messages (oldest first)."""
    if since is None or since == head:
        return Replay(head, [])
    if since > head:
        return Replay(head, None)
    missed = [(seq, frame) for seq, frame in held if seq > since]
    if not missed or missed[0][0] != since + 1:
        return Replay(head, None)
    return Replay(head, missed)


class Hub(ABC):
    def __init__(self, settings: RealtimeSettings) -> None:
        self._settings = settings
        self._subscribers: dict[str, set[Subscriber]] = {}

    def attach(self, channel: str, subscriber: Subscriber) -> None:
        self._subscribers.setdefault(channel, set()).add(subscriber)

    def detach(self, channel: str, subscriber: Subscriber) -> None:
        subscribers = self._subscribers.get(channel)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del self._subscribers[channel]

    def _fan_out(self, channel: str, seq: int, frame: str) -> None:
        for subscriber in list(self._subscribers.get(channel, ())):
            subscriber.deliver(channel, seq, frame)

    async def publish(self, channel: str, data: dict[str, Any]) -> int:
        """Numbers and sends a message; returns its sequence number."""
        (seq,) = await self.publish_many([(channel, data)])
        return seq

    @abstractmethod
    async def publish_many(self, messages: list[tuple[str, dict[str, Any]]]) -> list[int]:
        """Numbers and sends (channel, data) messages in this order; returns their numbers."""

    @abstractmethod
    async def replay(self, channel: str, since: int | None) -> Replay:
        """What a subscriber that last saw ``since`` missed (call after ``attach``)."""

    @abstractmethod
    async def start(self) -> None:
        """Starts the hub's background work (listening to other instances, pruning)."""

    @abstractmethod
    async def close(self) -> None:
        """Stops it."""


class MemoryHub(Hub):
    """One instance: numbers and replay buffers in memory."""

    def __init__(self, settings: RealtimeSettings) -> None:
        super().__init__(settings)
        # A channel's numbering is kept for good (as in Redis): a connection still subscribed
        # after a long quiet spell would take a numbering that started over for duplicates.
        self._seqs: dict[str, int] = {}
        # (sequence number, monotonic time, frame), oldest first, within the window.
        self._held: dict[str, deque[tuple[int, float, str]]] = {}
        self._pruner: asyncio.Task[None] | None = None

    async def publish_many(self, messages: list[tuple[str, dict[str, Any]]]) -> list[int]:
        return [self._publish_one(channel, data) for channel, data in messages]

    def _publish_one(self, channel: str, data: dict[str, Any]) -> int:
        seq = self._seqs[channel] = self._seqs.get(channel, 0) + 1
        frame = message_frame(channel, seq, json.dumps(data))
        held = self._held.setdefault(channel, deque())
        held.append((seq, time.monotonic(), frame))
        self._expire(held)
        self._fan_out(channel, seq, frame)
        return seq

    async def replay(self, channel: str, since: int | None) -> Replay:
        held = self._held.get(channel, deque())
        self._expire(held)
        return _replay(self._seqs.get(channel, 0), since, [(seq, frame) for seq, _, frame in held])

    def _expire(self, held: deque[tuple[int, float, str]]) -> None:
        oldest = time.monotonic() - self._settings.replay_window_seconds
        while held and (held[0][1] < oldest or len(held) > self._settings.replay_max_messages):
            held.popleft()

    async def start(self) -> None:
        self._pruner = asyncio.create_task(self._prune(), name="realtime-hub-prune")

    async def close(self) -> None:
        if self._pruner is not None:
            self._pruner.cancel()
            await asyncio.gather(self._pruner, return_exceptions=True)

    async def _prune(self) -> None:
        """Frees the messages of quiet channels once they are older than the window."""
        while True:
            await asyncio.sleep(self._settings.replay_window_seconds)
            for channel in list(self._held):
                self._expire(self._held[channel])
                if not self._held[channel]:
                    del self._held[channel]


# KEYS: counter, stream, fan-out channel. ARGV: channel, data (JSON), window ms, max messages.
# The counter never expires: a connection still subscribed after a long quiet spell would take
# a numbering that started over for duplicates.
_PUBLISH = """
local seq = redis.call('INCR', KEYS[1])
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', 'seq', seq, 'data', ARGV[2])
redis.call('XTRIM', KEYS[2], 'MINID', now_ms - tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', KEYS[3], ARGV[1] .. '\\n' .. seq .. '\\n' .. ARGV[2])
return seq
"""

# KEYS: counter, stream. ARGV: since (-1 for none), window ms. Returns the head and, newest
# first, the held messages after since.
_REPLAY = """
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
local since = tonumber(ARGV[1])
if since < 0 or since >= head then
  return {head, {}}
end
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local oldest = tostring(now_ms - tonumber(ARGV[2]))
return {head, redis.call('XREVRANGE', KEYS[2], '+', oldest, 'COUNT', head - since)}
"""

_RECONNECT_SECONDS = 1.0


class RedisHub(Hub):
    """Many instances: numbers, replay streams and fan-out in Redis."""

    def __init__(self, settings: RealtimeSettings, redis: Redis, prefix: str) -> None:
        super().__init__(settings)
        self._redis = redis
        self._prefix = f"{prefix}:realtime:"
        self._fanout_key = f"{prefix}:realtime:fanout"
        self._publish_script = redis.register_script(_PUBLISH)
        self._replay_script = redis.register_script(_REPLAY)
        self._listener: asyncio.Task[None] | None = None
        self._window_ms = int(settings.replay_window_seconds * 1000)

    def _keys(self, channel: str) -> list[str]:
        # The hash tag keeps a channel's keys in one Redis Cluster slot (the scripts need it).
        return [f"{self._prefix}{{{channel}}}:seq", f"{self._prefix}{{{channel}}}:log"]

    async def publish_many(self, messages: list[tuple[str, dict[str, Any]]]) -> list[int]:
        if not messages:
            return []
        # One round trip; not a transaction: each script call is atomic on its own, and
        # Redis runs them in the order sent.
        async with self._redis.pipeline(transaction=False) as pipe:
            for channel, data in messages:
                await self._publish_script(
                    keys=[*self._keys(channel), self._fanout_key],
                    args=[
                        channel,
                        json.dumps(data),
                        self._window_ms,
                        self._settings.replay_max_messages,
                    ],
                    client=pipe,
                )
            return [int(seq) for seq in await pipe.execute()]

    async def replay(self, channel: str, since: int | None) -> Replay:
        head, entries = await self._replay_script(
            keys=self._keys(channel), args=[-1 if since is None else since, self._window_ms]
        )
        held = []
        for _entry_id, fields in reversed(entries):
            values = dict(zip(fields[::2], fields[1::2], strict=True))
            seq = int(values[b"seq"])
            held.append((seq, message_frame(channel, seq, values[b"data"].decode())))
        return _replay(int(head), since, held)

    async def start(self) -> None:
        pubsub = await self._subscribe()
        self._listener = asyncio.create_task(self._listen(pubsub), name="realtime-hub-listen")

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)

    async def _subscribe(self) -> PubSub:
        """A pub/sub connection whose subscription is confirmed: every message published from
        now on reaches it."""
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(self._fanout_key)
        while (message := await pubsub.get_message(timeout=5.0)) is None or message[
            "type"
        ] != "subscribe":
            pass
        return pubsub

    async def _listen(self, pubsub: PubSub) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message["type"] == "message":
                        self._dispatch(message["data"])
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                raise
            except Exception:
                log.exception("realtime_fanout_lost")
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            pubsub = await self._resubscribe()
            # What was published while the connection was down never arrives.
            for channel, subscribers in list(self._subscribers.items()):
                for subscriber in list(subscribers):
                    subscriber.interrupted(channel)

    async def _resubscribe(self) -> PubSub:
        while True:
            try:
                return await self._subscribe()
            except Exception:
                log.warning("realtime_fanout_reconnect_failed")
                await asyncio.sleep(_RECONNECT_SECONDS)

    def _dispatch(self, raw: bytes) -> None:
        channel, seq, data = raw.decode().split("\n", 2)
        if channel in self._subscribers:
            self._fan_out(channel, int(seq), message_frame(channel, int(seq), data))


def build_hub(settings: RealtimeSettings, redis: Redis | None, prefix: str) -> Hub:
    return RedisHub(settings, redis, prefix) if redis is not None else MemoryHub(settings)
