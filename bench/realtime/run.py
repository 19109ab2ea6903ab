"""The realtime bench: WebSocket fan-out to many connected clients (2,000 by default), each
authenticated and subscribed to one course's activity channel, through HAProxy to two Learnwise
instances sharing PostgreSQL and Redis. Events take the real path: a learner's progress write
(HTTP) commits a progress.recorded event, the relay publishes it to Redis, each instance sends
it to its clients. Clients run in separate processes (clients.py); each message's delivery
latency is measured per client, from the moment its write was sent.

    bench/realtime/run.sh [--rev REV] [--clients 2000] [--events 40]

See bench/README.md. Target: p99 delivery latency at most 100 ms.
"""

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import redis

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent / "progress"))
# course first: it puts the auth bench's folder (stack) on the path.
from course import BenchStack, build_course  # noqa: E402  # isort: skip
from stack import REPO, Ports, Stack, require_tools  # noqa: E402
from usage import Usage, postgres_backends_of  # noqa: E402

TARGET_P99_MS = 100.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--generators", type=int, default=2, help="client processes")
    parser.add_argument("--events", type=int, default=40, help="progress writes published")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between writes")
    parser.add_argument("--base-port", type=int, default=9300)
    parser.add_argument("--redis-db", type=int, default=12)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "realtime-latest.json")
    args = parser.parse_args()
    # A SIGTERM (timeout, kill) ends the run through its cleanup, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    require_tools()
    workdir = Path(tempfile.mkdtemp(prefix="lw-bench-realtime-"))
    stack = BenchStack(ports=Ports(args.base_port), redis_db=args.redis_db, workdir=workdir)
    generators: list[subprocess.Popen] = []
    report: dict = {"started_at": datetime.now(UTC).isoformat(timespec="seconds")}
    completed = False
    try:
        print(f"database {stack.database}, Redis db {stack.redis_db} prefix {stack.redis_prefix}")
        stack.start()
        course = asyncio.run(build_course(stack, learners=1, items=1))
        ((learner_token, lesson),) = course.pairs
        ws_url = stack.app_url.replace("http://", "ws://") + "/api/v1/ws"
        channel = f"course:{course.course_id}"
        shares = [args.clients // args.generators] * args.generators
        shares[0] += args.clients - sum(shares)
        for index, share in enumerate(shares):
            generators.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        str(BENCH_DIR / "clients.py"),
                        *(ws_url, course.owner_token, channel, str(share)),
                        str(workdir / f"clients-{index}.json"),
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
        connecting = time.monotonic()
        for generator in generators:
            ready = generator.stdout.readline().split()
            if not ready or ready[0] != "READY":
                raise RuntimeError(f"a client process failed: {ready}")
        report["connect_seconds"] = round(time.monotonic() - connecting, 1)
        print(f"{args.clients} clients connected in {report['connect_seconds']} s")
        usage = Usage.start()
        sent = asyncio.run(publish(stack, learner_token, lesson, args.events, args.interval))
        time.sleep(5)  # the last messages' delivery
        report["cpu"] = usage.finish(_groups(stack, generators))
        for generator in generators:
            generator.stdin.write("STOP\n")
            generator.stdin.flush()
        for generator in generators:
            generator.wait(timeout=120)
        seen = [json.loads((workdir / f"clients-{i}.json").read_text()) for i in range(len(shares))]
        report["results"] = summarize(sent, seen, args.clients)
        report["server_errors"] = stack.error_summary()
        completed = True
    finally:
        for generator in generators:
            if generator.poll() is None:
                generator.kill()
                generator.wait()
        for line in stack.stop(keep_logs=not completed):
            print(line)
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["settings"] = {k: v for k, v in vars(args).items() if k != "out"}
    report["source"] = os.environ.get("LW_BENCH_SOURCE", "unknown (run without run.sh)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")
    print(json.dumps({k: report[k] for k in ("results", "cpu", "server_errors")}, indent=2))


async def publish(
    stack: Stack, token: str, lesson: str, events: int, interval: float
) -> dict[int, dict[str, float]]:
    """The learner's progress writes, one at a time; the k-th reports k seconds, which tells
    its message apart. Returns when each was sent and answered (wall clock)."""
    sent = {}
    async with httpx.AsyncClient(base_url=stack.app_url, timeout=30) as client:
        for k in range(1, events + 1):
            started = time.time()
            # A write that fails (a 500 when the shared PostgreSQL server has no connection
            # left) is sent again with its key, as a client would; its latency counts from the
            # first attempt.
            attempts = 0
            while True:
                attempts += 1
                response = await client.post(
                    f"/api/v1/items/{lesson}/progress",
                    json={"time_spent_seconds": k},
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"rt-{k}"},
                )
                if response.status_code < 500 or attempts == 5:
                    break
                await asyncio.sleep(0.2)
            answered = time.time()
            response.raise_for_status()
            sent[k] = {"sent": started, "answered": answered, "attempts": attempts}
            await asyncio.sleep(interval)
    return sent


def summarize(sent: dict[int, dict[str, float]], seen: list[dict], clients: int) -> dict:
    """Delivery latency of every (message, client), from the write's request; the per-message
    first delivery is the path's own latency (write, commit, relay, Redis), the rest is fan-out."""
    latencies, firsts, lasts, write_ms = [], [], [], []
    delivered = 0
    for k, times in sent.items():
        arrivals = [a for part in seen for a in part["arrivals"].get(str(k), [])]
        delivered += len(arrivals)
        if not arrivals:
            continue
        ms = sorted(1000 * (a - times["sent"]) for a in arrivals)
        latencies.extend(ms)
        firsts.append(ms[0])
        lasts.append(ms[-1])
        write_ms.append(1000 * (times["answered"] - times["sent"]))
    latencies.sort()
    problems: dict[str, int] = {}
    for part in seen:
        for problem, count in part["problems"].items():
            problems[problem] = problems.get(problem, 0) + count
    p99 = _percentile(latencies, 99)
    return {
        "clients_subscribed": sum(part["subscribed"] for part in seen),
        "messages": len(sent),
        "deliveries": delivered,
        "deliveries_expected": len(sent) * clients,
        "latency_ms": {
            "p50": _percentile(latencies, 50),
            "p90": _percentile(latencies, 90),
            "p99": p99,
            "max": round(latencies[-1], 1) if latencies else None,
        },
        "first_client_ms_median": round(statistics.median(firsts), 1) if firsts else None,
        "last_client_ms_median": round(statistics.median(lasts), 1) if lasts else None,
        "write_response_ms_median": round(statistics.median(write_ms), 1) if write_ms else None,
        "writes_retried": sum(1 for times in sent.values() if times["attempts"] > 1),
        "client_problems": problems,
        "target_p99_ms": TARGET_P99_MS,
        "met": p99 is not None and p99 <= TARGET_P99_MS and delivered == len(sent) * clients,
    }


def _percentile(values: list[float], percent: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, int(len(values) * percent / 100))], 1)


def _groups(stack: Stack, generators: list[subprocess.Popen]) -> dict[str, list[int]]:
    return {
        "app_instances": stack.pids("app1", "app2"),
        "haproxy": stack.pids("haproxy"),
        "postgres": postgres_backends_of(stack.database),
        "redis": [int(redis.Redis.from_url(stack.redis_url).info("server")["process_id"])],
        "client_processes": [g.pid for g in generators],
    }


if __name__ == "__main__":
    main()
