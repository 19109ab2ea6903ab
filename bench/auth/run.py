"""The auth bench: login, refresh and an authenticated GET /api/v1/auth/me on two Learnwise
instances sharing PostgreSQL and Redis, beside a bare FastAPI endpoint served the same way, all
measured with wrk in one run. Writes a JSON file of every figure and prints a Markdown table.

    bench/auth/run.sh [--duration 20] [--rounds 2] [--connections 16,64]

See bench/README.md. The whole run is bounded: it prints its plan and refuses one longer than
--max-minutes (10). The defaults take about 6.5 minutes.
"""

import argparse
import asyncio
import json
import os
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import redis

from report import machine_facts, markdown, summary
from stack import BENCH_DIR, REPO, Ports, Stack, require_tools

WRK_DIR = BENCH_DIR / "wrk"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PASSWORD = "bench-password-7c1d"  # throwaway accounts in a throwaway database
# The what-if variants (whatif_app.py): path, and whether it takes a bearer token.
WHATIF_ENDPOINTS = {
    "me_tuned": ("/api/v1/auth/me", True),
    "me_one_query": ("/whatif/me-one-query", True),
    "principal": ("/whatif/principal", True),
    "principal_async": ("/whatif/principal-async", True),
    "principal_local": ("/whatif/principal-local", True),
    "live_last": ("/whatif/live-last", False),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per endpoint")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of bare/live/me, interleaved")
    parser.add_argument("--connections", default="16,64", help="wrk connection counts")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--users", type=int, default=64, help="bench accounts (tokens for /me)")
    parser.add_argument("--base-port", type=int, default=8100)
    parser.add_argument("--redis-db", type=int, default=15)
    parser.add_argument(
        "--whatif",
        action="store_true",
        help="also measure whatif_app.py's variants: " + ", ".join(WHATIF_ENDPOINTS),
    )
    parser.add_argument("--only", default="", help="comma-separated subset of the endpoints")
    parser.add_argument("--max-minutes", type=float, default=10, help="refuse longer plans")
    parser.add_argument(
        "--wait-quiet",
        type=int,
        default=0,
        help="wait up to this many seconds for the machine to be idle (<15%% busy) first",
    )
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "out" / "auth-latest.json", help="JSON results"
    )
    args = parser.parse_args()
    connections = [int(c) for c in args.connections.split(",")]
    only = set(args.only.split(",")) - {""}
    require_tools()
    names = ["bare", "live", "me", *(WHATIF_ENDPOINTS if args.whatif else ())]
    names += ["refresh", "login"]
    names = [n for n in names if not only or n in only]
    planned = _planned_seconds(args, connections, names)
    print(f"planned: about {planned / 60:.1f} minutes ({', '.join(names)})")
    if planned > args.max_minutes * 60:
        raise SystemExit(f"over --max-minutes {args.max_minutes}: shorten --duration or --rounds")

    background = _wait_quiet(args.wait_quiet)
    print(f"machine busy before the run: {background:.0%} of all cores")

    workdir = Path(tempfile.mkdtemp(prefix="lw-bench-"))
    stack = Stack(
        ports=Ports(args.base_port, step=10),
        redis_db=args.redis_db,
        workdir=workdir,
        whatif=args.whatif,
    )
    report: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine_busy_before_run": round(background, 3),
    }
    completed = False
    try:
        print(f"database {stack.database}, Redis db {stack.redis_db} prefix {stack.redis_prefix}")
        stack.start()
        users = asyncio.run(_register_users(stack.app_url, args.users, stack.run_id))
        _check_endpoints(stack, users[0]["access_token"])
        tokens_file = workdir / "access_tokens.txt"
        tokens_file.write_text("".join(u["access_token"] + "\n" for u in users))
        users_file = workdir / "users.txt"
        users_file.write_text("".join(f"{u['email']} {PASSWORD}\n" for u in users))

        bench = Bench(stack, args.threads, args.duration)
        wanted = lambda name: not only or name in only  # noqa: E731
        simple = [
            ("bare", f"{stack.bare_url}/bare", "get.lua", ["/bare"]),
            ("live", f"{stack.app_url}/health/live", "get.lua", ["/health/live"]),
            ("me", f"{stack.app_url}/api/v1/auth/me", "me.lua", [str(tokens_file)]),
        ]
        if args.whatif:
            for name, (path, authenticated) in WHATIF_ENDPOINTS.items():
                script, script_args = (
                    ("me.lua", [str(tokens_file), path]) if authenticated else ("get.lua", [path])
                )
                simple.append((name, stack.whatif_url + path, script, script_args))
        simple = [s for s in simple if wanted(s[0])]
        for name, url, script, script_args in simple:
            bench.wrk(name, url, script, script_args, connections[0], args.warmup, warmup=True)
        for round_number in range(1, args.rounds + 1):
            for conns in connections:
                for name, url, script, script_args in simple:
                    bench.wrk(name, url, script, script_args, conns, args.duration, round_number)
        if wanted("refresh"):
            for conns in connections:
                sessions_file = workdir / f"refresh_tokens_{conns}.txt"
                tokens = asyncio.run(_login_sessions(stack.app_url, users, 2 * conns))
                sessions_file.write_text("".join(t + "\n" for t in tokens))
                bench.wrk(
                    "refresh",
                    f"{stack.app_url}/api/v1/auth/refresh",
                    "refresh.lua",
                    [str(sessions_file), str(args.threads)],
                    conns,
                    args.duration,
                )
        if wanted("login"):
            for conns in connections:
                bench.wrk(
                    "login",
                    f"{stack.app_url}/api/v1/auth/login",
                    "login.lua",
                    [str(users_file)],
                    conns,
                    args.duration,
                )
        report["integrity"] = {
            "sessions": int(stack.psql("SELECT count(*) FROM auth_session")),
            "revoked_sessions": int(
                stack.psql("SELECT count(*) FROM auth_session WHERE revoked_at IS NOT NULL")
            ),
            "rotated_refresh_tokens": int(
                stack.psql("SELECT count(*) FROM refresh_token WHERE rotated_at IS NOT NULL")
            ),
        }
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
        "users": args.users,
    }
    report["machine"] = machine_facts(stack.redis_url)
    report["source"] = os.environ.get("LW_BENCH_SOURCE", "unknown (run without run.sh)")
    report["summary"] = summary(report["runs"], connections)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}")
    print(markdown(report, WHATIF_ENDPOINTS))


