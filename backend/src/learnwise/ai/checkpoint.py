"""The LangGraph checkpointer of the configured database, so that a long workflow survives a
restart and can be resumed by its thread id.

    async with checkpoint.open_checkpointer(settings) as saver:
        graph = builder.compile(checkpointer=saver)
        await graph.ainvoke(state, {"configurable": {"thread_id": str(run_id)}})

SQLite: ``AsyncSqliteSaver`` on a file of its own beside the database (its own connection must
never wait on the application's write lock). PostgreSQL: ``AsyncPostgresSaver`` (psycopg) on the
same database, in a schema of its own (``langgraph``), outside the migrated tables. The saver
creates its tables once per process and database.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from psycopg import AsyncConnection, sql
from psycopg.rows import dict_row
from sqlalchemy.engine import make_url

from learnwise.config import Settings

POSTGRES_SCHEMA = "langgraph"
# asyncpg spells TLS ``ssl``; libpq (psycopg) spells it ``sslmode``.
_ASYNCPG_TO_LIBPQ_QUERY = {"ssl": "sslmode"}

# Any key for PostgreSQL's advisory lock that serialises the checkpointer's own migrations
# between instances starting together.
_SETUP_LOCK_KEY = 0x1EA7_6E11

_set_up: set[str] = set()


def sqlite_checkpoint_path(settings: Settings) -> Path:
    """The checkpoint file: the setting, else ``<database>-checkpoints.db`` beside the database."""
    if settings.ai.checkpoint_sqlite_path is not None:
        return settings.ai.checkpoint_sqlite_path
    database = settings.sqlite_path()
    if database is None:
        raise ValueError("not a SQLite database")
    return database.with_name(f"{database.stem}-checkpoints.db")


def psycopg_conninfo(database_url: str) -> str:
    """A libpq URL for psycopg from the application's SQLAlchemy URL (asyncpg driver)."""
    url = make_url(database_url)
    query = {_ASYNCPG_TO_LIBPQ_QUERY.get(key, key): value for key, value in url.query.items()}
    return url.set(drivername="postgresql", query=query).render_as_string(hide_password=False)


@asynccontextmanager
async def open_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver]:
    """Opens a checkpointer for one graph run (a connection of its own, closed afterwards)."""
    if settings.is_sqlite:
        path = sqlite_checkpoint_path(settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
            await _set_up_once(str(path), saver)
            yield saver
        return
    conninfo = psycopg_conninfo(settings.database_url)
    async with await AsyncConnection.connect(
        conninfo,
        autocommit=True,
        prepare_threshold=0,
        row_factory=dict_row,
        options=f"-c search_path={POSTGRES_SCHEMA}",
    ) as connection:
        saver = AsyncPostgresSaver(conn=connection)  # type: ignore[arg-type]
        if conninfo not in _set_up:
            await connection.execute("SELECT pg_advisory_lock(%s)", (_SETUP_LOCK_KEY,))
            try:
                await connection.execute(
                    sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                        sql.Identifier(POSTGRES_SCHEMA)
                    )
                )
                await saver.setup()
            finally:
                await connection.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK_KEY,))
            _set_up.add(conninfo)
        yield saver


async def _set_up_once(key: str, saver: AsyncSqliteSaver) -> None:
    # CREATE TABLE IF NOT EXISTS under SQLite's write lock: safe to repeat, done once anyway.
    if key not in _set_up:
        await saver.setup()
        _set_up.add(key)
