"""The Alembic migrations build exactly the schema the models declare, and undo it cleanly.

Runs on SQLite (a temporary file) always, and on PostgreSQL when ``LEARNWISE_TEST_POSTGRES_URL``
names a server (``.ci/run`` sets it, for example
``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``): each test then gets its own
``lw_mig_<hex>`` database, dropped afterwards.
"""

import ast
import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, Connection, inspect, pool, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from learnwise.migrate import (
    alembic_config,
    check_models_match,
    downgrade,
    include_name,
    upgrade,
)
from learnwise.models import Base

POSTGRES_SERVER_URL = os.environ.get("LEARNWISE_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_SERVER_URL else ["sqlite"]
MODEL_TABLES = set(Base.metadata.tables)
VERSIONS_DIR = Path(__file__).resolve().parents[1] / "migrations" / "versions"


async def run_on(url: str, fn: Callable[[Connection], Any]) -> Any:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


async def table_names(url: str) -> set[str]:
    """The tables of the database, less those the models deliberately leave out."""
    names = await run_on(url, lambda c: inspect(c).get_table_names())
    return {name for name in names if include_name(name, "table", {})}


async def stamped_versions(url: str) -> list[str]:
    def read(connection: Connection) -> list[str]:
        return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())

    return await run_on(url, read)


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


async def models_diff(url: str) -> list[Any]:
    return await asyncio.to_thread(check_models_match, url)


async def on_postgres_server(statement: str) -> None:
    assert POSTGRES_SERVER_URL is not None
    engine = create_async_engine(
        POSTGRES_SERVER_URL, isolation_level="AUTOCOMMIT", poolclass=pool.NullPool
    )
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of each backend; the SQLite file's directory does not exist yet."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'not-yet-created' / 'learnwise.db'}"
        return
    assert POSTGRES_SERVER_URL is not None
    name = f"lw_mig_{uuid.uuid4().hex[:12]}"
    await on_postgres_server(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(POSTGRES_SERVER_URL).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        await on_postgres_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_upgrade_to_head_builds_the_models_schema(empty_database_url: str) -> None:
    await upgrade(empty_database_url)

    assert await models_diff(empty_database_url) == []
    assert await table_names(empty_database_url) == MODEL_TABLES | {"alembic_version"}
    assert await stamped_versions(empty_database_url) == [head_revision(empty_database_url)]


async def test_upgrade_keeps_what_compare_metadata_does_not_check(empty_database_url: str) -> None:
    """Alembic's comparison ignores CHECK constraints and server defaults: compare them here."""
    await upgrade(empty_database_url)

    def reflect(connection: Connection) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
        inspector = inspect(connection)
        checks = {
            (table, check["name"])
            for table in MODEL_TABLES
            for check in inspector.get_check_constraints(table)
        }
        defaults = {
            (table, column["name"])
            for table in MODEL_TABLES
            for column in inspector.get_columns(table)
            if column["default"] is not None
        }
        return checks, defaults

    checks, defaults = await run_on(empty_database_url, reflect)

    assert checks == {
        (table.name, constraint.name)
        for table in Base.metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    assert defaults == {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.server_default is not None
    }


async def test_downgrade_to_base_removes_everything_and_upgrade_runs_again(
    empty_database_url: str,
) -> None:
    await upgrade(empty_database_url)

    await downgrade(empty_database_url, "base")

    assert await table_names(empty_database_url) == {"alembic_version"}
    assert await stamped_versions(empty_database_url) == []

    await upgrade(empty_database_url)

    assert await models_diff(empty_database_url) == []
    assert await stamped_versions(empty_database_url) == [head_revision(empty_database_url)]


def test_migration_scripts_do_not_import_the_application() -> None:
    """Old migrations must keep working whatever later happens to the application's code."""
    scripts = sorted(VERSIONS_DIR.glob("*.py"))
    assert scripts
    for script in scripts:
        tree = ast.parse(script.read_text(encoding="utf-8"))
        imported = {
            name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for name in (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
        }
        assert not {name for name in imported if name.split(".")[0] == "learnwise"}, script.name
