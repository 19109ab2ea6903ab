"""Two app instances (separate ``learnwise serve`` processes) sharing PostgreSQL and Redis: an
event relayed on one reaches clients connected to either, with the same sequence numbers; a
client that reconnects to the other instance gets what it missed; and a progress write sent to
one instance reaches the clients connected only to the other."""

import asyncio
import contextlib
import os
import secrets
import shutil
import sys
import time
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
from learnwise.progress.models import Achievement
from tests.conftest import POSTGRES_URL, REDIS_URL, make_settings

from .conftest import Client, Person, free_socket, make_course, make_person

pytestmark = pytest.mark.skipif(
    not (POSTGRES_URL and REDIS_URL),
    reason="two instances share their database and Redis: this needs PostgreSQL and Redis "
    "(LEARNWISE_TEST_POSTGRES_URL and LEARNWISE_TEST_REDIS_URL; CI sets both)",
)


START_SECONDS = 240


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
        # Generous: on a machine shared with other test runs, importing the app can take a
        # minute or more.
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
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


async def test_a_progress_write_on_one_instance_reaches_clients_on_the_other(
    database_url: str, tmp_path: Path
) -> None:
    """The whole path across processes: a learner's progress write, an HTTP request to the
    first instance, is committed and relayed there; the instructor following the course and
    the learner, connected only to the second instance (which relays nothing), hear of it."""
    settings = make_settings(database_url, secret_key=secrets.token_urlsafe(48))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL or "",
        "LEARNWISE_REDIS_PREFIX": settings.redis_prefix,
        "LEARNWISE_SECRET_KEY": settings.secret_key.get_secret_value(),
        "LEARNWISE_ENVIRONMENT": "test",
        "LEARNWISE_LOG_LEVEL": "WARNING",
        # A slow poll: what arrives within the test's waits was woken by the commit on the
        # first instance, not found by a poll.
        "LEARNWISE_EVENTS__POLL_SECONDS": "30",
    }
    runtime = Runtime.build(settings)
    try:
        owner = await make_person(runtime, "instructor")
        learner = await make_person(runtime)
        course_id = await make_course(runtime, owner)
        async with instances(
            (env, tmp_path / "writing.log"),
            ({**env, "LEARNWISE_EVENTS__RELAY_ENABLED": "false"}, tmp_path / "listening.log"),
        ) as (writing, listening):
            api = writing.replace("ws://", "http://").removesuffix("/ws")
            async with httpx.AsyncClient(base_url=api, timeout=30) as http:
                lesson = await published_lesson(http, owner, course_id)
                enrolled = await http.post(
                    f"/courses/{course_id}/enrollment", headers=bearer(learner)
                )
                assert enrolled.status_code in (200, 201), enrolled.text
                # The enrollment is course activity too: once it is relayed, the course
                # channel's number is where the write's messages start from.
                await all_relayed(runtime)
                async with (
                    client_of(listening, owner.token) as instructor,
                    client_of(listening, learner.token) as student,
                ):
                    start = (await instructor.subscribe(f"course:{course_id}"))["seq"]
                    assert start >= 1
                    assert (await student.subscribe(learner.channel))["seq"] == 0
                    written = await http.post(
                        f"/items/{lesson}/progress",
                        json={"time_spent_seconds": 30, "completed": True},
                        headers={**bearer(learner), "Idempotency-Key": "across-instances"},
                    )
                    assert written.status_code == 200, written.text

                    # Completing the course's only lesson completes its module and the course.
                    activity = [await instructor.expect("message", wait=10) for _ in range(4)]
                    assert [m["seq"] for m in activity] == list(range(start + 1, start + 5))
                    assert [m["data"]["type"] for m in activity] == [
                        "progress.recorded",
                        "item.completed",
                        "module.completed",
                        "course.completed",
                    ]
                    assert all(m["data"]["user_id"] == str(learner.user_id) for m in activity)
                    assert activity[0]["data"]["payload"]["content_id"] == lesson
                    assert activity[0]["data"]["payload"]["seconds_added"] == 30
                    # The learner hears of the course, then of each achievement it earned them
                    # (awarded by the first instance's consumers, relayed there too).
                    await all_relayed(runtime)
                    async with runtime.sessionmaker() as session:
                        awarded = await session.scalar(
                            select(func.count())
                            .select_from(Achievement)
                            .where(Achievement.user_id == learner.user_id)
                        )
                    assert awarded
                    notes = [await student.expect("message", wait=10) for _ in range(1 + awarded)]
                    assert [m["data"]["type"] for m in notes] == ["course.completed"] + [
                        "achievement.awarded"
                    ] * awarded
                    assert [m["seq"] for m in notes] == list(range(1, awarded + 2))
                    await student.nothing_within(0.3)
                    await instructor.nothing_within(0.3)
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


def bearer(person: Person) -> dict[str, str]:
    return {"Authorization": f"Bearer {person.token}"}


async def published_lesson(http: httpx.AsyncClient, owner: Person, course_id: object) -> str:
    """A module with one lesson in the course, all published, through the API."""
    headers = bearer(owner)
    module = await http.post(
        f"/courses/{course_id}/modules", json={"title": "Only module"}, headers=headers
    )
    assert module.status_code == 201, module.text
    item = await http.post(
        f"/courses/{course_id}/modules/{module.json()['module_id']}/items",
        json={"title": "Only lesson", "content": {"type": "lesson", "body": "# One\n\nRead me."}},
        headers=headers,
    )
    assert item.status_code == 201, item.text
    lesson = item.json()["content_id"]
    for path in (f"/items/{lesson}/publish", f"/courses/{course_id}/publish"):
        response = await http.post(path, headers=headers)
        assert response.status_code == 200, response.text
    return lesson
