"""Rate limits on top of the `limits` package: in-process by default, Redis when configured.

A moving window per key; a hit over the limit raises TooManyRequests with Retry-After. Windows
expire on their own, so no limit locks anyone out for longer than its window.
"""

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from learnwise.errors import TooManyRequests


class RateLimiter:
    def __init__(self, redis_url: str | None, prefix: str) -> None:
        storage: Storage
        if redis_url:
            storage = RedisStorage(
                redis_url.replace("redis://", "async+redis://", 1),
                implementation="redispy",
                key_prefix=prefix + ":rl",
            )
        else:
            storage = MemoryStorage()
        self._storage = storage
        self._limiter = MovingWindowRateLimiter(storage)

    async def hit(self, limit: str | RateLimitItem, *identifiers: str) -> None:
        item = parse(limit) if isinstance(limit, str) else limit
        if await self._limiter.hit(item, *identifiers):
            return
        stats = await self._limiter.get_window_stats(item, *identifiers)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(retry_after, "Too many attempts; try again later.")

    async def reset(self) -> None:
        await self._storage.reset()
