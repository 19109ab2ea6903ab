"""Analytics bench on PostgreSQL and Redis: event ingestion, and course-metrics over 10 million
events of one course.

    uv run --project backend python bench/analytics/bench.py [--events 10000000] [--learners 20000]

Everything runs in this process against the real app (httpx over ASGI, no sockets), on a
throwaway database ``lw_bench_analytics_<hex>`` (dropped at the end unless ``--keep``) and Redis
database 15 under a throwaway prefix. Each figure comes with a baseline measured in the same run:

- ingestion: batches of 100 client events through POST /analytics/events, against the same rows
  inserted straight into ``activity_event`` (one multi-row INSERT ... ON CONFLICT per batch);
- course-metrics: GET /analytics/course-metrics against the bare GET /health/live (the app's
  middleware, no auth, no database) and GET /courses/{id} (the cached course page), each under
  the same number of simultaneous requests, endpoint after endpoint in every round, so that load
  from elsewhere hits all alike.

The 10 million events are generated with ``generate_series``; the rollups that course-metrics
reads are then rebuilt from them with GROUP BY queries that follow the definitions of
``analytics/rollups.py`` (folding 10 million events through the relay would take hours).
"""

import argparse
import asyncio
import json
import platform
import secrets
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import create_async_engine

from learnwise import migrate
from learnwise.analytics.models import ActivityEvent, time_ordered_id
from learnwise.auth import service as auth_service
from learnwise.config import Settings
from learnwise.db import utcnow
from learnwise.main import create_app

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate_events, rebuild_rollups

API = "/api/v1"
PASSWORD = "correct horse battery staple"
SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def admin_sql(statement: str) -> None:
    engine = create_async_engine(SERVER, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


async def account(client: httpx.AsyncClient, runtime: Any, role: str) -> dict[str, str]:
    email = f"bench-{secrets.token_hex(5)}@example.org"
    async with runtime.sessionmaker() as session:
        user = await auth_service.create_user(
            session=session, email=email, display_name="Bench", password=PASSWORD, roles=(role,)
        )
        await session.commit()
    return await sign_in(client, email, str(user.user_id))


async def sign_in(client: httpx.AsyncClient, email: str, user_id: str) -> dict[str, str]:
    """A fresh access token (they expire while 10 million events are generated)."""
    response = await client.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD})
    response.raise_for_status()
    return {
        "email": email,
        "user_id": user_id,
        "Authorization": f"Bearer {response.json()['access_token']}",
    }


def _headers(who: dict[str, str]) -> dict[str, str]:
    return {"Authorization": who["Authorization"]}


async def build_course(client: httpx.AsyncClient, owner: dict[str, str]) -> tuple[str, list[str]]:
    """A published course of 5 modules of 8 items (every fourth a quiz)."""
    created = await client.post(f"{API}/courses", json={"title": "Bench"}, headers=_headers(owner))
    created.raise_for_status()
    course_id = created.json()["course_id"]
    items = []
    options = [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]
    for m in range(5):
        module = await client.post(
            f"{API}/courses/{course_id}/modules", json={"title": f"M{m}"}, headers=_headers(owner)
        )
        module.raise_for_status()
        for i in range(8):
            content: dict[str, Any] = {"type": "lesson", "body": f"# Lesson {m}.{i}\n\nText."}
            if i % 4 == 3:
                content = {
                    "type": "quiz",
                    "passing_score": 0.5,
                    "questions": [
                        {
                            "id": f"q{q}",
                            "type": "single_choice",
                            "prompt": "?",
                            "options": options,
                            "correct": "a",
                        }
                        for q in (1, 2)
                    ],
                }
            item = await client.post(
                f"{API}/courses/{course_id}/modules/{module.json()['module_id']}/items",
                json={"title": f"Item {m}.{i}", "content": content},
                headers=_headers(owner),
            )
            item.raise_for_status()
            items.append(item.json()["content_id"])
            published = await client.post(
                f"{API}/items/{items[-1]}/publish", headers=_headers(owner)
            )
            published.raise_for_status()
    (
        await client.post(f"{API}/courses/{course_id}/publish", headers=_headers(owner))
    ).raise_for_status()
    return course_id, items


