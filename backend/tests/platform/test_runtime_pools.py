"""The runtime's connection pools: sized from the settings, and Redis callers beyond the pool's
size wait for a connection instead of failing."""

import asyncio

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from learnwise.platform.runtime import Runtime
from tests.conftest import POSTGRES_URL, REDIS_URL, make_settings


@pytest.mark.skipif(not POSTGRES_URL, reason="SQLite keeps SQLAlchemy's own pool")
async def test_the_database_pool_has_the_configured_size(database_url: str) -> None:
    settings = make_settings(database_url, database_pool_size=3, database_max_overflow=2)
    runtime = Runtime.build(settings)
    try:
        pool = runtime.engine.sync_engine.pool
        assert (pool.size(), pool._max_overflow) == (3, 2)  # type: ignore[attr-defined]
    finally:
        await runtime.close()


@pytest.mark.skipif(not REDIS_URL, reason="needs Redis (LEARNWISE_TEST_REDIS_URL)")
async def test_redis_callers_beyond_the_pool_wait_for_a_connection(database_url: str) -> None:
    settings = make_settings(database_url, redis_max_connections=2, redis_pool_timeout_seconds=5.0)
    runtime = Runtime.build(settings)
    redis = runtime.redis
    assert redis is not None
    key = f"{settings.redis_prefix}:never-pushed"
    try:
        # Both connections are taken by blocking reads for 0.5 s; the third caller waits for
        # one of them (the default pool raised MaxConnectionsError at once).
        holding = [asyncio.create_task(redis.blpop([key], timeout=0.5)) for _ in range(2)]
        await asyncio.sleep(0.1)
        assert await redis.ping() is True
        assert await asyncio.gather(*holding) == [None, None]
    finally:
        await runtime.close()


@pytest.mark.skipif(not REDIS_URL, reason="needs Redis (LEARNWISE_TEST_REDIS_URL)")
async def test_redis_callers_give_up_after_the_pool_timeout(database_url: str) -> None:
    settings = make_settings(database_url, redis_max_connections=2, redis_pool_timeout_seconds=0.2)
    runtime = Runtime.build(settings)
    redis = runtime.redis
    assert redis is not None
    key = f"{settings.redis_prefix}:never-pushed"
    try:
        holding = [asyncio.create_task(redis.blpop([key], timeout=1)) for _ in range(2)]
        await asyncio.sleep(0.1)
        with pytest.raises(RedisConnectionError, match="No connection available"):
            await redis.ping()
        await asyncio.gather(*holding)
    finally:
        await runtime.close()
