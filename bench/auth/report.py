"""The auth bench's report: the machine it ran on, the medians and ratios of its runs, and the
Markdown table printed at the end (run.py writes the JSON; RESULTS.md quotes both)."""

import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Iterable
from importlib.metadata import version
from pathlib import Path

import redis

ME_TARGET = 0.5


def machine_facts(redis_url: str) -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")),
        "?",
    )
    pg = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tA", "-c", "SHOW server_version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    haproxy = subprocess.run(["haproxy", "-v"], capture_output=True, text=True, check=False)
    return {
        "cores": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "postgresql": pg,
        "redis": redis.Redis.from_url(redis_url).info("server")["redis_version"],
        "wrk": (wrk.stdout + wrk.stderr).splitlines()[0].split(" [")[0],
        "haproxy": haproxy.stdout.splitlines()[0].split(" - ")[0],
        "packages": {
            p: version(p)
            for p in (
                "fastapi",
                "starlette",
                "uvicorn",
                "uvloop",
                "httptools",
                "sqlalchemy",
                "asyncpg",
                "redis",
                "pyjwt",
                "argon2-cffi",
                "pwdlib",
                "structlog",
            )
        },
    }


def summary(runs: list[dict], connections: list[int]) -> dict:
    """Per connection count: the median req/s of each endpoint over the rounds, and its ratio
    to the bare endpoint's median in the same run."""
    by_connections = {}
    for conns in connections:
        medians = {}
        for endpoint in dict.fromkeys(r["endpoint"] for r in runs):
            values = [
                r["rps"] for r in runs if r["endpoint"] == endpoint and r["connections"] == conns
            ]
            if values:
                medians[endpoint] = statistics.median(values)
        bare = medians.get("bare")
        by_connections[str(conns)] = {
            endpoint: {"rps": rps, "over_bare": round(rps / bare, 3) if bare else None}
            for endpoint, rps in medians.items()
        }
    met = [
        r["me"]["over_bare"] >= ME_TARGET
        for r in by_connections.values()
        if "me" in r and r["me"]["over_bare"] is not None
    ]
    return {
        "by_connections": by_connections,
        "me_target": ME_TARGET,
        "me_target_met": bool(met) and all(met),
    }


def _serving_group(endpoint: str, whatif_endpoints: Iterable[str]) -> str:
    if endpoint == "bare":
        return "bare_instances"
    return "whatif_instances" if endpoint in whatif_endpoints else "app_instances"


def markdown(report: dict, whatif_endpoints: Iterable[str]) -> str:
    rows = [
        "| endpoint | conns | round | req/s | p50 ms | p90 ms | p99 ms | errors | machine busy "
        "| CPU ms/req: serving instances / haproxy / postgres / redis / wrk "
        "| other programs / unattributed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in report["runs"]:
        cpu = r["cpu_ms_per_request"]
        served = cpu[_serving_group(r["endpoint"], whatif_endpoints)]
        lat = r["latency_us"]
        rows.append(
            f"| {r['endpoint']} | {r['connections']} | {r['round']} | {r['rps']:.0f} "
            f"| {lat['p50'] / 1000:.1f} | {lat['p90'] / 1000:.1f} | {lat['p99'] / 1000:.1f} "
            f"| {r['error_count']} | {r['machine_busy_fraction']:.0%} "
            f"| {served:.3f} / {cpu['haproxy']:.3f} / {cpu['postgres']:.3f} / {cpu['redis']:.3f} "
            f"/ {cpu['wrk']:.3f} | {cpu['other_programs']:.3f} / {cpu['unattributed']:.3f} |"
        )
    rows.append("")
    for conns, medians in report["summary"]["by_connections"].items():
        ratios = ", ".join(
            f"{endpoint} {m['rps']:.0f} ({m['over_bare']})" for endpoint, m in medians.items()
        )
        rows.append(f"- c={conns}, median req/s (÷ bare): {ratios}")
    rows.append(f"- integrity: {report.get('integrity')}")
    rows.append(f"- errors logged by the servers: {report.get('server_errors') or 'none'}")
    return "\n".join(rows)
