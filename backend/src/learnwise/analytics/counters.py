"""Atomic counter upserts on both databases: ``INSERT ... ON CONFLICT DO UPDATE SET n = n + x``.

One statement per row, so that relays running side by side (PostgreSQL) never lose an
increment, and no read is needed before the write.
"""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


def _insert(session: AsyncSession, model: type[DeclarativeBase]) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


async def add(
    session: AsyncSession,
    model: type[DeclarativeBase],
    key: dict[str, Any],
    increments: dict[str, int | float],
    *,
    on_insert: dict[str, Any] | None = None,
) -> None:
    """Adds ``increments`` to the row of ``key`` (its primary key), creating it with them
    (and the ``on_insert`` values) if absent; with no increments, only makes sure it exists."""
    statement = _insert(session, model).values(**key, **(on_insert or {}), **increments)
    if not increments:
        await session.execute(statement.on_conflict_do_nothing())
        return
    table = model.__table__  # type: ignore[attr-defined]
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: table.c[name] + statement.excluded[name] for name in increments},
    )
    await session.execute(statement)


async def insert_new(
    session: AsyncSession, model: type[DeclarativeBase], values: dict[str, Any]
) -> bool:
    """Inserts the row unless its primary key exists; returns whether it did."""
    statement = _insert(session, model).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]
