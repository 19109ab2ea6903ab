"""The servers of the auth bench: two Learnwise instances and two bare FastAPI instances, each
pair behind one HAProxy on loopback, plus the throwaway PostgreSQL database and Redis key prefix
they use. Everything started here is stopped here, by process group id; the database is dropped.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent.parent
VENV_BIN = Path(sys.executable).parent
PG = ["psql", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-tA"]

HAPROXY_CFG = """\
global
    maxconn 4096
    nbthread 1
    log stderr format raw local0

defaults
    mode http
    # Only requests that end abnormally are logged (to haproxy.log), with their termination state.
    log global
    option httplog
    option dontlog-normal
    option http-keep-alive
    timeout connect 5s
    timeout client 60s
    timeout server 60s

frontend learnwise
    bind 127.0.0.1:{app_port}
    option forwardfor
    default_backend learnwise_instances

backend learnwise_instances
    balance roundrobin
    server app1 127.0.0.1:{app1} check inter 5s
    server app2 127.0.0.1:{app2} check inter 5s

frontend bare
    bind 127.0.0.1:{bare_port}
    option forwardfor
    default_backend bare_instances

backend bare_instances
    balance roundrobin
    server bare1 127.0.0.1:{bare1} check inter 5s
    server bare2 127.0.0.1:{bare2} check inter 5s
"""

# An httplog line: client [date] frontend backend/server timers status bytes - - state ...
_HAPROXY_HTTPLOG = re.compile(r"^\S+ \[[^\]]+\] \S+ (\S+)/\S+ \S+ (-?\d+) \S+ \S+ \S+ (\S{4}) ")

HAPROXY_WHATIF_CFG = """
frontend whatif
    bind 127.0.0.1:{whatif_port}
    option forwardfor
    default_backend whatif_instances

backend whatif_instances
    balance roundrobin
    server whatif1 127.0.0.1:{whatif1} check inter 5s
    server whatif2 127.0.0.1:{whatif2} check inter 5s
