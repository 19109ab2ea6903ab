"""The ``learnwise`` command line: serve the API, migrate the database, manage accounts."""

import asyncio
import json
import signal
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise import migrate
from learnwise.ai.cli import ai_app
from learnwise.auth import service as auth_service
from learnwise.auth.permissions import BuiltinRole
from learnwise.config import get_settings
from learnwise.db import commit as _commit
from learnwise.demo import seed
from learnwise.errors import AppError
from learnwise.platform import jobs
from learnwise.platform.runtime import Runtime

T = TypeVar("T")

app = typer.Typer(
    help="Learnwise, an adaptive learning platform. Settings come from LEARNWISE_* variables, "
    "DATABASE_URL, REDIS_URL and a .env file (see the README).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(ai_app, name="ai")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (more than one needs REDIS_URL).")
    ] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the API (OpenAPI UI at /docs) on DATABASE_URL and REDIS_URL."""
    settings = get_settings()
    if workers > 1 and not settings.redis_url:
        raise typer.BadParameter(
            "several workers share sessions, caches and rate limits only through Redis: "
            "set REDIS_URL, or use --workers 1",
            param_hint="--workers",
        )
    uvicorn.run(
        "learnwise.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        access_log=False,
        log_config=None,
    )


@app.command()
def worker() -> None:
    """Run background jobs (and their schedules) without serving the API, until interrupted.
    Run as many as needed on PostgreSQL; on SQLite one worker (the in-process one) suffices."""
    import learnwise.api  # noqa: F401  (importing the routers registers every job handler)

    async def run() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stopping.set)
        runtime = Runtime.build(get_settings())
        await runtime.hub.start()
        job_worker = jobs.start(runtime)
        typer.echo(f"Worker {job_worker.worker_id} running; stop it with Ctrl-C or SIGTERM.")
        try:
            await stopping.wait()
        finally:
            # Jobs still running go back to the queue for another worker.
            await job_worker.stop()
            await runtime.close()

    asyncio.run(run())


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    asyncio.run(migrate.upgrade(get_settings().database_url, revision))
    typer.echo(f"Database upgraded to {revision}.")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")] = "-1",
) -> None:
    """Revert migrations down to REVISION (default: one step)."""
    asyncio.run(migrate.downgrade(get_settings().database_url, revision))
    typer.echo(f"Database downgraded to {revision}.")


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's email address.", prompt=True)],
    password: Annotated[
        str,
        typer.Option(
            help="At least 8 characters.", prompt=True, hide_input=True, confirmation_prompt=True
        ),
    ],
    name: Annotated[str, typer.Option(help="Display name.")] = "Administrator",
) -> None:
    """Create an account with the admin role (or grant admin to an existing one)."""

    async def run() -> str:
        async with _unit_of_work() as (session, runtime):
            user = await auth_service.get_user_by_email(session=session, email=email)
            if user is None:
                user = await auth_service.create_user(
                    session=session,
                    email=email,
                    display_name=name,
                    password=password,
                    roles=(BuiltinRole.ADMIN, BuiltinRole.LEARNER),
                    email_verified=True,
                )
                outcome = f"Created admin {user.email}."
            elif BuiltinRole.ADMIN in user.role_names:
                outcome = f"{user.email} is already an admin."
            else:
                await auth_service.grant_role(
                    session=session,
                    runtime=runtime,
                    user_id=user.user_id,
                    role=BuiltinRole.ADMIN,
                )
                outcome = f"Granted admin to {user.email}."
            return outcome

    typer.echo(_run_or_fail(run()))


@app.command("seed-demo")
def seed_demo() -> None:
    """Load the demo accounts and courses; running it again changes nothing."""

    async def run() -> list[str]:
        async with _unit_of_work() as (session, runtime):
            return await seed(session=session, runtime=runtime)

    for line in _run_or_fail(run()):
        typer.echo(line)


@app.command("openapi")
def openapi() -> None:
    """Print the API's OpenAPI schema as JSON (the web app's client is generated from it)."""
    from learnwise.main import create_app

    typer.echo(json.dumps(create_app().openapi(), indent=2, sort_keys=True))


@asynccontextmanager
async def _unit_of_work() -> AsyncIterator[tuple[AsyncSession, Runtime]]:
    """A database session for one command, committed when the command succeeds, with the same
    shared parts (cache, Redis) as the servers so that their caches see the change."""
    runtime = Runtime.build(get_settings())
    try:
        async with runtime.sessionmaker() as session:
            yield session, runtime
            await _commit(session)
    finally:
        await runtime.close()


def _run_or_fail(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coroutine)
    except AppError as exc:
        typer.echo(f"Error: {exc.detail}", err=True)
        raise typer.Exit(code=1) from exc
