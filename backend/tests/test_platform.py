"""What every route shares, through HTTP: problem+json errors, request ids, security headers,
CORS, health probes, structured logs, and settings that refuse weak secrets in production."""

import json
import logging
import os
import re
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager
from conftest import REDIS_URL, make_settings
from fastapi import FastAPI
from pydantic import ValidationError

from learnwise.config import DEFAULT_SECRET, Environment, Settings
from learnwise.main import create_app
from learnwise.platform.runtime import Runtime

PROBLEM_FIELDS = {"type", "title", "status", "detail", "code", "request_id"}
SECRET_MESSAGE = "db password is hunter2"  # what an exception must never show a client


@asynccontextmanager
async def running(
    app: FastAPI, *, raise_app_exceptions: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


@pytest.fixture
async def bare_client(app_and_runtime: tuple[object, Runtime]) -> AsyncIterator[httpx.AsyncClient]:
    """The test app outside any test transaction (the probes open connections of their own)."""
    transport = httpx.ASGITransport(app=app_and_runtime[0])  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """create_app configures the root logger; put the session's configuration back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith("/" + code)
    assert body["request_id"] == response.headers["x-request-id"]
    return body


# ---------------------------------------------------------------------------------------------
# Errors


async def test_an_unknown_route_is_a_problem(bare_client: httpx.AsyncClient) -> None:
    response = await bare_client.get("/api/v1/no-such-thing")
    body = assert_problem(response, 404, "not-found")
    assert body["title"] == "Not Found"
    assert body["instance"] == "/api/v1/no-such-thing"


async def test_a_wrong_method_is_a_problem_naming_the_allowed_ones(
    bare_client: httpx.AsyncClient,
) -> None:
    response = await bare_client.delete("/health/live")
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "GET"


async def test_malformed_json_is_a_bad_request(bare_client: httpx.AsyncClient) -> None:
    response = await bare_client.post(
        "/api/v1/auth/login", content=b'{"email": ', headers={"content-type": "application/json"}
    )
    assert_problem(response, 400, "malformed-json")


async def test_an_oversized_body_is_refused_before_it_is_read(
    bare_client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await bare_client.post(
        "/api/v1/auth/login",
        content=b"x" * (settings.max_body_bytes + 1),
        headers={"content-type": "application/json"},
    )
    assert_problem(response, 413, "payload-too-large")


async def test_a_streamed_body_over_the_limit_is_refused_and_not_processed(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Without Content-Length, the limit holds while the body streams in."""
    email = f"streamed-{secrets.token_hex(4)}@example.org"
    padding = b"x" * 65536

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"email": "' + email.encode() + b'", "password": "correct horse battery staple", '
        for _ in range(settings.max_body_bytes // len(padding) + 1):
            yield b'"display_name": "' + padding + b'", '
        yield b'"refresh_in": "body"}'

    response = await client.post(
        "/api/v1/auth/register", content=chunks(), headers={"content-type": "application/json"}
    )

    assert_problem(response, 413, "payload-too-large")
    login = await client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": "correct horse battery staple"},
    )
    assert login.status_code == 401


async def broken() -> None:
    raise RuntimeError(SECRET_MESSAGE)


def app_with_a_bug(settings: Settings, **overrides: object) -> FastAPI:
    app = create_app(make_settings(settings.database_url, **overrides))
    app.add_api_route("/broken", broken)
    return app


async def test_an_unexpected_exception_is_a_bare_500(
    settings: Settings, restore_logging: None
) -> None:
    app = app_with_a_bug(settings, cors_origins=["https://app.example"])
    async with running(app, raise_app_exceptions=False) as http:
        response = await http.get(
            "/broken", headers={"X-Request-ID": "req-500", "Origin": "https://app.example"}
        )

    body = assert_problem(response, 500, "internal-error")
    assert body["request_id"] == "req-500"
    assert SECRET_MESSAGE not in response.text
    assert "RuntimeError" not in response.text
    # The answer passes back through the middleware: security and CORS headers included.
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["access-control-allow-origin"] == "https://app.example"


# ---------------------------------------------------------------------------------------------
# Request ids and headers


async def test_a_valid_request_id_is_echoed(bare_client: httpx.AsyncClient) -> None:
    response = await bare_client.get("/health/live", headers={"X-Request-ID": "trace-42.a_b"})
    assert response.headers["x-request-id"] == "trace-42.a_b"


async def test_a_request_id_is_generated_when_none_is_sent(bare_client: httpx.AsyncClient) -> None:
    first = await bare_client.get("/health/live")
    second = await bare_client.get("/health/live")
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize("sent", ["has spaces", "x" * 129, "<script>", "semi;colon", ""], ids=repr)
async def test_an_invalid_request_id_is_replaced(bare_client: httpx.AsyncClient, sent: str) -> None:
    response = await bare_client.get("/api/v1/nowhere", headers={"X-Request-ID": sent})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
    assert response.json()["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("path", ["/health/live", "/api/v1/nowhere", "/api/v1/auth/me"])
async def test_security_headers_are_on_every_response(
    bare_client: httpx.AsyncClient, path: str
) -> None:
    response = await bare_client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert (
        response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    )
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in response.headers  # only in production


async def test_the_docs_get_a_policy_that_lets_them_load(bare_client: httpx.AsyncClient) -> None:
    response = await bare_client.get("/docs")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net" in policy
    assert "frame-ancestors 'none'" in policy


async def test_production_adds_hsts(settings: Settings, restore_logging: None) -> None:
    app = create_app(make_settings(settings.database_url, environment=Environment.PRODUCTION))
    async with running(app) as http:
        response = await http.get("/health/live")
    assert response.headers["strict-transport-security"].startswith("max-age=")


# ---------------------------------------------------------------------------------------------
# CORS


async def test_cors_is_closed_unless_configured(bare_client: httpx.AsyncClient) -> None:
    response = await bare_client.get("/health/live", headers={"Origin": "https://app.example"})
    assert "access-control-allow-origin" not in response.headers


async def test_cors_allows_only_the_configured_origins(
    settings: Settings, restore_logging: None
) -> None:
    app = create_app(make_settings(settings.database_url, cors_origins=["https://app.example"]))
    async with running(app) as http:
        allowed = await http.get("/health/live", headers={"Origin": "https://app.example"})
        other = await http.get("/health/live", headers={"Origin": "https://evil.example"})
        preflight = await http.options(
            "/api/v1/auth/login",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, x-csrf-token",
            },
        )
        refused_preflight = await http.options(
            "/api/v1/auth/login",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )

    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert allowed.headers["access-control-allow-credentials"] == "true"
    exposed = allowed.headers["access-control-expose-headers"].lower()
    # A browser app reads these: the request id, and whether a retried write was a replay.
    assert "x-request-id" in exposed
    assert "idempotent-replayed" in exposed
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-origin" not in refused_preflight.headers


async def test_cors_origins_are_read_from_a_comma_separated_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEARNWISE_CORS_ORIGINS", "https://a.example, https://b.example,")
    configured = Settings(_env_file=None)  # type: ignore[call-arg]
    assert configured.cors_origins == ["https://a.example", "https://b.example"]


# ---------------------------------------------------------------------------------------------
# Health


async def test_liveness(bare_client: httpx.AsyncClient) -> None:
    response = await bare_client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_checks_the_database_and_redis(bare_client: httpx.AsyncClient) -> None:
    response = await bare_client.get("/health/ready")
    assert response.status_code == 200
    expected = {"database": "ok", "redis": "ok"} if REDIS_URL else {"database": "ok"}
    assert response.json() == {"status": "ok", "checks": expected}


async def test_readiness_fails_without_a_database(tmp_path, restore_logging: None) -> None:
    unreachable = f"sqlite+aiosqlite:///{tmp_path}/missing-directory/learnwise.db"
    app = create_app(make_settings(unreachable, redis_url=None))
    async with running(app) as http:
        response = await http.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    # The kind of failure only: no paths, addresses or messages for whoever can reach the probe.
    assert re.fullmatch(r"error: \w+", body["checks"]["database"])


# ---------------------------------------------------------------------------------------------
# Logs


def log_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


async def test_log_lines_carry_the_request_id(
    settings: Settings, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    # Configured while capsys holds stdout, so that the JSON lines land there.
    app = app_with_a_bug(settings, log_level="INFO")
    async with running(app, raise_app_exceptions=False) as http:
        await http.get("/health/live", headers={"X-Request-ID": "log-me-1"})
        await http.get("/broken", headers={"X-Request-ID": "log-me-2"})

    lines = log_lines(capsys.readouterr().out)
    access = {line["request_id"]: line for line in lines if line["event"] == "request"}
    assert access["log-me-1"]["status"] == 200
    assert access["log-me-1"]["path"] == "/health/live"
    assert access["log-me-2"]["status"] == 500
    errors = [line for line in lines if line["event"] == "unhandled_error"]
    assert [e["request_id"] for e in errors] == ["log-me-2"]
    assert SECRET_MESSAGE in errors[0]["exception"]  # the operator does see it


# ---------------------------------------------------------------------------------------------
# Settings


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Settings]:
    """Settings from the given values only: no LEARNWISE_ variables, no .env file."""
    for name in list(os.environ):
        if name.startswith("LEARNWISE_") or name in ("DATABASE_URL", "REDIS_URL"):
            monkeypatch.delenv(name)

    def build(**values: object) -> Settings:
        return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]

    return build


