"""The application's shared parts, built once at start-up and reached through a dependency.

Everything an instance holds here is either configuration or a client of something shared
(the database, Redis), so any number of instances can run side by side.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import BlockingConnectionPool, Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from learnwise.auth.tokens import TokenSigner
from learnwise.config import Settings
from learnwise.db import create_engine, make_sessionmaker
from learnwise.platform.cache import Cache, MemoryCache, NearCache, RedisCache
from learnwise.platform.ratelimit import RateLimiter
from learnwise.platform.storage import Storage, build_storage
from learnwise.realtime.hub import Hub, build_hub

# How long an instance keeps its copy of a derived entry: a backstop for memory only, since
# the entry's key changes with the data.
DERIVED_COPY_SECONDS = 300


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    cache: Cache
    # The per-request session check's cache: ``cache`` with an in-process copy in front.
    session_cache: Cache
    # For entries keyed by the version of what they were derived from (a generation token, a
    # revision), whose value under one key never changes: ``cache`` with a longer-lived
    # in-process copy in front, bounded in number.
    derived_cache: Cache
    limiter: RateLimiter
    signer: TokenSigner
    redis: Redis | None
    storage: Storage
    hub: Hub

    @classmethod
    def build(cls, settings: Settings) -> "Runtime":
        engine = create_engine(
            settings.database_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
        )
        redis = None
        if settings.redis_url:
            # Blocking: beyond max_connections a caller waits for one to come back (up to the
            # timeout) instead of failing at once, as the default pool does.
            pool = BlockingConnectionPool.from_url(
                settings.redis_url,
                max_connections=settings.redis_max_connections,
                timeout=settings.redis_pool_timeout_seconds,
            )
            redis = Redis.from_pool(pool)  # closes the pool with the client
        cache: Cache = RedisCache(redis, settings.redis_prefix) if redis else MemoryCache()
        local_seconds = settings.auth.session_local_cache_seconds
        session_cache: Cache = (
            NearCache(cache, local_ttl_seconds=local_seconds) if redis and local_seconds else cache
        )
        derived_cache: Cache = (
            NearCache(cache, local_ttl_seconds=DERIVED_COPY_SECONDS, max_entries=2000)
            if redis
            else cache
        )
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=make_sessionmaker(engine),
            cache=cache,
            session_cache=session_cache,
            derived_cache=derived_cache,
            limiter=RateLimiter(settings.redis_url, settings.redis_prefix),
            signer=TokenSigner(settings),
            redis=redis,
            storage=build_storage(settings.media),
            hub=build_hub(settings.realtime, redis, settings.redis_prefix),
        )

    async def close(self) -> None:
        await self.hub.close()
        await self.session_cache.close()
        await self.derived_cache.close()
        await self.cache.close()
        await self.storage.close()
        if self.redis is not None:
            await self.redis.aclose()
        await self.engine.dispose()


# async: FastAPI runs a plain-def dependency in a worker thread, a hop on every request.
async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
