"""Two app instances (separate ``learnwise serve`` processes) sharing PostgreSQL and Redis: an
event relayed on one reaches clients connected to either, with the same sequence numbers, and
a client that reconnects to the other instance gets what it missed."""

import asyncio
import contextlib
import os
import secrets
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select
from websockets.asyncio.client import connect

from learnwise.db import Base, commit
from learnwise.platform import events
from learnwise.platform.events import EventType
from learnwise.platform.models import OutboxEvent
from learnwise.platform.runtime import Runtime
from tests.conftest import POSTGRES_URL, REDIS_URL, make_settings

from .conftest import Client, free_socket, make_person

pytestmark = pytest.mark.skipif(
    not (POSTGRES_URL and REDIS_URL),
    reason="two instances share their database and Redis: this needs PostgreSQL and Redis "
    "(LEARNWISE_TEST_POSTGRES_URL and LEARNWISE_TEST_REDIS_URL; CI sets both)",
)


def learnwise_command() -> str:
    found = shutil.which("learnwise", path=str(Path(sys.executable).parent))
    assert found, "the learnwise command is installed beside the test's Python"
    return found


@contextlib.asynccontextmanager
async def instances(*configurations: tuple[dict[str, str], Path]) -> AsyncIterator[list[str]]:
    """Runs ``learnwise serve`` processes (environment, log file) on free ports until the block
    ends; yields their WebSocket URLs. They start side by side: each takes a while."""
    processes: list[asyncio.subprocess.Process] = []
    try:
        yield list(await asyncio.gather(*(_start(*c, processes) for c in configurations)))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _start(
    env: dict[str, str], log: Path, processes: list[asyncio.subprocess.Process]
) -> str:
    with free_socket() as sock:
        port = sock.getsockname()[1]
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            learnwise_command(),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            env=env,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    processes.append(process)
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(600):
            if process.returncode is not None:
                raise AssertionError(await asyncio.to_thread(log.read_text))
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/health/live")).status_code == 200:
                    return f"ws://127.0.0.1:{port}/api/v1/ws"
            await asyncio.sleep(0.1)
    output = await asyncio.to_thread(log.read_text)
    raise AssertionError(f"instance did not start:\n{output}")


async def all_relayed(runtime: Runtime) -> None:
    unpublished = (
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))
    )
    for _ in range(100):
        async with runtime.sessionmaker() as session:
            if await session.scalar(unpublished) == 0:
                return
        await asyncio.sleep(0.1)
    raise AssertionError("the relaying instance did not relay the events")


@contextlib.asynccontextmanager
async def client_of(url: str, token: str) -> AsyncIterator[Client]:
    async with connect(url, proxy=None, ping_interval=None) as ws:
        client = Client(ws)
        await client.send(type="auth", token=token)
        await client.expect("authenticated")
        yield client


async def test_an_event_relayed_on_one_instance_reaches_clients_on_both(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, secret_key=secrets.token_urlsafe(48))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL or "",
        "LEARNWISE_REDIS_PREFIX": settings.redis_prefix,
        "LEARNWISE_SECRET_KEY": settings.secret_key.get_secret_value(),
        "LEARNWISE_ENVIRONMENT": "test",
        "LEARNWISE_LOG_LEVEL": "WARNING",
        "LEARNWISE_EVENTS__POLL_SECONDS": "0.2",
    }
    runtime = Runtime.build(settings)
    try:
        learner = await make_person(runtime)
        # Only the first instance relays: what the second's client receives came through Redis.
        async with instances(
            (env, tmp_path / "relaying.log"),
            ({**env, "LEARNWISE_EVENTS__RELAY_ENABLED": "false"}, tmp_path / "other.log"),
        ) as (relaying, other):
            async with (
                client_of(relaying, learner.token) as near,
                client_of(other, learner.token) as far,
            ):
                for client in (near, far):
                    assert (await client.subscribe(learner.channel))["seq"] == 0
                async with runtime.sessionmaker() as session:
                    event = await events.record(
                        session=session,
                        type=EventType.ACHIEVEMENT_AWARDED,
                        user_id=learner.user_id,
                        payload={"key": "across"},
                    )
                    await commit(session)
                for client in (near, far):
                    message = await client.expect("message", wait=10)
                    assert message["seq"] == 1
                    assert message["data"]["event_id"] == str(event.event_id)

            # Away from both; back on the other instance with the last number seen.
            async with runtime.sessionmaker() as session:
                for n in range(3):
                    await events.record(
                        session=session,
                        type=EventType.REPORT_READY,
                        user_id=learner.user_id,
                        payload={"n": n},
                    )
                await commit(session)
            await all_relayed(runtime)
            async with client_of(other, learner.token) as back:
                assert (await back.subscribe(learner.channel, since=1))["seq"] == 4
                replayed = [await back.expect("message") for _ in range(3)]
                assert [m["seq"] for m in replayed] == [2, 3, 4]
                assert [m["data"]["payload"]["n"] for m in replayed] == [0, 1, 2]
    finally:
        async with runtime.engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
        await runtime.close()
        redis = Redis.from_url(REDIS_URL or "")
        keys = [k async for k in redis.scan_iter(match=f"{settings.redis_prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