def test_production_refuses_the_default_secret(clean_environment: Callable[..., Settings]) -> None:
    with pytest.raises(ValidationError, match="LEARNWISE_SECRET_KEY"):
        clean_environment(environment="production")
    with pytest.raises(ValidationError, match="LEARNWISE_SECRET_KEY"):
        clean_environment(environment="production", secret_key=DEFAULT_SECRET)


@pytest.mark.parametrize("environment", ["production", "development", "test"])
def test_a_short_secret_is_refused(
    clean_environment: Callable[..., Settings], environment: str
) -> None:
    with pytest.raises(ValidationError, match="32 bytes"):
        clean_environment(environment=environment, secret_key="s" * 31)


def test_production_accepts_a_long_random_secret(
    clean_environment: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = secrets.token_urlsafe(48)
    monkeypatch.setenv("LEARNWISE_ENVIRONMENT", "production")
    monkeypatch.setenv("LEARNWISE_SECRET_KEY", secret)

    configured = clean_environment()

    assert configured.environment == Environment.PRODUCTION
    assert configured.secret_key.get_secret_value() == secret
    assert secret not in repr(configured)


def test_development_runs_with_the_default_secret(
    clean_environment: Callable[..., Settings],
) -> None:
    assert clean_environment().secret_key.get_secret_value() == DEFAULT_SECRET
