"""NearCache: an in-process copy in front of a shared cache, for entries read on every request."""

import asyncio

from learnwise.platform.cache import MemoryCache, NearCache


class SlowCache(MemoryCache):
    """A shared cache whose reads take a while, like a round trip to Redis under load."""

    async def get(self, key: str) -> str | None:
        value = await super().get(key)
        await asyncio.sleep(0.05)
        return value


async def test_reads_are_served_from_the_local_copy_until_it_expires() -> None:
    shared = MemoryCache()
    near = NearCache(shared, local_ttl_seconds=0.3)
    await shared.set("k", "one", ttl_seconds=60)
    assert await near.get("k") == "one"
    await shared.set("k", "two", ttl_seconds=60)  # another instance's write
    assert await near.get("k") == "one"
    await asyncio.sleep(0.35)
    assert await near.get("k") == "two"


async def test_writes_through_it_are_seen_at_once() -> None:
    shared = MemoryCache()
    near = NearCache(shared, local_ttl_seconds=60)
    await near.set("k", "active", ttl_seconds=60)
    assert await near.get("k") == "active"
    await near.set("k", "revoked", ttl_seconds=60)
    assert await near.get("k") == "revoked"
    assert await shared.get("k") == "revoked"
    await near.delete("k")
    assert await near.get("k") is None
    assert await near.add("k", "fresh", ttl_seconds=60)
    assert not await near.add("k", "other", ttl_seconds=60)
    assert await near.get("k") == "fresh"


async def test_a_read_overlapping_a_write_is_not_copied() -> None:
    shared = SlowCache()
    near = NearCache(shared, local_ttl_seconds=60)
    await shared.set("k", "active", ttl_seconds=60)
    reading = asyncio.create_task(near.get("k"))
    await asyncio.sleep(0.01)  # the read has left for the shared cache
    await near.set("k", "revoked", ttl_seconds=60)
    await reading  # may answer what it found, but must not keep it
    assert await near.get("k") == "revoked"
