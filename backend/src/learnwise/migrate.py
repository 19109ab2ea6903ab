"""Run the Alembic migrations from Python (application start-up, the CLI, the tests).

Alembic's command API is synchronous and ``migrations/env.py`` runs its own event loop, so the
commands run in a worker thread, where ``asyncio.run`` is free to start a fresh loop.
"""

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import pool
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from learnwise.models import Base

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"

# What the migrations build that the models cannot declare: the course catalog's full-text index
# (SQLite: the FTS5 table course_fts and its shadow tables; PostgreSQL: the generated tsvector
# column courses.search_vector and its GIN index).
UNMODELLED_TABLE_PREFIXES = ("course_fts",)
UNMODELLED_INDEXES = frozenset({"ix_courses_search_document_fts", "ix_courses_search_vector"})
UNMODELLED_COLUMNS = frozenset({("courses", "search_vector")})


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic's ``include_name`` hook: leaves the unmodelled objects out of comparisons."""
    if type_ == "table" and name is not None:
        return not name.startswith(UNMODELLED_TABLE_PREFIXES)
    if type_ == "index":
        return name not in UNMODELLED_INDEXES
    if type_ == "column":
        return (parent_names.get("table_name"), name) not in UNMODELLED_COLUMNS
    return True


def alembic_config(url: str) -> Config:
    config = Config(ALEMBIC_INI)
    # The ini file is read with interpolation: a percent-encoded password must be escaped.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    # Keep the caller's logging configuration (env.py would otherwise load the ini's).
    config.attributes["configure_logger"] = False
    return config


def ensure_sqlite_directory(url: str) -> None:
    """Create the directory of a SQLite database file, which SQLite will not do itself."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return
    if database.startswith("file:"):  # a SQLite URI: left to the caller
        return
    Path(database).parent.mkdir(parents=True, exist_ok=True)


async def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision`` (creating a SQLite file's directory)."""
    await asyncio.to_thread(command.upgrade, alembic_config(url), revision)


async def downgrade(url: str, revision: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(url), revision)


def check_models_match(url: str) -> list[Any]:
    """The differences between the models and the database at ``url``; empty when they agree.

    Blocking (it runs its own event loop): from async code, call it with ``asyncio.to_thread``.
    """
    return asyncio.run(_models_diff(url))


async def _models_diff(url: str) -> list[Any]:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_compare)
    finally:
        await engine.dispose()


def _compare(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_name}
    )
    return compare_metadata(context, Base.metadata)
