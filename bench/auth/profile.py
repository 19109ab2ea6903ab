"""Where an app instance spends its CPU under load: starts the bench's stack (run.py's), puts one
endpoint under wrk load, samples one Learnwise instance with py-spy for the same time, and prints
the functions and packages that take the most samples (idle time excluded).

    uv run --project backend python bench/auth/profile.py [--endpoint me] [--seconds 15]

py-spy is a bench-only tool, not a project dependency: it runs through ``uvx py-spy`` (set
PY_SPY to use another binary). Writes the raw collapsed stacks (flamegraph.pl and speedscope read
them) to bench/out/profile-<endpoint>.txt (git-ignored) unless --out-dir says otherwise.
"""

import argparse
import asyncio
import collections
import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from run import Bench, _login_sessions, _register_users
from stack import BENCH_DIR, Ports, Stack, require_tools

# Packages a frame is charged to, by the path of its file.
PACKAGES = (
    "learnwise",
    "sqlalchemy",
    "asyncpg",
    "redis",
    "structlog",
    "logging",
    "pydantic",
    "fastapi",
    "starlette",
    "uvicorn",
    "jwt",
    "limits",
    "httptools",
    "uvloop",
    "asyncio",
    "json",
    "uuid",
    "contextvars",
    "argon2",
    "pwdlib",
    "cryptography",
)


# Worker threads' stacks start here; the main thread's (the event loop, and SQLAlchemy's greenlets,
# whose stacks py-spy shows without the loop's frames) do not.
THREAD_ROOT = "Thread._bootstrap ("
IDLE_WAITS = ("Condition.wait", "Queue.get", "Event.wait", "_worker (concurrent/futures/thread.py")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", choices=("me", "live", "refresh", "login"), default="me")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--base-port", type=int, default=8100)
    parser.add_argument("--redis-db", type=int, default=15)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--out-dir", type=Path, default=BENCH_DIR.parent / "out")
    args = parser.parse_args()
    require_tools()
    py_spy = shlex.split(os.environ.get("PY_SPY", "uvx py-spy"))
    workdir = Path(tempfile.mkdtemp(prefix="lw-profile-"))
    stack = Stack(ports=Ports(args.base_port, step=10), redis_db=args.redis_db, workdir=workdir)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    raw = args.out_dir / f"profile-{args.endpoint}.txt"
    completed = False
    try:
        stack.start()
        users = asyncio.run(_register_users(stack.app_url, 64, stack.run_id))
        url, script, script_args = _target(stack, users, args, workdir)
        bench = Bench(stack, threads=2, duration=args.seconds)
        bench.wrk(args.endpoint, url, script, script_args, args.connections, 3, warmup=True)
        sampler = subprocess.Popen(
            [
                *py_spy,
                "record",
                "--pid",
                str(stack.pids("app1")[0]),
                "--rate",
                str(args.rate),
                "--duration",
                str(args.seconds),
                "--format",
                "raw",
                "--output",
                str(raw),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        bench.wrk(args.endpoint, url, script, script_args, args.connections, args.seconds + 2)
        _, errors = sampler.communicate(timeout=120)
        if sampler.returncode != 0:
            raise RuntimeError(f"py-spy failed: {errors}")
        completed = True
    finally:
        for line in stack.stop(keep_logs=not completed):
            print(line)
    print(_report(raw, args.top))
    print(f"raw collapsed stacks: {raw}")


def _target(stack: Stack, users: list[dict], args: argparse.Namespace, workdir: Path):
    if args.endpoint == "me":
        tokens = workdir / "access_tokens.txt"
        tokens.write_text("".join(u["access_token"] + "\n" for u in users))
        return f"{stack.app_url}/api/v1/auth/me", "me.lua", [str(tokens)]
    if args.endpoint == "live":
        return f"{stack.app_url}/health/live", "get.lua", ["/health/live"]
    if args.endpoint == "login":
        from run import PASSWORD

        credentials = workdir / "users.txt"
        credentials.write_text("".join(f"{u['email']} {PASSWORD}\n" for u in users))
        return f"{stack.app_url}/api/v1/auth/login", "login.lua", [str(credentials)]
    tokens = asyncio.run(_login_sessions(stack.app_url, users, 4 * args.connections))
    sessions = workdir / "refresh_tokens.txt"
    sessions.write_text("".join(t + "\n" for t in tokens))
    return f"{stack.app_url}/api/v1/auth/refresh", "refresh.lua", [str(sessions), "2"]


def _report(raw: Path, top: int) -> str:
    """Shares of the main thread's busy samples (the event loop and SQLAlchemy's greenlets): by
    package (self time), and by function (inclusive and self). Worker threads (anyio's pool,
    which runs sync dependencies, and asyncio's, which hashes passwords) are counted apart,
    without their idle waits."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    by_package: collections.Counter[str] = collections.Counter()
    loop_total = worker_busy = worker_idle = 0
    for line in raw.read_text().splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not stack_text:
            continue
        count = int(count_text)
        frames = stack_text.split(";")
        if frames[0].startswith(THREAD_ROOT):
            if frames[-1].startswith(IDLE_WAITS):
                worker_idle += count
            else:
                worker_busy += count
            continue
        loop_total += count
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
        by_package[_package(frames[-1])] += count
    share = lambda c: f"{100 * c / loop_total:5.1f}%"  # noqa: E731
    lines = [
        f"main thread: {loop_total} busy samples; worker threads: {worker_busy} busy, "
        f"{worker_idle} idle samples",
        "(self time of Runner.run is uvloop's C code: socket I/O, polling, scheduling)",
        "",
        "main thread self time by package:",
    ]
    lines += [f"  {share(c)}  {p}" for p, c in by_package.most_common(25)]
    lines += ["", f"top {top} functions by inclusive time:"]
    lines += [f"  {share(c)}  {f}" for f, c in inclusive.most_common(top)]
    lines += ["", f"top {top} functions by self time:"]
    lines += [f"  {share(c)}  {f}" for f, c in own.most_common(top)]
    return "\n".join(lines)


def _package(frame: str) -> str:
    """The package of a frame such as ``Connection.execute (asyncpg/connection.py:377)``."""
    location = "/" + frame.rsplit("(", 1)[-1]
    for package in PACKAGES:
        if f"/{package}/" in location or f"/{package}.py" in location:
            return package
    return location.split(":")[0].rsplit("/", 1)[-1] or "?"


if __name__ == "__main__":
    main()
