"""Test fixtures: a real database migrated once per run, and an app per test run.

By default the suite runs on a temporary SQLite file with the in-process cache. With
LEARNWISE_TEST_POSTGRES_URL (a server URL) it creates a database of its own on that server and
drops it at the end; with LEARNWISE_TEST_REDIS_URL it uses Redis under a key prefix of its own.
Each test runs inside a transaction that is rolled back (``client``); tests about concurrency use
``live_client``, whose writes really commit, and which empties the tables afterwards.
"""

import os
import secrets
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from learnwise import migrate
from learnwise.auth import service as auth_service
from learnwise.config import Environment, Settings
from learnwise.db import Base
from learnwise.main import create_app
from learnwise.platform.runtime import Runtime

POSTGRES_URL = os.environ.get("LEARNWISE_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("LEARNWISE_TEST_REDIS_URL")
PASSWORD = "correct horse battery staple"


def pytest_report_header() -> list[str]:
    return [
        f"learnwise database: {'PostgreSQL' if POSTGRES_URL else 'SQLite'}; "
        f"cache and rate limits: {'Redis' if REDIS_URL else 'in-process'}"
    ]


async def _create_postgres_database(server_url: str) -> tuple[str, str]:
    name = f"lw_test_{secrets.token_hex(6)}"
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return name, server_url.rsplit("/", 1)[0] + "/" + name


async def _drop_postgres_database(server_url: str, name: str) -> None:
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    if POSTGRES_URL:
        name, url = await _create_postgres_database(POSTGRES_URL)
        await migrate.upgrade(url)
        yield url
        await _drop_postgres_database(POSTGRES_URL, name)
    else:
        path: Path = tmp_path_factory.mktemp("db") / "learnwise-test.db"
        url = f"sqlite+aiosqlite:///{path}"
        await migrate.upgrade(url)
        yield url


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": Environment.TEST,
        "secret_key": secrets.token_urlsafe(48),
        "database_url": database_url,
        "redis_url": REDIS_URL,
        "redis_prefix": f"lwtest-{secrets.token_hex(4)}",
        "log_json": True,
        "log_level": "WARNING",
        # Tests relay the outbox themselves (``await relay.drain(runtime)``): a background relay
        # would wait on the write lock that each SQLite test transaction holds.
        "events": {"relay_enabled": False},
        # Likewise jobs: tests run them with ``await jobs.run_pending(runtime)``.
        "jobs": {"worker_enabled": False},
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
async def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
async def app_and_runtime(settings: Settings) -> AsyncIterator[tuple[object, Runtime]]:
    app = create_app(settings)
    async with LifespanManager(app):
        yield app, app.state.runtime
    if REDIS_URL:
        redis = Redis.from_url(REDIS_URL)
        keys = [k async for k in redis.scan_iter(match=f"{settings.redis_prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


@pytest.fixture
def runtime(app_and_runtime: tuple[object, Runtime]) -> Runtime:
    return app_and_runtime[1]


def _client(app: object, ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 50000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def db_session(
    app_and_runtime: tuple[object, Runtime],
) -> AsyncIterator[AsyncSession]:
    """A session inside the test's transaction; the app's sessions join it, and everything is
    rolled back at the end of the test. Rate limits start afresh too."""
    runtime = app_and_runtime[1]
    await runtime.limiter.reset()
    original = runtime.sessionmaker
    async with runtime.engine.connect() as connection:
        transaction = await connection.begin()
        runtime.sessionmaker = async_sessionmaker(
            bind=connection,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        async with runtime.sessionmaker() as session:
            try:
                yield session
            finally:
                runtime.sessionmaker = original
                await transaction.rollback()


@pytest.fixture
async def client(
    app_and_runtime: tuple[object, Runtime], db_session: AsyncSession
) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(app_and_runtime[0]) as http:
        yield http


@pytest.fixture
async def live_client(
    app_and_runtime: tuple[object, Runtime],
) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests commit for real (for concurrency); the tables are emptied after."""
    app, runtime = app_and_runtime
    await runtime.limiter.reset()
    async with _client(app) as http:
        yield http
    async with runtime.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())


@pytest.fixture
def client_from(app_and_runtime: tuple[object, Runtime]):
    """Makes clients that appear to come from another IP address."""

    def make(ip: str) -> httpx.AsyncClient:
        return _client(app_and_runtime[0], ip)

    return make


@dataclass
class Account:
    user_id: uuid.UUID
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@pytest.fixture
def make_account(client: httpx.AsyncClient, db_session: AsyncSession):
    """Creates a user with the given roles and signs them in through the API."""

    async def make(*roles: str, email: str | None = None) -> Account:
        email = email or f"user-{secrets.token_hex(4)}@example.org"
        user = await auth_service.create_user(
            session=db_session,
            email=email,
            display_name=email.split("@")[0],
            password=PASSWORD,
            roles=roles or ("learner",),
        )
        await db_session.commit()
        response = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        return Account(user.user_id, email, PASSWORD, body["access_token"], body["refresh_token"])

    return make


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
