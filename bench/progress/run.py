"""The progress bench: progress writes per second (POST /api/v1/items/{id}/progress, each with
a new Idempotency-Key) on two Learnwise instances behind HAProxy sharing PostgreSQL and Redis,
beside pgbench's insert-only TPS (pgbench_insert.sql) on the same PostgreSQL server in the same
run, both at 64 connections. Writes a JSON file of every figure and prints a summary.

    bench/progress/run.sh [--rev REV] [--duration 20] [--connections 64]

See bench/README.md. Target: progress writes/s at least 30% of pgbench's insert TPS.
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# course first: it puts the auth bench's folder (stack) on the path.
from course import BenchStack, build_course  # isort: skip
from stack import REPO, Ports, Stack, require_tools
from usage import Usage, postgres_backends_of

BENCH_DIR = Path(__file__).resolve().parent

TARGET = 0.30
PGBENCH_TABLE = """
CREATE TABLE bench_progress_insert (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,
    content_id uuid NOT NULL,
    time_spent_seconds integer NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bench_progress_insert_user ON bench_progress_insert (user_id, content_id);
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per side")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk and pgbench threads")
    parser.add_argument("--learners", type=int, default=64)
    parser.add_argument("--items", type=int, default=16, help="lessons in the bench's course")
    parser.add_argument("--base-port", type=int, default=8400)
    parser.add_argument("--redis-db", type=int, default=14)
    parser.add_argument(
        "--wait-connections", type=int, default=120, help="seconds to wait for free connections"
    )
    parser.add_argument("--min-pgbench-clients", type=int, default=16)
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "bench" / "out" / "progress-latest.json",
        help="JSON results",
    )
    args = parser.parse_args()
    # A SIGTERM (timeout, kill) ends the run through its cleanup, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    require_tools()
    if shutil.which("pgbench") is None:
        raise SystemExit("missing pgbench: apt-get install -y postgresql-client")

    workdir = Path(tempfile.mkdtemp(prefix="lw-bench-progress-"))
    stack = BenchStack(ports=Ports(args.base_port), redis_db=args.redis_db, workdir=workdir)
    report: dict = {"started_at": datetime.now(UTC).isoformat(timespec="seconds")}
    completed = False
    try:
        print(f"database {stack.database}, Redis db {stack.redis_db} prefix {stack.redis_prefix}")
        stack.start()
        # pgbench first, while the instances hold almost no connections: both sides use 64 and
        # the server allows 100 in all (its idle pools would hold up to 40 after the app's run).
        stack.psql(PGBENCH_TABLE)
        clients = pgbench_clients(stack, args)
        pgbench(stack, args, clients, args.warmup)
        report["pgbench"] = pgbench(stack, args, clients, args.duration)
        pairs = asyncio.run(build_course(stack, learners=args.learners, items=args.items)).pairs
        pairs_file = workdir / "pairs.txt"
        pairs_file.write_text("".join(f"{token} {item}\n" for token, item in pairs))
        wrk(stack, args, pairs_file, args.warmup, key_prefix=f"warmup-{stack.run_id}")
        report["progress"] = wrk(
            stack, args, pairs_file, args.duration, key_prefix=f"run-{stack.run_id}"
        )
        report["integrity"] = integrity(stack)
        report["server_errors"] = stack.error_summary()
        completed = True
    finally:
        for line in stack.stop(keep_logs=not completed):
            print(line)
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["settings"] = {k: v for k, v in vars(args).items() if k != "out"}
    report["source"] = os.environ.get("LW_BENCH_SOURCE", "unknown (run without run.sh)")
    ratio = report["progress"]["rps"] / report["pgbench"]["tps"]
    report["summary"] = {"ratio": round(ratio, 3), "target": TARGET, "met": ratio >= TARGET}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")
    print(json.dumps({k: report[k] for k in ("summary", "integrity", "server_errors")}, indent=2))


def pgbench_clients(stack: Stack, args: argparse.Namespace) -> int:
    """pgbench's connection count: --connections when the server has room for them, waiting up
    to --wait-connections s; otherwise as many as are free (at least --min-pgbench-clients).
    Other programs (other engineers' test runs, 20 connections each) share the server and its
    100 connections. On 2 cores, pgbench's TPS no longer grows past a few clients."""
    free_sql = (
        "SELECT current_setting('max_connections')::int"
        " - current_setting('superuser_reserved_connections')::int - count(*) FROM pg_stat_activity"
    )
    deadline = time.monotonic() + args.wait_connections
    while True:
        # A few left for the instances' relays and the other programs' next connections.
        free = int(stack.psql(free_sql)) - 6
        if free >= args.connections:
            return args.connections
        if time.monotonic() > deadline:
            if free < args.min_pgbench_clients:
                raise SystemExit(f"only {free} PostgreSQL connections free for pgbench")
            print(f"only {free} PostgreSQL connections free: pgbench uses {free} clients")
            return free
        print(f"{free} PostgreSQL connections free, waiting for {args.connections}")
        time.sleep(5)


