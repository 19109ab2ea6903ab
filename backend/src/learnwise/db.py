"""Database: the async engine, the declarative base and the request-scoped session.

SQLite (aiosqlite, WAL, foreign keys on) is the embedded default; PostgreSQL (asyncpg) is used
whenever DATABASE_URL names it. JSON columns are JSONB on PostgreSQL.
"""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from fastapi import Depends, Request
from sqlalchemy import JSON, DateTime, MetaData, event, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from learnwise.errors import AppError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonDocument = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar = {datetime: UtcDateTime, dict[str, Any]: JsonDocument}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=func.current_timestamp()
    )
    updated_at: Mapped[datetime | None] = mapped_column(default=utcnow, onupdate=utcnow)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def _lower(text: str | None) -> str | None:
    return text.lower() if isinstance(text, str) else text


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is turned off so that "begin" below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()
        # SQLite's lower() folds ASCII only; PostgreSQL's folds all of Unicode, as Python's does.
        # Searches that compare lower-cased text then find "Émile" on both databases.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        # A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when
        # another writer committed in between; taking the write lock up front makes concurrent
        # requests wait their turn (busy_timeout) instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        # The pool sizes are PostgreSQL's; SQLite keeps SQLAlchemy's defaults.
        kwargs.pop("pool_size", None)
        kwargs.pop("max_overflow", None)
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    # No pre-ping (with asyncpg it costs three round trips per checkout); connections are
    # recycled instead, and a dropped one fails only the request that drew it.
    kwargs.setdefault("pool_recycle", 1800)
    return create_async_engine(url, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: commits when the endpoint succeeds, rolls back otherwise.

    Services only ``flush()``; this is the one place that commits.
    """
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.runtime.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except AppError as exc:
            if exc.keeps_changes:
                await commit(session)
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        else:
            await commit(session)


def after_commit(session: AsyncSession, callback: Callable[[], Awaitable[None]]) -> None:
    """Runs ``callback`` once the request's transaction has committed (for example to update
    a cache), and never if it rolls back."""
    session.info.setdefault("after_commit", []).append(callback)


async def commit(session: AsyncSession) -> None:
    """Commits, then runs the callbacks registered with ``after_commit``. A session that began
    no transaction and holds no change (a request answered from the cache) has nothing to
    commit: the call is skipped, a round trip through SQLAlchemy's greenlet bridge."""
    if session.in_transaction() or session.new or session.dirty or session.deleted:
        await session.commit()
    for callback in session.info.pop("after_commit", []):
        await callback()


# "function" scope: the commit happens before the response is sent, so a failed commit is an
# error response, never a 200 for something that was not saved.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
