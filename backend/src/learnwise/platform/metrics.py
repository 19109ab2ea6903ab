"""Service metrics for Prometheus at ``GET /metrics`` (not public).

- ``learnwise_http_requests_total{method,route,status}`` and
  ``learnwise_http_request_duration_seconds{method,route}``: per route *template*
  (``/api/v1/jobs/{job_id}``), so that ids never multiply the series; unmatched paths are
  counted under ``route="unmatched"``. Errors are the ``status`` 4xx/5xx series.
- ``learnwise_jobs{status,kind}``: the job queue (queued and running), read at scrape time.
- ``learnwise_websocket_connections``: open WebSocket connections of this process.
- ``learnwise_cache_lookups_total{namespace,result}`` and ``learnwise_cache_hit_ratio{namespace}``.

Access: ``Authorization: Bearer <LEARNWISE_REPORTS__METRICS_TOKEN>`` (for the Prometheus
scraper), or an access token of a user with ``metrics:read`` (admins).

Several uvicorn worker processes: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory shared
by them (prometheus-client's multiprocess mode); each scrape then adds up every process.
"""

import hmac
import os
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learnwise.auth.dependencies import bearer_scheme, current_principal
from learnwise.auth.exceptions import PermissionDenied
from learnwise.auth.permissions import Permission
from learnwise.errors import Unauthorized
from learnwise.platform.cache import lookup_stats
from learnwise.platform.models import Job
from learnwise.platform.runtime import Runtime, RuntimeDep

_MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class Metrics:
    """This process's metrics, in a registry of their own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "learnwise_http_requests",
            "HTTP requests by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "learnwise_http_request_duration_seconds",
            "HTTP request latency by route template.",
            ["method", "route"],
            registry=self.registry,
        )
        self.websockets = Gauge(
            "learnwise_websocket_connections",
            "Open WebSocket connections.",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.jobs = Gauge(
            "learnwise_jobs",
            "Background jobs waiting or running, read from the database at scrape time.",
            ["status", "kind"],
            registry=self.registry,
            multiprocess_mode="mostrecent",
        )
        self.cache_lookups = Gauge(
            "learnwise_cache_lookups_total",
            "Cache lookups of this process since it started, by namespace and result.",
            ["namespace", "result"],
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.cache_hit_ratio = Gauge(
            "learnwise_cache_hit_ratio",
            "Share of cache lookups that hit, by namespace.",
            ["namespace"],
            registry=self.registry,
            multiprocess_mode="liveall",
        )

    def exposition(self) -> bytes:
        if _MULTIPROCESS:
            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
            return generate_latest(merged)
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts and times every HTTP request under its route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            self.metrics.websockets.inc()
            try:
                await self.app(scope, receive, send)
            finally:
                self.metrics.websockets.dec()
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            template = route_template(scope)
            method = scope["method"]
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The matched route's path template, with the prefixes of the routers it was included
    through (a route knows only its own router's prefix; those above it are static)."""
    own = getattr(scope.get("route"), "path", None)
    if not own:
        return "unmatched"
    segments = (scope.get("root_path", "") + scope["path"]).rstrip("/").split("/")
    prefix = segments[: len(segments) - own.rstrip("/").count("/")]
    return "/".join(prefix) + own


async def _allowed(
    runtime: RuntimeDep, token: Annotated[str | None, Depends(bearer_scheme)]
) -> None:
    expected = runtime.settings.reports.metrics_token.get_secret_value()
    if token and expected and hmac.compare_digest(token.encode(), expected.encode()):
        return
    if not token:
        raise Unauthorized("Send the metrics token or an admin's access token as a Bearer token.")
    principal = await current_principal(runtime, token)
    if not principal.can(Permission.METRICS_READ):
        raise PermissionDenied("This needs the permission 'metrics:read'.")


router = APIRouter(tags=["metrics"])


@router.get(
    "/metrics",
    response_class=Response,
    dependencies=[Depends(_allowed)],
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
)
async def metrics(request: Request, runtime: RuntimeDep) -> Response:
    """Prometheus metrics of this instance (and the shared job queue)."""
    collected: Metrics = request.app.state.metrics
    await _read_job_queue(runtime, collected)
    for namespace, stats in lookup_stats().items():
        collected.cache_lookups.labels(namespace, "hit").set(stats.hits)
        collected.cache_lookups.labels(namespace, "miss").set(stats.misses)
        total = stats.hits + stats.misses
        collected.cache_hit_ratio.labels(namespace).set(stats.hits / total if total else 0.0)
    return Response(collected.exposition(), media_type=CONTENT_TYPE_LATEST)


async def _read_job_queue(runtime: Runtime, collected: Metrics) -> None:
    async with runtime.sessionmaker() as session:
        rows = await session.execute(
            select(Job.status, Job.kind, func.count())
            .where(Job.status.in_(["queued", "running"]))
            .group_by(Job.status, Job.kind)
        )
        counts = rows.all()
    collected.jobs.clear()
    for status, kind, count in counts:
        collected.jobs.labels(status, kind).set(count)
