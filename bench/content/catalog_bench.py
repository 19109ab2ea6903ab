"""The content bench: catalog search over 10,000 published courses and course pages, cold and
cached, on two Learnwise instances sharing PostgreSQL and Redis, beside the bare endpoint served
the same way, all measured with wrk in one run. Writes a JSON file of every figure and prints a
Markdown table.

    bench/content/run.sh [--duration 15] [--rounds 2] [--connections 16,64]

See bench/README.md. It reuses the auth bench's stack (auth/stack.py), its wrk runner with the
CPU accounting (auth/run.py) and its report (auth/report.py).
"""

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import httpx
import redis

AUTH_DIR = Path(__file__).resolve().parent.parent / "auth"
sys.path.insert(0, str(AUTH_DIR))

from queries import popular_paths, varied_paths  # noqa: E402
from report import machine_facts, markdown  # noqa: E402
from run import Bench, _register_users, _wait_quiet  # noqa: E402
from seed_catalog import seed  # noqa: E402
from stack import REPO, VENV_BIN, Ports, Stack, require_tools  # noqa: E402

CONTENT_WRK_DIR = Path(__file__).resolve().parent / "wrk"
# Targets of issue 3.
CACHED_OVER_BARE_TARGET = 0.6
CACHED_P99_TARGET_MS = 25
SEARCH_P95_TARGET_MS = 30
TARGET_CONNECTIONS = 64

# name: (what it measures, whether its cache is retired before each measured run)
ENDPOINTS = {
    "bare": ("GET /bare on the bare pair (the baseline)", False),
    "search": ("GET /courses/list?q=..., distinct queries and filters, cache retired", True),
    "search_hot": ("GET /courses/list?q=..., 20 popular queries, from the cache", False),
    "course_cold": ("GET /courses/{id} of the 10,000 courses in turn, cache retired", True),
    "course_cached": ("GET /courses/{id} of the demo courses, anonymous, from the cache", False),
    "course_cached_learner": (
        "GET /courses/{id} of the demo courses, learners' bearer tokens, from the cache",
        False,
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per endpoint")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every endpoint")
    parser.add_argument("--connections", default="16,64", help="wrk connection counts")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--courses", type=int, default=10_000, help="published courses")
    parser.add_argument("--users", type=int, default=64, help="learner accounts")
    parser.add_argument("--base-port", type=int, default=8140)
    parser.add_argument("--redis-db", type=int, default=15)
    parser.add_argument("--only", default="", help="comma-separated subset of the endpoints")
    parser.add_argument("--max-minutes", type=float, default=12, help="refuse longer plans")
    parser.add_argument("--wait-quiet", type=int, default=0, help="see auth/run.py")
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "bench" / "out" / "content-latest.json",
        help="JSON results",
    )
    args = parser.parse_args()
    connections = [int(c) for c in args.connections.split(",")]
    only = set(args.only.split(",")) - {""}
    names = [n for n in ENDPOINTS if not only or n in only or n == "bare"]
    require_tools()
    planned = 150 + len(names) * (args.warmup + args.rounds * len(connections) * args.duration)
    print(f"planned: about {planned / 60:.1f} minutes ({', '.join(names)})")
    if planned > args.max_minutes * 60:
        raise SystemExit(f"over --max-minutes {args.max_minutes}: shorten --duration or --rounds")
    background = _wait_quiet(args.wait_quiet)
    print(f"machine busy before the run: {background:.0%} of all cores")

    workdir = Path(tempfile.mkdtemp(prefix="lw-bench-content-"))
    stack = Stack(ports=Ports(args.base_port, step=10), redis_db=args.redis_db, workdir=workdir)
    report: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine_busy_before_run": round(background, 3),
    }
    completed = False
    try:
        print(f"database {stack.database}, Redis db {stack.redis_db} prefix {stack.redis_prefix}")
        stack.start()
        files = _prepare(stack, workdir, args.courses, args.users)
        report["data"] = files.pop("facts")
        print(f"data: {report['data']}")
        bench = Bench(stack, args.threads, args.duration)
        # Bench.wrk finds scripts in auth/wrk; paths.lua is named by its absolute path.
        paths_lua = str(CONTENT_WRK_DIR / "paths.lua")
        app = f"{stack.app_url}/"
        plans = {
            "bare": (f"{stack.bare_url}/bare", "get.lua", ["/bare"]),
            "search": (app, paths_lua, [str(files["varied"])]),
            "search_hot": (app, paths_lua, [str(files["popular"])]),
            "course_cold": (app, paths_lua, [str(files["cold"])]),
            "course_cached": (app, paths_lua, [str(files["cached"])]),
            "course_cached_learner": (app, paths_lua, [str(files["cached"]), str(files["tokens"])]),
        }
        for name in names:
            _measure(bench, stack, name, plans[name], connections[0], args.warmup, 0)
        for round_number in range(1, args.rounds + 1):
            for conns in connections:
                for name in names:
                    _measure(bench, stack, name, plans[name], conns, args.duration, round_number)
        report["runs"] = bench.runs
        report["server_errors"] = stack.error_summary()
        completed = True
    finally:
        for line in stack.stop(keep_logs=not completed):
            print(line)
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["settings"] = {
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "rounds": args.rounds,
        "connections": connections,
        "wrk_threads": args.threads,
        "courses": args.courses,
        "users": args.users,
    }
    report["machine"] = machine_facts(stack.redis_url)
    report["source"] = os.environ.get("LW_BENCH_SOURCE", "unknown (run without run.sh)")
    report["summary"] = summary(report["runs"], connections)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")
    print(markdown(report, ()))
    print(targets_markdown(report["summary"]))


