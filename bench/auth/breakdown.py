"""What a request costs, in one process with no load and no server or socket in front of the app:
for each endpoint, the CPU and wall time per request and the round trips it makes to PostgreSQL
and to Redis; then each step of GET /api/v1/auth/me timed alone. CPU time is this process's own
(all its threads): what bounds an instance's throughput. Wall time adds the waits for PostgreSQL
and Redis. Uses a throwaway database, like run.py.

    bench/auth/run.sh [--rev REV] breakdown [--iterations 2000]
"""

import argparse
import asyncio
import asyncio.selector_events
import collections
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from learnwise.auth import service
from learnwise.auth.models import User
from learnwise.config import Settings
from learnwise.db import create_engine, make_sessionmaker
from learnwise.main import create_app
from learnwise.platform.runtime import Runtime

from bare_app import app as bare_app
from stack import Ports, Stack
from whatif_app import create_app as create_whatif_app

PASSWORD = "bench-password-7c1d"
PEERS = {5432: "postgres", 6379: "redis"}
ME = "/api/v1/auth/me"
ROUNDS = 5


class WriteCounter:
    """Counts the writes this process's event loop sends to PostgreSQL and Redis. Every one of
    these writes is a request that the client then awaits the answer of: one round trip."""

    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        original = asyncio.selector_events._SelectorSocketTransport.write
        counts = self.counts

        def write(transport, data) -> None:  # type: ignore[no-untyped-def]
            peer = transport.get_extra_info("peername")
            counts[PEERS.get(peer[1] if peer else 0, "other")] += 1
            original(transport, data)

        asyncio.selector_events._SelectorSocketTransport.write = write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--redis-db", type=int, default=15)
    args = parser.parse_args()
    stack = Stack(
        ports=Ports(0),
        redis_db=args.redis_db,
        workdir=Path(tempfile.mkdtemp(prefix="lw-breakdown-")),
    )
    try:
        env = stack.prepare_database()
        settings = Settings(
            _env_file=None,
            environment=env["LEARNWISE_ENVIRONMENT"],
            secret_key=env["LEARNWISE_SECRET_KEY"],
            database_url=env["DATABASE_URL"],
            redis_url=env["REDIS_URL"],
            redis_prefix=env["LEARNWISE_REDIS_PREFIX"],
            log_level="WARNING",
            auth={
                "login_rate_per_ip": "1000000/minute",
                "login_rate_per_account_ip": "1000000/minute",
                "register_rate_per_ip": "1000000/minute",
            },
        )
        requests, steps = asyncio.run(_measure(settings, args.iterations))
    finally:
        for line in stack.stop():
            print(line)
    print(json.dumps({"requests": requests, "steps_of_me": steps}, indent=2))
    print()
    print(
        "| request (in process, no socket) | CPU µs | wall µs | PostgreSQL round trips "
        "| Redis round trips |"
    )
    print("|---|---:|---:|---:|---:|")
    for row in requests:
        print(
            f"| {row['name']} | {row['cpu_us']:.0f} | {row['wall_us']:.0f} "
            f"| {row['postgres_round_trips']:g} | {row['redis_round_trips']:g} |"
        )
    print()
    print(
        "| step of GET /me, alone | CPU µs | wall µs | PostgreSQL round trips | Redis round trips |"
    )
    print("|---|---:|---:|---:|---:|")
    for row in steps:
        print(
            f"| {row['name']} | {row['cpu_us']:.0f} | {row['wall_us']:.0f} "
            f"| {row['postgres_round_trips']:g} | {row['redis_round_trips']:g} |"
        )


