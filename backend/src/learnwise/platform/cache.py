"""A small async key-value cache: in-process by default, Redis when REDIS_URL is set.

Entries are strings with a time to live. With Redis every instance sees the same entries, so a
write on one instance (a revoked session, an invalidated outline) is seen by all of them.

Beside the caches themselves:

- generations (``start_generation``, ``new_generation``): a random token under a key, made part
  of the keys of entries derived from some data, read *before* the data. Giving the data a new
  token after each change to it retires all those entries at once, on every instance, whatever
  the order in which concurrent readers and writers reach the cache (a token is only matched,
  never compared);
- ``open_caches()``: every cache of this process, for code that must tell each of them about a
  change to the shared database but is given no cache (such as ``bump_revision``);
- lookup counters per namespace (``count_lookup``, ``lookup_stats``), for hit ratios.
"""

import contextlib
import secrets
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from cachetools import TTLCache
from redis.asyncio import Redis


class Cache(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str, *, ttl_seconds: int) -> None: ...
    async def add(self, key: str, value: str, *, ttl_seconds: int) -> bool:
        """Sets the key only if it is absent; True when it did."""
        ...

    async def replace(self, key: str, expected: str, value: str, *, ttl_seconds: int) -> bool:
        """Sets the key only if it holds ``expected``; True when it did."""
        ...

    async def delete(self, *keys: str) -> None: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


class MemoryCache:
    def __init__(self, max_entries: int = 100_000) -> None:
        _open_caches.add(self)
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

    async def replace(self, key: str, expected: str, value: str, *, ttl_seconds: int) -> bool:
        if await self.get(key) != expected:
            return False
        await self.set(key, value, ttl_seconds=ttl_seconds)
        return True

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        _open_caches.discard(self)
        self._entries.clear()


class RedisCache:
    # Compare and set in one step on the server.
    _REPLACE = (
        "if redis.call('GET', KEYS[1]) == ARGV[1] then "
        "redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end return 0"
    )

    def __init__(self, redis: Redis, prefix: str) -> None:
        _open_caches.add(self)
        self._redis = redis
        self._prefix = prefix + ":cache:"
        self._replace = redis.register_script(self._REPLACE)

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(self._prefix + key)
        return value.decode() if isinstance(value, bytes) else value

    async def set(self, key: str, value: str, *, ttl_seconds: int) -> None:
        await self._redis.set(self._prefix + key, value, ex=ttl_seconds)

    async def add(self, key: str, value: str, *, ttl_seconds: int) -> bool:
        return bool(await self._redis.set(self._prefix + key, value, ex=ttl_seconds, nx=True))

    async def replace(self, key: str, expected: str, value: str, *, ttl_seconds: int) -> bool:
        done = await self._replace(keys=[self._prefix + key], args=[expected, value, ttl_seconds])
        return bool(done)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._redis.delete(*(self._prefix + k for k in keys))

    async def ping(self) -> bool:
        return bool(await self._redis.ping())

    async def close(self) -> None:
        """The Redis client is owned by the application, which closes it next."""
        _open_caches.discard(self)


class NearCache:
    """A shared cache with a small in-process copy of what this instance read lately in front.

    For entries read on almost every request (a session's state), where a network round trip
    to Redis costs more than the request's own work. A write through this instance updates both
    at once; a write through another instance reaches this one's copy when it expires, after at
    most ``local_ttl_seconds``.
    """

    def __init__(self, shared: Cache, *, local_ttl_seconds: float, max_entries: int = 50_000):
        _open_caches.add(self)
        self._shared = shared
        self._local: TTLCache[str, str] = TTLCache(maxsize=max_entries, ttl=local_ttl_seconds)
        # Counts this instance's writes: a value read from the shared cache while one of them
        # happened may predate it, so it is not copied.
        self._writes = 0

    async def get(self, key: str) -> str | None:
        value = self._local.get(key)
        if value is None:
            writes = self._writes
            value = await self._shared.get(key)
            if value is not None and writes == self._writes:
                self._local[key] = value
        return value

    async def set(self, key: str, value: str, *, ttl_seconds: int) -> None:
        with self._writing(key):
            await self._shared.set(key, value, ttl_seconds=ttl_seconds)

    async def add(self, key: str, value: str, *, ttl_seconds: int) -> bool:
        with self._writing(key):
            return await self._shared.add(key, value, ttl_seconds=ttl_seconds)

    async def replace(self, key: str, expected: str, value: str, *, ttl_seconds: int) -> bool:
        with self._writing(key):
            return await self._shared.replace(key, expected, value, ttl_seconds=ttl_seconds)

    async def delete(self, *keys: str) -> None:
        with self._writing(*keys):
            await self._shared.delete(*keys)

    @contextlib.contextmanager
    def _writing(self, *keys: str) -> Iterator[None]:
        # Before and after the shared write: a read that overlapped it copies nothing.
        self._forget_local(keys)
        try:
            yield
        finally:
            self._forget_local(keys)

    def _forget_local(self, keys: tuple[str, ...]) -> None:
        self._writes += 1
        for key in keys:
            self._local.pop(key, None)

    async def ping(self) -> bool:
        return await self._shared.ping()

    async def close(self) -> None:
        """The shared cache is owned by the application, which closes it too."""
        _open_caches.discard(self)
        self._local.clear()


# ---------------------------------------------------------------------------------------------
# Every open cache of this process

_open_caches: "weakref.WeakSet[MemoryCache | RedisCache | NearCache]" = weakref.WeakSet()


def open_caches() -> list[Cache]:
    """The caches of this process not yet closed: one per running application (tests run
    several). A change to the shared database concerns each of them."""
    return list(_open_caches)


# ---------------------------------------------------------------------------------------------
# Generations


async def start_generation(cache: Cache, key: str, *, ttl_seconds: int) -> str | None:
    """Stores a new generation token under ``key`` unless there is one; returns it, or None when
    there was one.

    A reader that found no token calls this *after* reading the data, and stores what it derived
    only under the token returned: a writer that committed meanwhile either stored its token
    first (so this returns None) or retires this one afterwards.
    """
    token = secrets.token_hex(6)
    return token if await cache.add(key, token, ttl_seconds=ttl_seconds) else None


async def new_generation(cache: Cache, key: str, *, ttl_seconds: int) -> None:
    """Retires every entry keyed by the current token of ``key``: call after the change
    committed. A token is only ever matched, never compared, so concurrent writers may store
    theirs in any order."""
    await cache.set(key, secrets.token_hex(6), ttl_seconds=ttl_seconds)


# ---------------------------------------------------------------------------------------------
# Hit ratios


@dataclass
class LookupStats:
    hits: int = 0
    misses: int = 0

    @property
    def hit_ratio(self) -> float | None:
        total = self.hits + self.misses
        return self.hits / total if total else None


_lookups: dict[str, LookupStats] = {}


def count_lookup(namespace: str, *, hit: bool) -> None:
    """Counts a lookup in this process's hits and misses of ``namespace``."""
    stats = _lookups.get(namespace)
    if stats is None:
        stats = _lookups[namespace] = LookupStats()
    if hit:
        stats.hits += 1
    else:
        stats.misses += 1


def lookup_stats() -> dict[str, LookupStats]:
    """A snapshot of this process's hits and misses per namespace since it started: for
    metrics (namespaces so far: ``course_page``, ``course_enrollment``, ``catalog_page``)."""
    return {name: LookupStats(s.hits, s.misses) for name, s in _lookups.items()}