def _measure(
    bench: Bench,
    stack: Stack,
    name: str,
    plan: tuple[str, str, list[str]],
    connections: int,
    duration: int,
    round_number: int,
) -> None:
    """One wrk run of ``name`` (round 0: the warm-up), after retiring its cache if it has one."""
    url, script, script_args = plan
    if ENDPOINTS[name][1]:
        _retire_cache(stack, name)
    bench.wrk(
        name,
        url,
        script,
        script_args,
        connections,
        duration,
        max(round_number, 1),
        warmup=round_number == 0,
    )


def _retire_cache(stack: Stack, name: str) -> None:
    """Drops what the app cached for this endpoint, so that the run reads PostgreSQL: the
    catalog's generation (every cached listing hangs on it), or every course's entries."""
    client = redis.Redis.from_url(stack.redis_url)
    prefix = f"{stack.redis_prefix}:cache:"
    if name == "search":
        client.delete(prefix + "content:catalog:generation")
    else:
        keys = list(client.scan_iter(match=prefix + "content:course:*", count=5000))
        for start in range(0, len(keys), 5000):
            client.delete(*keys[start : start + 5000])
    client.close()


def _prepare(stack: Stack, workdir: Path, courses: int, users: int) -> dict:
    """The demo courses (through ``learnwise seed-demo``), the bulk catalog, learner accounts
    (half of them enrolled in every demo course), and the files wrk reads."""
    env = stack.app_environment(secrets.token_urlsafe(48))
    subprocess.run(
        [str(VENV_BIN / "learnwise"), "seed-demo"],
        env=env,
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    demo_ids = stack.psql("SELECT course_id FROM courses WHERE status = 'published'").split()
    listed = asyncio.run(seed(stack.database_url, courses=courses, instructors=100))
    all_ids = stack.psql("SELECT course_id FROM courses WHERE status = 'published'").split()
    learners = asyncio.run(_register_users(stack.app_url, users, stack.run_id))
    asyncio.run(_enroll(stack.app_url, learners[::2], demo_ids))

    def write(name: str, lines: list[str]) -> Path:
        path = workdir / name
        path.write_text("".join(line + "\n" for line in lines))
        return path

    varied = varied_paths(30_000)
    cold = [f"/api/v1/courses/{i}" for i in all_ids if i not in demo_ids]
    files = {
        "varied": write("search_varied.txt", varied),
        "popular": write("search_popular.txt", popular_paths()),
        "cold": write("course_cold.txt", cold),
        "cached": write("course_cached.txt", [f"/api/v1/courses/{i}" for i in demo_ids]),
        "tokens": write("tokens.txt", [u["access_token"] for u in learners]),
    }
    _check(stack, varied[0], cold[0], learners[0]["access_token"])
    files["facts"] = {
        "published_courses": listed,
        "demo_courses": len(demo_ids),
        "distinct_search_queries": len(varied),
        "cold_course_pages": len(cold),
        "learners": len(learners),
        "learners_enrolled_in_demo_courses": len(learners[::2]),
    }
    return files


async def _enroll(base_url: str, learners: list[dict], course_ids: list[str]) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        for learner in learners:
            for course_id in course_ids:
                response = await client.post(
                    f"/api/v1/courses/{course_id}/enrollment",
                    headers={"Authorization": f"Bearer {learner['access_token']}"},
                )
                response.raise_for_status()


def _check(stack: Stack, search_path: str, course_path: str, token: str) -> None:
    for path, headers in (
        (search_path, {}),
        (course_path, {}),
        (course_path, {"Authorization": f"Bearer {token}"}),
    ):
        response = httpx.get(stack.app_url + path, headers=headers, timeout=60)
        if response.status_code != 200:
            raise RuntimeError(f"sanity check failed: {path} {response.status_code}")


def summary(runs: list[dict], connections: list[int]) -> dict:
    """Per connection count and endpoint: median req/s, its ratio to bare's median, and the
    worst p95 and p99 over the rounds; then the targets of issue 3."""
    by_connections: dict[str, dict] = {}
    for conns in connections:
        rows: dict[str, dict] = {}
        for endpoint in dict.fromkeys(r["endpoint"] for r in runs):
            mine = [r for r in runs if r["endpoint"] == endpoint and r["connections"] == conns]
            if mine:
                rows[endpoint] = {
                    "rps": statistics.median(r["rps"] for r in mine),
                    "p95_ms_worst": max(r["latency_us"]["p95"] for r in mine) / 1000,
                    "p99_ms_worst": max(r["latency_us"]["p99"] for r in mine) / 1000,
                    "requests_min": min(r["requests"] for r in mine),
                }
        bare = rows.get("bare", {}).get("rps")
        for row in rows.values():
            row["over_bare"] = round(row["rps"] / bare, 3) if bare else None
        by_connections[str(conns)] = rows
    at_target = by_connections.get(str(TARGET_CONNECTIONS), {})
    cached = at_target.get("course_cached", {})
    targets = {
        "course_cached_over_bare_at_64": cached.get("over_bare"),
        "course_cached_p99_ms_at_64": cached.get("p99_ms_worst"),
        "search_p95_ms": {
            c: rows["search"]["p95_ms_worst"]
            for c, rows in by_connections.items()
            if "search" in rows
        },
    }
    targets["cached_met"] = bool(cached) and (
        cached["over_bare"] >= CACHED_OVER_BARE_TARGET
        and cached["p99_ms_worst"] <= CACHED_P99_TARGET_MS
    )
    targets["search_met_at"] = {
        c: p95 <= SEARCH_P95_TARGET_MS for c, p95 in targets["search_p95_ms"].items()
    }
    return {"by_connections": by_connections, "targets": targets}


def targets_markdown(result: dict) -> str:
    rows = ["", "| endpoint | conns | median req/s | ÷ bare | worst p95 ms | worst p99 ms |"]
    rows.append("|---|---:|---:|---:|---:|---:|")
    for conns, endpoints in result["by_connections"].items():
        for name, row in endpoints.items():
            rows.append(
                f"| {name} | {conns} | {row['rps']:.0f} | {row['over_bare']} "
                f"| {row['p95_ms_worst']:.1f} | {row['p99_ms_worst']:.1f} |"
            )
    rows.append(f"- targets: {result['targets']}")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
