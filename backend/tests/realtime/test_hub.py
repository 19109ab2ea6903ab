"""The hub on its own: numbering, the replay window and its bounds, fan-out between instances
through Redis, and what subscribers hear when the hub loses its Redis subscription.

The in-memory hub is tested always; the Redis hub when the suite runs with Redis.
"""

import asyncio
import json
import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from learnwise.config import RealtimeSettings
from learnwise.realtime.hub import Hub, MemoryHub, RedisHub
from tests.conftest import REDIS_URL

BACKENDS = ["memory", "redis"] if REDIS_URL else ["memory"]


class Recorder:
    def __init__(self) -> None:
        self.messages: asyncio.Queue[tuple[str, int, dict]] = asyncio.Queue()
        self.interruptions: list[str] = []

    def deliver(self, channel: str, seq: int, frame: str) -> None:
        message = json.loads(frame)
        assert (message["type"], message["channel"], message["seq"]) == ("message", channel, seq)
        self.messages.put_nowait((channel, seq, message["data"]))

    def interrupted(self, channel: str) -> None:
        self.interruptions.append(channel)

    async def next(self) -> tuple[str, int, dict]:
        return await asyncio.wait_for(self.messages.get(), 5)


class Hubs:
    """Builds started hubs of a backend, all on one Redis prefix (as several instances), whose
    Redis connections carry ``client_name``."""

    def __init__(self) -> None:
        self.prefix = f"lwtest-hub-{secrets.token_hex(4)}"
        self.client_name = f"{self.prefix}-client"
        self.started: list[Hub] = []
        self.clients: list[Redis] = []

    async def __call__(self, backend: str, **settings: float) -> Hub:
        realtime = RealtimeSettings(**settings)  # type: ignore[arg-type]
        if backend == "memory":
            hub: Hub = MemoryHub(realtime)
        else:
            redis = Redis.from_url(REDIS_URL or "", client_name=self.client_name)
            self.clients.append(redis)
            hub = RedisHub(realtime, redis, self.prefix)
        await hub.start()
        self.started.append(hub)
        return hub

    async def close(self) -> None:
        for hub in self.started:
            await hub.close()
        for redis in self.clients:
            keys = [k async for k in redis.scan_iter(match=f"{self.prefix}:*")]
            if keys:
                await redis.delete(*keys)
            await redis.aclose()


@pytest.fixture
async def make_hub() -> AsyncIterator[Hubs]:
    hubs = Hubs()
    yield hubs
    await hubs.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_numbers_and_replay(make_hub: Hubs, backend: str) -> None:
    hub = await make_hub(backend)
    assert await hub.replay("user:a", None) == (await hub.replay("user:a", 0))
    assert [await hub.publish("user:a", {"n": n}) for n in range(5)] == [1, 2, 3, 4, 5]
    assert await hub.publish("user:b", {"n": 0}) == 1  # numbering is per channel

    replay = await hub.replay("user:a", 2)
    assert replay.head == 5
    assert replay.frames is not None
    assert [seq for seq, _ in replay.frames] == [3, 4, 5]
    assert [json.loads(frame)["data"]["n"] for _, frame in replay.frames] == [2, 3, 4]
    assert (await hub.replay("user:a", 5)).frames == []
    assert (await hub.replay("user:a", None)).frames == []
    assert (await hub.replay("user:a", 9)).frames is None  # from a numbering that is gone


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_batch_is_numbered_and_delivered_in_its_order(make_hub: Hubs, backend: str) -> None:
    hub = await make_hub(backend)
    recorder = Recorder()
    for channel in ("user:a", "user:b"):
        hub.attach(channel, recorder)
    await hub.publish("user:a", {"n": -1})
    batch = [("user:a", {"n": 0}), ("user:b", {"n": 1}), ("user:a", {"n": 2})]
    assert await hub.publish_many(batch) == [2, 1, 3]
    assert await hub.publish_many([]) == []
    got = [await recorder.next() for _ in range(4)]
    assert [(c, seq, data["n"]) for c, seq, data in got] == [
        ("user:a", 1, -1),
        ("user:a", 2, 0),
        ("user:b", 1, 1),
        ("user:a", 3, 2),
    ]


@pytest.mark.parametrize("backend", BACKENDS)
async def test_only_the_window_and_the_newest_messages_are_held(
    make_hub: Hubs, backend: str
) -> None:
    hub = await make_hub(backend, replay_window_seconds=0.5, replay_max_messages=3)
    for n in range(10):
        await hub.publish("course:c", {"n": n})
    replay = await hub.replay("course:c", 8)
    assert replay.frames is not None and [seq for seq, _ in replay.frames] == [9, 10]
    # Redis trims to the bound approximately (MAXLEN ~, by whole nodes): it may hold more, but
    # never replays a gap as if it were complete.
    early = (await hub.replay("course:c", 1)).frames
    if backend == "memory":
        assert early is None
    else:
        assert early is None or [seq for seq, _ in early] == list(range(2, 11))
    await asyncio.sleep(0.7)
    assert (await hub.replay("course:c", 9)).frames is None
    assert (await hub.replay("course:c", 10)).frames == []
    assert await hub.publish("course:c", {"n": 10}) == 11


@pytest.mark.parametrize("backend", BACKENDS)
async def test_subscribers_get_their_channels_messages_in_order(
    make_hub: Hubs, backend: str
) -> None:
    hub = await make_hub(backend)
    mine, other = Recorder(), Recorder()
    hub.attach("user:a", mine)
    hub.attach("user:b", other)
    for n in range(3):
        await hub.publish("user:a", {"n": n})
    assert [await mine.next() for _ in range(3)] == [("user:a", s, {"n": s - 1}) for s in (1, 2, 3)]
    hub.detach("user:a", mine)
    await hub.publish("user:a", {"n": 3})
    await asyncio.sleep(0.2)
    assert mine.messages.empty() and other.messages.empty()


@pytest.mark.skipif(not REDIS_URL, reason="fan-out between instances goes through Redis")
async def test_a_message_published_on_one_instance_reaches_the_others(make_hub: Hubs) -> None:
    first, second = await make_hub("redis"), await make_hub("redis")
    listener = Recorder()
    second.attach("user:a", listener)
    assert await first.publish("user:a", {"from": "first"}) == 1
    assert await second.publish("user:a", {"from": "second"}) == 2
    assert [await listener.next() for _ in range(2)] == [
        ("user:a", 1, {"from": "first"}),
        ("user:a", 2, {"from": "second"}),
    ]
    replay = await second.replay("user:a", 0)
    assert replay.frames is not None and [seq for seq, _ in replay.frames] == [1, 2]


@pytest.mark.skipif(not REDIS_URL, reason="the Redis hub's subscription")
async def test_a_lost_subscription_is_restored_and_its_subscribers_told(make_hub: Hubs) -> None:
    hub = await make_hub("redis")
    listener = Recorder()
    hub.attach("user:a", listener)
    redis = Redis.from_url(REDIS_URL or "")
    try:
        ours = [
            client
            for client in await redis.client_list(_type="pubsub")
            if client["name"] == make_hub.client_name
        ]
        assert len(ours) == 1
        await redis.client_kill_filter(_id=ours[0]["id"])
    finally:
        await redis.aclose()
    for _ in range(50):
        if listener.interruptions:
            break
        await asyncio.sleep(0.1)
    assert listener.interruptions == ["user:a"]
    assert await hub.publish("user:a", {"after": True}) == 1
    assert await listener.next() == ("user:a", 1, {"after": True})
