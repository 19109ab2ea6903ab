"""The ASGI application: ``learnwise.main:create_app`` (a factory; ``learnwise serve`` runs it)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from learnwise.api import api_router
from learnwise.config import Environment, Settings, get_settings
from learnwise.errors import install_error_handlers
from learnwise.health import router as health_router
from learnwise.platform import jobs, relay
from learnwise.platform.idempotency import REPLAYED_HEADER
from learnwise.platform.logs import configure_logging
from learnwise.platform.metrics import Metrics, MetricsMiddleware
from learnwise.platform.metrics import router as metrics_router
from learnwise.platform.middleware import (
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    UnexpectedErrorMiddleware,
)
from learnwise.platform.routing import include_flat
from learnwise.platform.runtime import Runtime

DESCRIPTION = """
Learnwise: an adaptive learning platform.

Sign in with **Authorize** (OAuth2 password flow against `/api/v1/auth/token`), or send
`Authorization: Bearer <access token>` from `/api/v1/auth/login`. Errors are
`application/problem+json` (RFC 9457) with a stable `code`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, json=settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.build(settings)
        app.state.runtime = runtime
        await runtime.hub.start()
        outbox_relay = relay.start(runtime) if settings.events.relay_enabled else None
        job_worker = jobs.start(runtime) if settings.jobs.worker_enabled else None
        try:
            yield
        finally:
            if job_worker is not None:
                await job_worker.stop()
            if outbox_relay is not None:
                await outbox_relay.stop()
            await runtime.close()

    app = FastAPI(
        title="Learnwise API",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        swagger_ui_parameters={"persistAuthorization": True},
    )
    install_error_handlers(app)
    app.include_router(health_router)
    include_flat(app, api_router)
    app.include_router(metrics_router)
    app.state.metrics = Metrics()

    # Each add_middleware wraps the previous ones: the first added runs innermost.
    app.add_middleware(UnexpectedErrorMiddleware)
    # Media uploads stream under their own, larger limits (no media endpoint parses a body).
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        exempt_prefixes=("/api/v1/media", "/api/v1/courses/import"),
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "X-CSRF-Token",
                "Idempotency-Key",
                "If-Match",
                "If-None-Match",
                "X-Request-ID",
            ],
            expose_headers=["X-Request-ID", "ETag", "Retry-After", REPLAYED_HEADER],
        )
    app.add_middleware(
        RequestContextMiddleware, hsts=settings.environment == Environment.PRODUCTION
    )
    # Outermost: it times everything, and sees the route template once routing has run.
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    return app
