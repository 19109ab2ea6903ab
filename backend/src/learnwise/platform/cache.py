"""A small async key-value cache: in-process by default, Redis when REDIS_URL is set.

Entries are strings with a time to live. With Redis every instance sees the same entries, so a
write on one instance (a revoked session, an invalidated outline) is seen by all of them.
"""

import time
from typing import Protocol

from cachetools import TTLCache
from redis.asyncio import Redis


class Cache(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str, *, ttl_seconds: int) -> None: ...
    async def add(self, key: str, value: str, *, ttl_seconds: int) -> bool:
        """Sets the key only if it is absent; True when it did."""
        ...

    async def delete(self, *keys: str) -> None: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


class MemoryCache:
    def __init__(self, max_entries: int = 100_000) -> None:
        # TTLCache expires entries at their own deadlines through a per-entry timer below;
        # its global ttl is only the upper bound.
        self._entries: TTLCache[str, tuple[float, str]] = TTLCache(
            maxsize=max_entries, ttl=7 * 24 * 3600
        )

    async def get(self, key: str) -> str | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        deadline, value = entry
        if deadline < time.monotonic():
            self._entries.pop(key, None)
            return None
        return value

    async def set(self, key: str, value: str, *, ttl_seconds: int) -> None:
        self._entries[key] = (time.monotonic() + ttl_seconds, value)

    async def add(self, key: str, value: str, *, ttl_seconds: int) -> bool:
        if await self.get(key) is not None:
            return False
        await self.set(key, value, ttl_seconds=ttl_seconds)
        return True

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._entries.clear()


class RedisCache:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix + ":cache:"

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(self._prefix + key)
        return value.decode() if isinstance(value, bytes) else value

    async def set(self, key: str, value: str, *, ttl_seconds: int) -> None:
        await self._redis.set(self._prefix + key, value, ex=ttl_seconds)

    async def add(self, key: str, value: str, *, ttl_seconds: int) -> bool:
        return bool(await self._redis.set(self._prefix + key, value, ex=ttl_seconds, nx=True))

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._redis.delete(*(self._prefix + k for k in keys))

    async def ping(self) -> bool:
        return bool(await self._redis.ping())

    async def close(self) -> None:
        """The Redis client is owned by the application; nothing to release here."""
