"""Realtime test fixtures: a real uvicorn server on 127.0.0.1 and a free port (ASGI test
transports do not do WebSockets well), real WebSocket clients, and people with tokens.

The servers use the test database with real commits; the tables are emptied after each test.
"""

import asyncio
import contextlib
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt
import pytest
import uvicorn
from fastapi import FastAPI
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from learnwise.auth import service as auth_service
from learnwise.auth.service import ClientInfo, Principal
from learnwise.auth.tokens import ACCESS_TOKEN_TYPE
from learnwise.config import Settings
from learnwise.content import service as content_service
from learnwise.content.schemas import CourseCreate
from learnwise.db import Base, commit, utcnow
from learnwise.main import create_app
from learnwise.platform.runtime import Runtime
from tests.conftest import REDIS_URL, make_settings

PROTOCOL = "learnwise.v1"
# Quick timings for tests; each test overrides what it is about.
QUICK = {
    "auth_timeout_seconds": 1.0,
    "heartbeat_seconds": 30.0,
    "idle_timeout_seconds": 60.0,
    "session_check_seconds": 0.3,
}


@dataclass
class Server:
    app: FastAPI
    runtime: Runtime
    port: int

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/ws"


@dataclass
class Person:
    user_id: uuid.UUID
    session_id: uuid.UUID
    token: str

    @property
    def channel(self) -> str:
        return f"user:{self.user_id}"


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.asynccontextmanager
async def running_server(settings: Settings) -> AsyncIterator[Server]:
    app = create_app(settings)
    sock = free_socket()
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, access_log=False, lifespan="on", ws_ping_interval=None)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield Server(app, app.state.runtime, sock.getsockname()[1])
    finally:
        server.should_exit = True
        await task
        sock.close()


def realtime_settings(database_url: str, **realtime: Any) -> Settings:
    return make_settings(
        database_url,
        realtime={**QUICK, **realtime},
        # The relay runs in the background, as in production; a slow poll shows that it is
        # the commit that wakes it.
        events={"relay_enabled": True, "poll_seconds": 30},
    )


@pytest.fixture
async def start_server(database_url: str) -> AsyncIterator[Any]:
    """Starts servers (``await start_server(heartbeat_seconds=...)``); all stop at the end, and
    the tables and Redis keys they wrote are removed."""
    async with contextlib.AsyncExitStack() as stack:
        prefixes = []

        async def start(**realtime: Any) -> Server:
            settings = realtime_settings(database_url, **realtime)
            prefixes.append(settings.redis_prefix)
            return await stack.enter_async_context(running_server(settings))

        yield start
        servers_runtime = Runtime.build(make_settings(database_url))
        async with servers_runtime.engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
        await servers_runtime.close()
        if REDIS_URL:
            redis = Redis.from_url(REDIS_URL)
            for prefix in prefixes:
                keys = [k async for k in redis.scan_iter(match=f"{prefix}:*")]
                if keys:
                    await redis.delete(*keys)
            await redis.aclose()


@pytest.fixture
async def server(start_server) -> Server:
    return await start_server()


async def make_person(runtime: Runtime, *roles: str) -> Person:
    async with runtime.sessionmaker() as session:
        user = await auth_service.create_user(
            session=session,
            email=f"rt-{uuid.uuid4().hex[:10]}@example.org",
            display_name="Realtime Tester",
            password=None,
            roles=roles or ("learner",),
        )
        issued = await auth_service.start_session(
            session=session, runtime=runtime, user=user, client=ClientInfo(), method="password"
        )
        await commit(session)
        return Person(user.user_id, issued.session.session_id, issued.access_token)


def token_expiring_in(runtime: Runtime, person: Person, seconds: float) -> str:
    """An access token of the person's session that expires ``seconds`` from now (negative:
    expired that long ago)."""
    settings = runtime.settings
    now = utcnow()
    claims = {
        "iss": settings.auth.jwt_issuer,
        "aud": settings.auth.jwt_audience,
        "sub": str(person.user_id),
        "sid": str(person.session_id),
        "roles": ["learner"],
        "typ": ACCESS_TOKEN_TYPE,
        "iat": now - timedelta(minutes=5),
        "nbf": now - timedelta(minutes=5),
        "exp": now + timedelta(seconds=seconds),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm="HS256")


async def make_course(runtime: Runtime, owner: Person, *co_instructors: Person) -> uuid.UUID:
    async with runtime.sessionmaker() as session:
        principal = await auth_service.load_principal(
            runtime=runtime, user_id=owner.user_id, session_id=owner.session_id
        )
        course = await content_service.create_course(
            session=session,
            principal=principal,
            course_in=CourseCreate(title=f"Live course {uuid.uuid4().hex[:6]}"),
        )
        for other in co_instructors:
            await content_service.add_co_instructor(
                session=session,
                principal=principal,
                course_id=course.course_id,
                user_id=other.user_id,
            )
        await commit(session)
        return course.course_id


async def principal_of(runtime: Runtime, person: Person) -> Principal:
    return await auth_service.load_principal(
        runtime=runtime, user_id=person.user_id, session_id=person.session_id
    )


class Client:
    """A WebSocket client that speaks the protocol and skips the server's pings unless asked."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def send(self, **message: Any) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self, wait: float = 5.0, *, pings: bool = False) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), wait))
            if pings or message["type"] != "ping":
                return message

    async def expect(self, type: str, wait: float = 5.0) -> dict[str, Any]:
        message = await self.receive(wait)
        assert message["type"] == type, message
        return message

    async def nothing_within(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            message = await self.receive(seconds)
            raise AssertionError(f"unexpected {message}")

    async def all_within(self, seconds: float) -> list[dict[str, Any]]:
        """Every message (but pings) that arrives within ``seconds``."""
        messages = []
        deadline = time.monotonic() + seconds
        with contextlib.suppress(TimeoutError):
            while (left := deadline - time.monotonic()) > 0:
                messages.append(await self.receive(left))
        return messages

    async def subscribe(self, channel: str, since: int | None = None) -> dict[str, Any]:
        message: dict[str, Any] = {"type": "subscribe", "channel": channel}
        if since is not None:
            message["since"] = since
        await self.ws.send(json.dumps(message))
        return await self.receive()

    async def closed(self, wait: float = 5.0) -> tuple[int | None, str | None]:
        """Waits for the server to close; returns its close code and reason."""
        try:
            async with asyncio.timeout(wait):
                while True:
                    await self.ws.recv()
        except ConnectionClosed:
            pass
        assert self.ws.close_code is not None
        return self.ws.close_code, self.ws.close_reason


@contextlib.asynccontextmanager
async def connected(
    server: Server, person: Person | None = None, *, url_suffix: str = "", **options: Any
) -> AsyncIterator[Client]:
    """A client; authenticated by its first message when ``person`` is given."""
    options.setdefault("proxy", None)
    options.setdefault("ping_interval", None)
    async with connect(server.ws_url + url_suffix, **options) as ws:
        client = Client(ws)
        if person is not None:
            await client.send(type="auth", token=person.token)
            await client.expect("authenticated")
        yield client