async def _measure(settings: Settings, iterations: int) -> tuple[list[dict], list[dict]]:
    counter = WriteCounter()
    app = create_app(settings)
    runtime = Runtime.build(settings)
    app.state.runtime = runtime
    try:
        async with runtime.sessionmaker() as session:
            user = await service.create_user(
                session=session,
                email="breakdown@bench.learnwise.dev",
                display_name="Bench",
                password=PASSWORD,
            )
            tokens = await service.start_session(
                session=session,
                runtime=runtime,
                user=user,
                client=service.ClientInfo(),
                method="password",
            )
            await session.commit()
        user_id, session_id = user.user_id, tokens.session.session_id
        bearer = [(b"authorization", f"Bearer {tokens.access_token}".encode())]
        json_body = [(b"content-type", b"application/json")]
        refresh_token = tokens.refresh_token

        async def refresh() -> None:
            nonlocal refresh_token
            body = json.dumps({"refresh_token": refresh_token}).encode()
            answer = await _asgi(app, "POST", "/api/v1/auth/refresh", json_body, body)
            refresh_token = json.loads(answer)["refresh_token"]

        login_body = json.dumps({"email": user.email, "password": PASSWORD}).encode()
        whatif = create_whatif_app(settings)  # from here on, Runtime.build skips the pre-ping
        whatif.state.runtime = whatif_runtime = Runtime.build(settings)
        endpoints: list[tuple[str, Callable[[], Awaitable[object]], int]] = [
            ("GET /bare (bare app)", lambda: _asgi(bare_app, "GET", "/bare"), iterations),
            ("GET /health/live", lambda: _asgi(app, "GET", "/health/live"), iterations),
            ("GET /api/v1/auth/me", lambda: _asgi(app, "GET", ME, bearer), iterations),
            ("POST /api/v1/auth/refresh", refresh, iterations // 4),
            (
                "POST /api/v1/auth/login",
                lambda: _asgi(app, "POST", "/api/v1/auth/login", json_body, login_body),
                iterations // 20,
            ),
            (
                "what-if: GET /api/v1/auth/me, engine without pre-ping",
                lambda: _asgi(whatif, "GET", ME, bearer),
                iterations,
            ),
            (
                "what-if: GET /whatif/me-one-query",
                lambda: _asgi(whatif, "GET", "/whatif/me-one-query", bearer),
                iterations,
            ),
            (
                "what-if: GET /whatif/principal (session check only)",
                lambda: _asgi(whatif, "GET", "/whatif/principal", bearer),
                iterations,
            ),
            (
                "what-if: GET /whatif/principal-async (async runtime dependency)",
                lambda: _asgi(whatif, "GET", "/whatif/principal-async", bearer),
                iterations,
            ),
            (
                "what-if: GET /whatif/principal-local (+ 2 s in-process cache)",
                lambda: _asgi(whatif, "GET", "/whatif/principal-local", bearer),
                iterations,
            ),
            (
                "what-if: GET /whatif/live-last (/health/live's handler, routed last)",
                lambda: _asgi(whatif, "GET", "/whatif/live-last"),
                iterations,
            ),
        ]
        requests = await _interleaved(endpoints, counter)
        no_ping_engine = create_engine(settings.database_url, pool_pre_ping=False)
        no_ping_sessions = make_sessionmaker(no_ping_engine)
        raw = await asyncpg.connect(settings.database_url.replace("+asyncpg", ""))

        async def unit_of_work(sessions=runtime.sessionmaker) -> None:
            async with sessions() as session:
                await service.get_user(session=session, user_id=user_id)
                await session.commit()

        async def one_select_no_ping() -> None:
            async with no_ping_sessions() as session:
                await session.execute(select(User.email).where(User.user_id == user_id))
                await session.commit()

        async def checkout_with_pre_ping() -> None:
            async with runtime.engine.connect() as connection:
                await connection.get_raw_connection()

        steps: list[tuple[str, Callable[[], Awaitable[object]]]] = [
            ("JWT verify (HS256)", lambda: _now(runtime.signer.verify, tokens.access_token)),
            (
                "one sync dependency (get_runtime) run in the thread pool",
                lambda: run_in_threadpool(lambda: runtime),
            ),
            (
                "load_principal: cached, one Redis GET",
                lambda: service.load_principal(
                    runtime=runtime, user_id=user_id, session_id=session_id
                ),
            ),
            ("pool checkout with pre-ping (BEGIN; ';'; ROLLBACK)", checkout_with_pre_ping),
            (
                "session + get_user + commit, as /me (pre-ping, BEGIN, user, roles, COMMIT)",
                unit_of_work,
            ),
            ("same, engine without pool_pre_ping", lambda: unit_of_work(no_ping_sessions)),
            (
                "one Core SELECT in a session, no pre-ping (BEGIN, SELECT, COMMIT)",
                one_select_no_ping,
            ),
            ("one raw asyncpg round trip (fetchval SELECT 1)", lambda: raw.fetchval("SELECT 1")),
            ("one Redis round trip (PING)", runtime.redis.ping),
        ]
        steps_of_me = await _interleaved([(n, c, iterations) for n, c in steps], counter)
        await raw.close()
        await no_ping_engine.dispose()
        await whatif_runtime.close()
        return requests, steps_of_me
    finally:
        await runtime.close()


async def _interleaved(
    calls: list[tuple[str, Callable[[], Awaitable[object]], int]], counter: WriteCounter
) -> list[dict]:
    """Times every call in ROUNDS interleaved passes (so that a burst of other load on the
    machine hits them all alike) and keeps each one's median pass."""
    samples: dict[str, list[tuple[float, float, float, float]]] = {n: [] for n, _, _ in calls}
    for _, call, count in calls:
        await _time(call, max(count // 10, 5))  # warm-up: caches, prepared statements, pool
    for _ in range(ROUNDS):
        for call_name, call, count in calls:
            per_pass = max(count // ROUNDS, 5)
            counter.counts.clear()
            wall, cpu = await _time(call, per_pass)
            samples[call_name].append(
                (
                    cpu,
                    wall,
                    counter.counts["postgres"] / per_pass,
                    counter.counts["redis"] / per_pass,
                )
            )
    rows = []
    for call_name, _, _ in calls:
        cpu, wall, postgres, redis_trips = (
            statistics.median(v) for v in zip(*samples[call_name], strict=True)
        )
        rows.append(
            {
                "name": call_name,
                "cpu_us": round(cpu, 1),
                "wall_us": round(wall, 1),
                "postgres_round_trips": round(postgres, 2),
                "redis_round_trips": round(redis_trips, 2),
            }
        )
    return rows


async def _now(function: Callable, *args: object) -> object:
    return function(*args)


async def _time(call: Callable[[], Awaitable[object]], iterations: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(iterations):
        await call()
    return (
        (time.perf_counter() - wall) * 1e6 / iterations,
        (time.process_time() - cpu) * 1e6 / iterations,
    )


async def _asgi(
    app, method: str, path: str, headers: list[tuple[bytes, bytes]] = (), body: bytes = b""
) -> bytes:
    """One request through an ASGI app, as uvicorn would make it, minus the socket."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
        "headers": [(b"host", b"bench"), (b"content-length", str(len(body)).encode()), *headers],
        "state": {},
    }
    status, chunks = 0, []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    if not 200 <= status < 300:
        raise RuntimeError(f"{method} {path} answered {status}: {b''.join(chunks)[:300]!r}")
    return b"".join(chunks)


if __name__ == "__main__":
    main()