"""


@dataclass
class Ports:
    """base: the app's balancer; base+1, base+2 its instances; base+step.. the same for bare,
    base+2*step.. for the what-if variant."""

    base: int
    step: int = 100

    @property
    def app(self) -> int:
        return self.base

    @property
    def app_instances(self) -> tuple[int, int]:
        return self.base + 1, self.base + 2

    @property
    def bare(self) -> int:
        return self.base + self.step

    @property
    def bare_instances(self) -> tuple[int, int]:
        return self.bare + 1, self.bare + 2

    @property
    def whatif(self) -> int:
        return self.base + 2 * self.step

    @property
    def whatif_instances(self) -> tuple[int, int]:
        return self.whatif + 1, self.whatif + 2

    def all(self) -> list[int]:
        return [
            self.app,
            *self.app_instances,
            self.bare,
            *self.bare_instances,
            self.whatif,
            *self.whatif_instances,
        ]


@dataclass
class Stack:
    ports: Ports
    redis_db: int
    workdir: Path
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    whatif: bool = False
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    database_created: bool = False

    @property
    def database(self) -> str:
        return f"lw_bench_{self.run_id}"

    @property
    def redis_prefix(self) -> str:
        return f"lw_bench_{self.run_id}"

    @property
    def database_url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{self.database}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:6379/{self.redis_db}"

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.app}"

    @property
    def bare_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.bare}"

    @property
    def whatif_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.whatif}"

    def app_environment(self, secret_key: str) -> dict[str, str]:
        """The parent's environment without any Learnwise setting, plus the bench's."""
        inherited = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("LEARNWISE_") and k not in ("DATABASE_URL", "REDIS_URL")
        }
        return {
            **inherited,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "LEARNWISE_REDIS_PREFIX": self.redis_prefix,
            "LEARNWISE_ENVIRONMENT": "production",
            "LEARNWISE_SECRET_KEY": secret_key,
            "LEARNWISE_LOG_LEVEL": "WARNING",
            # Raised for the bench only: it registers its users and signs in thousands of times
            # from one IP.
            "LEARNWISE_AUTH__LOGIN_RATE_PER_IP": "1000000/minute",
            "LEARNWISE_AUTH__LOGIN_RATE_PER_ACCOUNT_IP": "1000000/minute",
            "LEARNWISE_AUTH__REGISTER_RATE_PER_IP": "1000000/minute",
        }

    # -----------------------------------------------------------------------------------------

    def prepare_database(self) -> dict[str, str]:
        """Creates and migrates the bench's database; returns the instances' environment."""
        self._create_database()
        env = self.app_environment(secrets.token_urlsafe(48))
        _run([str(VENV_BIN / "learnwise"), "db", "upgrade"], env=env, cwd=self.workdir)
        return env

    def start(self) -> None:
        busy = [p for p in self.ports.all() if _port_in_use(p)]
        if busy:
            raise SystemExit(f"ports already in use: {busy}; pick another --base-port")
        env = self.prepare_database()
        for name, port in zip(("app1", "app2"), self.ports.app_instances, strict=True):
            self._spawn(
                name,
                [str(VENV_BIN / "learnwise"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
            )
        for name, port in zip(("bare1", "bare2"), self.ports.bare_instances, strict=True):
            self._spawn(
                name,
                [sys.executable, str(BENCH_DIR / "bare_app.py"), "--port", str(port)],
                env=env,
            )
        if self.whatif:
            for name, port in zip(("whatif1", "whatif2"), self.ports.whatif_instances, strict=True):
                self._spawn(
                    name,
                    [sys.executable, str(BENCH_DIR / "whatif_app.py"), "--port", str(port)],
                    env=env,
                )
        for port in self.ports.app_instances:
            self._wait_ready(f"http://127.0.0.1:{port}/health/ready")
        for port in self.ports.bare_instances:
            self._wait_ready(f"http://127.0.0.1:{port}/bare")
        if self.whatif:
            for port in self.ports.whatif_instances:
                self._wait_ready(f"http://127.0.0.1:{port}/health/ready")
        # The balancer last, once every instance answers.
        config = self.workdir / "haproxy.cfg"
        a1, a2 = self.ports.app_instances
        b1, b2 = self.ports.bare_instances
        w1, w2 = self.ports.whatif_instances
        text = HAPROXY_CFG.format(
            app_port=self.ports.app, app1=a1, app2=a2, bare_port=self.ports.bare, bare1=b1, bare2=b2
        )
        if self.whatif:
            text += HAPROXY_WHATIF_CFG.format(whatif_port=self.ports.whatif, whatif1=w1, whatif2=w2)
        config.write_text(text)
        self._spawn("haproxy", ["haproxy", "-db", "-f", str(config)], env=env)
        if self.whatif:
            self._wait_ready(f"{self.whatif_url}/health/ready")
        self._wait_ready(f"{self.app_url}/health/ready")
        self._wait_ready(f"{self.bare_url}/bare")

    def pids(self, *names: str) -> list[int]:
        return [self.processes[n].pid for n in names if n in self.processes]

    def psql(self, sql: str) -> str:
        return _run([*PG, "-d", self.database, "-c", sql]).strip()

    def stop(self, *, keep_logs: bool = False) -> list[str]:
        """Stops what start() started and removes the bench's data and its working folder (the
        servers' logs; kept with ``keep_logs``); returns what it did."""
        done = []
        for name, process in reversed(self.processes.items()):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            done.append(f"stopped {name} (pid {process.pid})")
        self.processes.clear()
        if self.database_created:
            _run(
                [
                    *PG,
                    "-d",
                    "postgres",
                    "-c",
                    f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)",
                ]
            )
            self.database_created = False
            done.append(f"dropped database {self.database}")
        client = redis.Redis.from_url(self.redis_url)
        keys = list(client.scan_iter(match=f"{self.redis_prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
        done.append(f"deleted {len(keys)} Redis keys {self.redis_prefix}* in db {self.redis_db}")
        if keep_logs:
            done.append(f"kept the servers' logs in {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return done

    def error_summary(self) -> dict[str, int]:
        """The error lines the servers logged: the app's by event and the exception's last line,
        HAProxy's abnormally ended requests by backend, status and termination state."""
        counts: dict[str, int] = {}
        for log in sorted(self.workdir.glob("*.log")):
            if log.stem == "haproxy":
                for line in log.read_text(errors="replace").splitlines():
                    match = _HAPROXY_HTTPLOG.match(line)
                    if match:
                        backend, status, state = match.groups()
                        key = f"haproxy: {backend} status {status} termination {state}"
                        counts[key] = counts.get(key, 0) + 1
                continue
            for line in log.read_text(errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    entry = {"event": line[:200], "level": "unstructured"}
                if not isinstance(entry, dict) or entry.get("level") not in (
                    "error",
                    "critical",
                    "unstructured",
                ):
                    continue
                lines = (entry.get("exception") or "").strip().splitlines()
                cause = next((ln for ln in reversed(lines) if not ln.startswith("(Background")), "")
                key = f"{log.stem}: {entry.get('event')} {cause[:200]}".strip()
                counts[key] = counts.get(key, 0) + 1
        return counts

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.workdir / f"{name}.log"
        return (
            "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
            if path.exists()
            else ""
        )

    # -----------------------------------------------------------------------------------------

    def _create_database(self) -> None:
        _run([*PG, "-d", "postgres", "-c", f"CREATE DATABASE {self.database}"])
        self.database_created = True

    def _spawn(self, name: str, command: list[str], *, env: dict[str, str]) -> None:
        log = (self.workdir / f"{name}.log").open("wb")
        # A session of its own, so that stop() ends exactly this process and its children.
        self.processes[name] = subprocess.Popen(
            command,
            cwd=self.workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    # Under the load of a shared 2-core machine, importing the app alone has taken a minute.
    def _wait_ready(self, url: str, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited early:\n{self.log_tail(name)}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{url} not ready after {timeout} s")


def require_tools() -> None:
    missing = [tool for tool in ("wrk", "haproxy", "psql") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(
            f"missing {', '.join(missing)}: apt-get update && apt-get install -y wrk haproxy"
        )


def _port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _run(command: list[str], **kwargs) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])}... failed:\n{result.stdout}{result.stderr}")
    return result.stdout
