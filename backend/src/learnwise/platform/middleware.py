"""ASGI middleware shared by every route: request ids and access logs, a body-size limit,
security headers, and a problem+json answer to unexpected errors. Plain ASGI (not
BaseHTTPMiddleware) so that it costs little per request."""

import logging
import re
import time
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learnwise.errors import PayloadTooLarge, problem_response, unexpected_error

log = structlog.get_logger("learnwise.access")
# Asked before each access log line: structlog runs its processors (time stamp included) before
# the standard logger drops a line below its level, a cost on every request otherwise.
_stdlib_access_logger = logging.getLogger("learnwise.access")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
# The API serves JSON only; the interactive docs need their CDN-free inline assets.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
    "https://fastapi.tiangolo.com; frame-ancestors 'none'"
)


class RequestContextMiddleware:
    """Gives every request an id (the caller's X-Request-ID when well-formed), binds it to the
    logs, echoes it in the response, adds security headers and writes one access log line."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        path = scope["path"]
        is_docs = path in ("/docs", "/redoc") or path.startswith("/docs/")

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["x-request-id"] = request_id
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", DOCS_CSP if is_docs else API_CSP)
                if self.hsts:
                    headers["strict-transport-security"] = "max-age=63072000; includeSubDomains"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if scope["type"] == "http" and _stdlib_access_logger.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    method=scope["method"],
                    path=path,
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            structlog.contextvars.unbind_contextvars("request_id")


class BodySizeLimitMiddleware:
    """Refuses bodies over the limit with 413, by Content-Length or while streaming, before the
    application reads them whole. Routes that stream uploads set their own, larger limit."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, exempt_prefixes: tuple[str, ...] = ()):
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_prefixes = exempt_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefixes):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        response_started = refused = False

        async def limited_receive() -> Message:
            # Over the limit, the 413 is sent from here and the application is told that the
            # client left: an exception raised here would reach FastAPI's body parsing, which
            # turns any error into a 400.
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    if not response_started:
                        await self._refuse(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if refused:  # the application's answer to the disconnect goes nowhere
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            Request(scope, receive),
            status=PayloadTooLarge.status,
            code=PayloadTooLarge.code,
            title=PayloadTooLarge.title,
            detail=f"The body exceeds {self.max_bytes} bytes.",
        )
        await response(scope, receive, send)


class UnexpectedErrorMiddleware:
    """Answers an exception that no handler took with a 500 problem+json.

    Starlette's own last-resort handler runs outside every middleware: its response would carry
    no request id, no security or CORS headers, and its log line no request id. Installed
    innermost, this one answers while the request id is bound and lets the response pass back
    through the other middleware.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if response_started:  # too late to answer; the server drops the connection
                raise
            response = await unexpected_error(Request(scope, receive), exc)
            await response(scope, receive, send)