def _planned_seconds(args: argparse.Namespace, connections: list[int], names: list[str]) -> float:
    """Set-up and tear-down (about a minute) plus every wrk run."""
    simple = [n for n in names if n not in ("refresh", "login")]
    once = len(names) - len(simple)
    runs = len(simple) * args.rounds * len(connections) + once * len(connections)
    return 60 + len(simple) * args.warmup + runs * args.duration


class Bench:
    """Runs wrk and records, with each run, the CPU time every part of the stack used."""

    def __init__(self, stack: Stack, threads: int, duration: int) -> None:
        self.stack = stack
        self.threads = threads
        self.duration = duration
        self.runs: list[dict] = []
        self.redis_pid = int(redis.Redis(port=6379).info("server")["process_id"])

    def wrk(
        self,
        name: str,
        url: str,
        script: str,
        script_args: list[str],
        connections: int,
        duration: int,
        round_number: int = 1,
        *,
        warmup: bool = False,
    ) -> None:
        command = [
            "wrk",
            f"-t{self.threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(WRK_DIR / script),
            url,
            "--",
            *script_args,
        ]
        env = {**os.environ, "LW_BENCH_LUA_DIR": str(WRK_DIR)}
        before = _per_process_ticks()
        children_before = _children_cpu_seconds()
        machine_before = _machine_ticks()
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        stdout, stderr = process.communicate(timeout=duration + 60)
        # communicate() reaped wrk already; its CPU time comes from the children's rusage.
        machine_after = _machine_ticks()
        after = _per_process_ticks()
        # Group membership as at the end: PostgreSQL backends may have connected meanwhile.
        # A process that exited during the run is lost (it shows up as unattributed).
        groups = self._groups()
        line = next((ln for ln in stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
        if process.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed ({process.returncode}):\n{stdout}\n{stderr}")
        result = json.loads(line.removeprefix("WRK_JSON "))
        label = "warm-up" if warmup else f"round {round_number}"
        seconds = result["duration_us"] / 1e6
        rps = result["requests"] / seconds
        print(
            f"{name:8} c={connections:<3} {label:8} {rps:9.1f} req/s  p50 "
            f"{result['latency_us']['p50'] / 1000:7.2f} ms  p99 "
            f"{result['latency_us']['p99'] / 1000:7.2f} ms  errors {_error_count(result)}"
        )
        if warmup:
            return
        busy, total = (a - b for a, b in zip(machine_after, machine_before, strict=True))
        spent = {
            pid: (user - before.get(pid, (0, 0))[0], system - before.get(pid, (0, 0))[1])
            for pid, (user, system) in after.items()
        }
        by_group = {g: [spent.get(pid, (0, 0)) for pid in pids] for g, pids in groups.items()}
        cpu_s = {g: sum(u + s for u, s in ticks) / CLOCK_TICKS for g, ticks in by_group.items()}
        system_share = {
            g: round(sum(s for _, s in ticks) / max(sum(u + s for u, s in ticks), 1), 2)
            for g, ticks in by_group.items()
        }
        cpu_s["wrk"] = _children_cpu_seconds() - children_before
        # Machine-wide busy time not charged to the bench's processes: other programs running
        # meanwhile (those alive at the end, kernel threads included), and the rest (processes
        # that exited during the run, and kernel work charged to no process).
        ours = {pid for pids in groups.values() for pid in pids} | {os.getpid()}
        others = sum(u + s for pid, (u, s) in spent.items() if pid not in ours)
        cpu_s["other_programs"] = others / CLOCK_TICKS
        cpu_s["unattributed"] = max(busy / CLOCK_TICKS - sum(cpu_s.values()), 0.0)
        self.runs.append(
            {
                "endpoint": name,
                "url": url,
                "connections": connections,
                "round": round_number,
                "rps": round(rps, 1),
                **result,
                "error_count": _error_count(result),
                "machine_busy_fraction": round(busy / total, 3) if total else None,
                "cpu_seconds": {g: round(v, 2) for g, v in cpu_s.items()},
                "cpu_system_share": system_share,
                "cpu_ms_per_request": {
                    g: round(1000 * v / max(result["requests"], 1), 3) for g, v in cpu_s.items()
                },
            }
        )

    def _groups(self) -> dict[str, list[int]]:
        return {
            "app_instances": self.stack.pids("app1", "app2"),
            "bare_instances": self.stack.pids("bare1", "bare2"),
            "whatif_instances": self.stack.pids("whatif1", "whatif2"),
            "haproxy": self.stack.pids("haproxy"),
            "postgres": _postgres_backends_of(self.stack.database),
            "redis": [self.redis_pid],
        }


def _children_cpu_seconds() -> float:
    """CPU time of this process's reaped children: its growth over a run is wrk's own."""
    usage = os.times()
    return usage.children_user + usage.children_system


def _error_count(result: dict) -> int:
    errors = result["errors"]
    return sum(errors[k] for k in ("connect", "read", "write", "timeout", "status_4xx_5xx")) + max(
        errors["non2xx_seen_by_script"] - errors["status_4xx_5xx"], 0
    )


def _per_process_ticks() -> dict[int, tuple[int, int]]:
    """User and system CPU ticks of every process alive now, its own only: a parent's count of
    reaped children would charge a child's whole life to the run it was reaped in."""
    ticks = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            # utime and stime: fields 14 and 15 of stat(5), 12 and 13 after "(comm)".
            ticks[int(entry.name)] = (int(fields[11]), int(fields[12]))
    return ticks


def _postgres_backends_of(database: str) -> list[int]:
    """The PostgreSQL server processes serving connections to ``database``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().decode(errors="replace")
            except (FileNotFoundError, ProcessLookupError):
                continue
            if command.startswith("postgres:") and f" {database} " in command:
                pids.append(int(entry.name))
    return pids


def _wait_quiet(timeout: int, sample_seconds: float = 3.0, threshold: float = 0.15) -> float:
    """How busy the machine is (all cores), waiting up to ``timeout`` s for it to be quiet."""
    deadline = time.monotonic() + timeout
    while True:
        before = _machine_ticks()
        time.sleep(sample_seconds)
        busy, total = (a - b for a, b in zip(_machine_ticks(), before, strict=True))
        fraction = busy / total if total else 0.0
        if fraction < threshold or time.monotonic() >= deadline:
            return fraction
        print(f"machine {fraction:.0%} busy; waiting for it to be quiet")


def _machine_ticks() -> tuple[int, int]:
    """Busy and total CPU ticks of the machine, all cores (steal is neither busy nor ours)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values
    return user + nice + system + irq + softirq, sum(values) - steal


async def _register_users(base_url: str, count: int, run_id: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        gate = asyncio.Semaphore(8)

        async def register(index: int) -> dict:
            email = f"bench-{run_id}-{index}@bench.learnwise.dev"
            async with gate:
                response = await client.post(
                    "/api/v1/auth/register",
                    json={"email": email, "password": PASSWORD, "display_name": f"Bench {index}"},
                )
            response.raise_for_status()
            return {"email": email, **response.json()}

        return await asyncio.gather(*(register(i) for i in range(count)))


async def _login_sessions(base_url: str, users: list[dict], count: int) -> list[str]:
    """``count`` fresh login sessions; returns their first refresh tokens."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        gate = asyncio.Semaphore(8)

        async def login(index: int) -> str:
            async with gate:
                response = await client.post(
                    "/api/v1/auth/login",
                    json={"email": users[index % len(users)]["email"], "password": PASSWORD},
                )
            response.raise_for_status()
            return response.json()["refresh_token"]

        return await asyncio.gather(*(login(i) for i in range(count)))


def _check_endpoints(stack: Stack, access_token: str) -> None:
    me = httpx.get(
        f"{stack.app_url}/api/v1/auth/me", headers={"Authorization": f"Bearer {access_token}"}
    )
    bare = httpx.get(f"{stack.bare_url}/bare")
    if me.status_code != 200 or bare.status_code != 200:
        raise RuntimeError(
            f"sanity check failed: /me {me.status_code} {me.text}, /bare {bare.text}"
        )


if __name__ == "__main__":
    main()