def client_batch(items: list[str], size: int) -> list[dict[str, Any]]:
    now = utcnow()
    events: list[dict[str, Any]] = []
    for n in range(size):
        base = {
            "id": str(uuid.uuid4()),
            "occurred_at": now.isoformat(),
            "content_id": items[n % len(items)],
        }
        kind = n % 4
        if kind == 0:
            events.append(base | {"type": "lesson_view"})
        elif kind == 1:
            events.append(base | {"type": "video_seek", "from_seconds": 90, "to_seconds": 10})
        elif kind == 2:
            events.append(base | {"type": "heartbeat", "seconds": 30})
        else:
            events.append(base | {"type": "video_play", "position_seconds": 12.5})
    return events


async def bench_ingestion(
    client: httpx.AsyncClient, runtime: Any, items: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    learners = [await account(client, runtime, "learner") for _ in range(args.concurrency)]
    for learner in learners:
        response = await client.patch(
            f"{API}/users/me/settings", json={"analytics_consent": True}, headers=_headers(learner)
        )
        response.raise_for_status()
    per_worker = args.ingest_batches // args.concurrency

    async def through_api(learner: dict[str, str]) -> None:
        for _ in range(per_worker):
            response = await client.post(
                f"{API}/analytics/events",
                json={"events": client_batch(items, 100)},
                headers=_headers(learner),
            )
            assert response.status_code == 200 and response.json()["stored"] == 100, response.text

    async def straight(learner: dict[str, str]) -> None:
        for _ in range(per_worker):
            rows = [
                {
                    "event_id": time_ordered_id(),
                    "source": "client",
                    "type": event["type"],
                    "user_id": uuid.UUID(learner["user_id"]),
                    "course_id": None,
                    "content_id": uuid.UUID(event["content_id"]),
                    "client_event_id": uuid.UUID(event["id"]),
                    "occurred_at": utcnow(),
                    "recorded_at": utcnow(),
                    "data": {},
                }
                for event in client_batch(items, 100)
            ]
            async with runtime.sessionmaker() as session:
                await session.execute(
                    postgresql.insert(ActivityEvent).values(rows).on_conflict_do_nothing()
                )
                await session.commit()

    figures: dict[str, list[float]] = {"api": [], "straight": []}
    for _ in range(args.rounds):
        for name, worker in (("api", through_api), ("straight", straight)):
            started = time.perf_counter()
            await asyncio.gather(*(worker(learner) for learner in learners))
            elapsed = time.perf_counter() - started
            figures[name].append(per_worker * args.concurrency * 100 / elapsed)
    api, baseline = statistics.median(figures["api"]), statistics.median(figures["straight"])
    return {
        "batches_per_round": per_worker * args.concurrency,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "api_events_per_second": [round(v) for v in figures["api"]],
        "straight_insert_events_per_second": [round(v) for v in figures["straight"]],
        "ratio_of_medians": round(api / baseline, 3),
    }


async def bench_metrics(
    client: httpx.AsyncClient, owner: dict[str, str], course_id: str, args: argparse.Namespace
) -> dict[str, Any]:
    """Each round sends ``--load`` simultaneous requests to each endpoint in turn (the bare
    endpoint first), so that the machine's noise hits every endpoint alike."""
    urls = {
        "bare": "/health/live",
        "course_page": f"{API}/courses/{course_id}",
        "course_metrics_30d": f"{API}/analytics/course-metrics?course_id={course_id}&days=30",
        "course_metrics_366d": f"{API}/analytics/course-metrics?course_id={course_id}&days=366",
    }
    timings: dict[str, list[float]] = {name: [] for name in urls}
    busy: dict[str, float] = dict.fromkeys(urls, 0.0)

    async def timed(url: str) -> float:
        started = time.perf_counter()
        response = await client.get(url, headers=_headers(owner))
        elapsed = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        return elapsed

    for url in urls.values():  # warm-up: connections, caches, plans
        for _ in range(5):
            await timed(url)
    for _ in range(args.requests):
        for name, url in urls.items():
            started = time.perf_counter()
            timings[name].extend(await asyncio.gather(*(timed(url) for _ in range(args.load))))
            busy[name] += time.perf_counter() - started
    summary: dict[str, Any] = {"load": args.load, "requests_each": args.requests * args.load}
    for name, values in timings.items():
        summary[name] = {
            "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "max_ms": round(max(values), 1),
            "requests_per_second": round(len(values) / busy[name], 1),
        }
    for name in ("course_page", "course_metrics_30d", "course_metrics_366d"):
        summary[name]["p95_over_bare_p95"] = round(
            summary[name]["p95_ms"] / summary["bare"]["p95_ms"], 2
        )
    return summary


async def explain_metrics(connection: Any, course_id: str) -> dict[str, str]:
    """The plans of course-metrics' heaviest queries on the generated data: which index each
    reads (a sequential scan of a rollup would show here)."""
    queries = {
        "item_stat": "SELECT * FROM analytics_item_stat WHERE course_id = :c",
        "course_period": (
            "SELECT * FROM analytics_course_period WHERE course_id = :c "
            "AND starts_on BETWEEN current_date - 372 AND current_date"
        ),
        "at_risk_count": (
            "SELECT count(*) FROM analytics_course_learner WHERE course_id = :c "
            "AND completed_at IS NULL AND last_active_on < current_date - 14"
        ),
        "cohorts": (
            "SELECT to_char(timezone('UTC', enrolled_at), 'YYYY-MM') AS m, count(*) "
            "FROM analytics_course_learner WHERE course_id = :c GROUP BY m"
        ),
    }
    plans = {}
    for name, query in queries.items():
        rows = await connection.execute(
            text(f"EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) {query}"), {"c": uuid.UUID(course_id)}
        )
        lines = [row[0] for row in rows]
        scans = [line.strip() for line in lines if "Scan" in line]
        timing = next((line.strip() for line in lines if line.startswith("Execution")), "")
        plans[name] = "; ".join([*scans, timing])
    return plans


async def main(args: argparse.Namespace) -> dict[str, Any]:
    name = f"lw_bench_analytics_{secrets.token_hex(4)}"
    url = SERVER.rsplit("/", 1)[0] + "/" + name
    await admin_sql(f'CREATE DATABASE "{name}"')
    try:
        await migrate.upgrade(url)
        settings = Settings(
            environment="production",
            secret_key=secrets.token_urlsafe(48),
            database_url=url,
            redis_url="redis://127.0.0.1:6379/15",
            redis_prefix=name,
            log_level="WARNING",
            events={"relay_enabled": False},
            analytics={"ingest_rate_per_user": "1000000/minute"},
            auth={
                "login_rate_per_ip": "1000000/minute",
                "login_rate_per_account_ip": "1000000/minute",
            },
        )  # type: ignore[arg-type]
        app = create_app(settings)
        result: dict[str, Any] = {"database": name, "python": platform.python_version()}
        async with LifespanManager(app):
            runtime = app.state.runtime
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                owner = await account(client, runtime, "instructor")
                course_id, items = await build_course(client, owner)
                if "ingestion" in args.parts:
                    result["ingestion"] = await bench_ingestion(client, runtime, items, args)
                    print(json.dumps(result["ingestion"]), file=sys.stderr, flush=True)
                if "metrics" not in args.parts:
                    return result
                started = time.perf_counter()
                async with runtime.engine.begin() as connection:
                    await connection.execute(text("DELETE FROM activity_event"))
                    await generate_events(connection, course_id, items, args.events, args.learners)
                result["generate_seconds"] = round(time.perf_counter() - started, 1)
                started = time.perf_counter()
                async with runtime.engine.begin() as connection:
                    result["rollup_rows"] = await rebuild_rollups(connection, course_id)
                    await connection.execute(text("ANALYZE"))
                result["rebuild_seconds"] = round(time.perf_counter() - started, 1)
                async with runtime.engine.connect() as connection:
                    result["events_of_course"] = await connection.scalar(
                        text("SELECT count(*) FROM activity_event WHERE course_id = :c"),
                        {"c": uuid.UUID(course_id)},
                    )
                async with runtime.engine.connect() as connection:
                    result["plans"] = await explain_metrics(connection, course_id)
                owner = await sign_in(client, owner["email"], owner["user_id"])
                result["course_metrics"] = await bench_metrics(client, owner, course_id, args)
        return result
    finally:
        if not args.keep:
            await admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--learners", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=100, help="rounds of course-metrics")
    parser.add_argument("--load", type=int, default=4, help="simultaneous requests per round")
    parser.add_argument("--ingest-batches", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--parts", default="ingestion,metrics", help="what to run: ingestion, metrics or both"
    )
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