def pgbench(stack: Stack, args: argparse.Namespace, clients: int, duration: int) -> dict:
    command = [
        "pgbench",
        *("-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-n"),
        *("-c", str(clients), "-j", str(args.threads), "-T", str(duration)),
        *("-f", str(BENCH_DIR / "pgbench_insert.sql"), stack.database),
    ]
    usage = Usage.start()
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # pgbench's server processes exit with it, taking their CPU time along: the CPU time is
    # taken a second before the end, and charged to the transactions of that span.
    time.sleep(max(duration - 1, 1))
    measured = usage.finish({**_groups(stack), "pgbench": [process.pid]})
    measured_seconds = time.monotonic() - started
    stdout, stderr = process.communicate(timeout=duration + 60)
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if result.returncode != 0:
        raise RuntimeError(f"pgbench failed:\n{result.stdout}{result.stderr}")
    tps = float(re.search(r"tps = ([\d.]+) \(without", result.stdout).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", result.stdout).group(1))
    transactions = int(re.search(r"processed: (\d+)", result.stdout).group(1))
    print(
        f"pgbench  {duration:3d} s  {tps:9.1f} TPS  latency average {latency:.2f} ms  "
        f"clients {clients}"
    )
    return {
        "clients": clients,
        "tps": tps,
        "transactions": transactions,
        "latency_average_ms": latency,
        **measured,
        "cpu_ms_per_transaction": _per(measured["cpu_seconds"], round(tps * measured_seconds)),
    }


def wrk(
    stack: Stack, args: argparse.Namespace, pairs_file: Path, duration: int, *, key_prefix: str
) -> dict:
    command = [
        "wrk",
        *(f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s", "--timeout", "10s"),
        *("-s", str(BENCH_DIR / "wrk" / "progress.lua"), stack.app_url),
        *("--", str(pairs_file), key_prefix),
    ]
    # wrk's shared setup and summary line are the auth bench's (bench/auth/wrk/common.lua).
    env = {**os.environ, "LW_BENCH_LUA_DIR": str(BENCH_DIR.parent / "auth" / "wrk")}
    sessions_before = _sessions_opened(stack)
    usage = Usage.start()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    measured = usage.finish(_groups(stack), child_group="wrk")
    measured["postgres_sessions_opened"] = _sessions_opened(stack) - sessions_before
    line = next((ln for ln in result.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    figures = json.loads(line.removeprefix("WRK_JSON "))
    rps = figures["requests"] / (figures["duration_us"] / 1e6)
    errors = figures["errors"]
    error_count = sum(errors[k] for k in ("connect", "read", "write", "timeout")) + max(
        errors["status_4xx_5xx"], errors["non2xx_seen_by_script"]
    )
    latency = figures["latency_us"]
    print(
        f"progress {duration:3d} s  {rps:9.1f} req/s  p50 {latency['p50'] / 1000:.1f} ms  "
        f"p99 {latency['p99'] / 1000:.1f} ms  errors {error_count}  "
        f"connections opened {measured['postgres_sessions_opened']}"
    )
    return {
        "rps": round(rps, 1),
        **figures,
        "error_count": error_count,
        **measured,
        "cpu_ms_per_request": _per(measured["cpu_seconds"], figures["requests"]),
    }


def integrity(stack: Stack) -> dict:
    """Every write had one effect: as many completed idempotency records as progress events in
    the outbox, and as many seconds of time spent (each write adds one). Read in one statement
    (one snapshot) once the requests still in flight when wrk stopped have ended."""
    time.sleep(12)  # longer than wrk's 10 s timeout
    counts = {
        "completed_idempotency_records": "SELECT count(*) FROM idempotency_record "
        "WHERE status_code IS NOT NULL",
        "progress_events": "SELECT count(*) FROM outbox_event WHERE type = 'progress.recorded'",
        "seconds_spent": "SELECT coalesce(sum(time_spent_seconds), 0) FROM user_progress",
        "events_not_yet_relayed": "SELECT count(*) FROM outbox_event WHERE published_at IS NULL",
        "pgbench_rows": "SELECT count(*) FROM bench_progress_insert",
    }
    values = stack.psql("SELECT " + ", ".join(f"({sql})" for sql in counts.values())).split("|")
    found: dict = {name: int(v) for name, v in zip(counts, values, strict=True)}
    found["consistent"] = (
        found["completed_idempotency_records"] == found["progress_events"] == found["seconds_spent"]
    )
    return found


def _sessions_opened(stack: Stack) -> int:
    """Connections ever opened to the bench's database (statistics are a little delayed)."""
    return int(
        stack.psql(f"SELECT sessions FROM pg_stat_database WHERE datname = '{stack.database}'")
    )


def _groups(stack: Stack) -> dict[str, list[int]]:
    return {
        "app_instances": _process_group(stack, "app1", "app2"),
        "haproxy": stack.pids("haproxy"),
        "postgres": postgres_backends_of(stack.database),
    }


def _process_group(stack: Stack, *names: str) -> list[int]:
    """The processes of the named servers' process groups (uvicorn's and its children)."""
    leaders = set(stack.pids(*names))
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[2]) in leaders:  # pgrp: field 5 of stat(5)
                members.append(int(entry.name))
    return members


def _per(seconds: dict[str, float], count: int) -> dict[str, float]:
    return {g: round(1000 * v / max(count, 1), 3) for g, v in seconds.items()}


if __name__ == "__main__":
    main()
