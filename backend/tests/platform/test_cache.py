"""The cache's contract, on the implementation the suite runs with (in-process or Redis)."""

import asyncio
import secrets

from learnwise.platform.runtime import Runtime


async def test_set_get_delete_and_expiry(runtime: Runtime) -> None:
    cache = runtime.cache
    key = f"test:{secrets.token_hex(4)}"
    assert await cache.get(key) is None
    await cache.set(key, "one", ttl_seconds=1)
    assert await cache.get(key) == "one"
    await asyncio.sleep(1.2)
    assert await cache.get(key) is None
    await cache.set(key, "two", ttl_seconds=60)
    await cache.delete(key)
    assert await cache.get(key) is None


async def test_add_never_overwrites(runtime: Runtime) -> None:
    """What a request read from the database before a revocation must not overwrite it."""
    cache = runtime.cache
    key = f"test:{secrets.token_hex(4)}"
    assert await cache.add(key, "revoked", ttl_seconds=60)
    assert not await cache.add(key, "active", ttl_seconds=60)
    assert await cache.get(key) == "revoked"
    await cache.delete(key)


async def test_replace_only_what_was_expected(runtime: Runtime) -> None:
    """What a request read after one change must not overwrite the mark of a later one."""
    cache = runtime.cache
    key = f"test:{secrets.token_hex(4)}"
    assert not await cache.replace(key, "first change", "read", ttl_seconds=60)
    assert await cache.get(key) is None
    await cache.set(key, "second change", ttl_seconds=60)
    assert not await cache.replace(key, "first change", "read", ttl_seconds=60)
    assert await cache.get(key) == "second change"
    assert await cache.replace(key, "second change", "read", ttl_seconds=60)
    assert await cache.get(key) == "read"
    await cache.delete(key)
