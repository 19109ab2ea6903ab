"""The OAuth2 token endpoint (RFC 6749), which Swagger UI's Authorize button uses: form bodies,
grant_type password and refresh_token, and RFC 6749 error members on failure."""

from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.models import User
from learnwise.platform.runtime import Runtime
from tests.auth.flows import (
    AUTH,
    PASSWORD,
    assert_problem,
    assert_signed_in,
    assert_unauthorized,
    me,
    new_email,
    register,
    revoked_reason,
    unrotated_tokens,
    user_count,
)

TOKEN = f"{AUTH}/token"


def assert_oauth_error(response: httpx.Response, error: str) -> dict[str, Any]:
    body = assert_problem(response, 400, error)
    assert body["error"] == error
    assert body["error_description"]
    return body


def assert_granted(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    return body


async def password_grant(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    return await client.post(
        TOKEN, data={"grant_type": "password", "username": username, "password": password}
    )


async def refresh_grant(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post(
        TOKEN, data={"grant_type": "refresh_token", "refresh_token": refresh_token}
    )


@pytest.fixture
async def email(client: httpx.AsyncClient) -> str:
    email = new_email()
    await register(client, email)
    return email


async def test_the_password_grant_signs_in(client: httpx.AsyncClient, email: str) -> None:
    # What Swagger UI sends: a scope field, possibly empty, and the email as the username.
    response = await client.post(
        TOKEN,
        data={
            "grant_type": "password",
            "username": email.upper(),
            "password": PASSWORD,
            "scope": "",
        },
    )

    tokens = assert_granted(response)
    assert (await assert_signed_in(client, tokens["access_token"]))["email"] == email


async def test_the_refresh_token_grant_rotates(client: httpx.AsyncClient, email: str) -> None:
    first = assert_granted(await password_grant(client, email))

    second = assert_granted(await refresh_grant(client, first["refresh_token"]))

    assert second["refresh_token"] != first["refresh_token"]
    await assert_signed_in(client, second["access_token"])
    third = assert_granted(await refresh_grant(client, second["refresh_token"]))
    await assert_signed_in(client, third["access_token"])


async def test_a_refresh_token_from_login_works_at_the_token_endpoint(
    client: httpx.AsyncClient,
) -> None:
    tokens = await register(client)

    granted = assert_granted(await refresh_grant(client, tokens["refresh_token"]))

    await assert_signed_in(client, granted["access_token"])


@pytest.mark.parametrize("password", ["wrong password", PASSWORD.upper(), PASSWORD[:-1]])
async def test_a_wrong_password_is_invalid_grant(
    client: httpx.AsyncClient, email: str, password: str
) -> None:
    response = await password_grant(client, email, password)

    body = assert_oauth_error(response, "invalid_grant")
    assert "www-authenticate" not in response.headers
    unknown = await password_grant(client, new_email(), password)
    assert assert_oauth_error(unknown, "invalid_grant")["detail"] == body["detail"]


async def test_a_reused_refresh_token_is_invalid_grant_and_revokes_the_family(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runtime.settings.auth, "refresh_grace_seconds", 0)
    tokens = await register(client)
    newest = assert_granted(await refresh_grant(client, tokens["refresh_token"]))

    response = await refresh_grant(client, tokens["refresh_token"])

    assert_oauth_error(response, "invalid_grant")
    # The revocation is the outcome of the failed request: it was committed, not rolled back.
    assert await revoked_reason(db_session, tokens["session_id"]) == "refresh_token_reused"
    assert_oauth_error(await refresh_grant(client, newest["refresh_token"]), "invalid_grant")
    assert_unauthorized(await me(client, newest["access_token"]), "session-revoked")
    assert_unauthorized(await me(client, tokens["access_token"]), "session-revoked")


async def test_reuse_detection_commits_for_real(
    live_client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, with real commits: the revocation survives the error response."""
    monkeypatch.setattr(runtime.settings.auth, "refresh_grace_seconds", 0)
    tokens = await register(live_client)
    newest = assert_granted(await refresh_grant(live_client, tokens["refresh_token"]))

    assert_oauth_error(await refresh_grant(live_client, tokens["refresh_token"]), "invalid_grant")

    async with runtime.sessionmaker() as session:
        assert await revoked_reason(session, tokens["session_id"]) == "refresh_token_reused"
    assert_unauthorized(await me(live_client, newest["access_token"]), "session-revoked")


async def test_an_unknown_refresh_token_is_invalid_grant(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    tokens = await register(client)

    assert_oauth_error(await refresh_grant(client, "x" * 43), "invalid_grant")

    assert await revoked_reason(db_session, tokens["session_id"]) is None
    assert await unrotated_tokens(db_session, tokens["session_id"]) == 1


@pytest.mark.parametrize(
    "grant_type", ["client_credentials", "authorization_code", "PASSWORD", "implicit"]
)
async def test_an_unknown_grant_type_is_unsupported(
    client: httpx.AsyncClient, email: str, grant_type: str
) -> None:
    response = await client.post(
        TOKEN, data={"grant_type": grant_type, "username": email, "password": PASSWORD}
    )

    assert_oauth_error(response, "unsupported_grant_type")


@pytest.mark.parametrize(
    "data",
    [
        {"grant_type": "password"},
        {"grant_type": "password", "username": "ada@example.org"},
        {"grant_type": "password", "password": PASSWORD},
        {"grant_type": "password", "username": "", "password": ""},
        {"grant_type": "refresh_token"},
        {"grant_type": "refresh_token", "refresh_token": ""},
        {"username": "ada@example.org", "password": PASSWORD},
        {},
    ],
    ids=lambda data: "+".join(data) or "nothing",
)
async def test_missing_parameters_are_invalid_request(
    client: httpx.AsyncClient, db_session: AsyncSession, data: dict[str, str]
) -> None:
    before = await user_count(db_session)

    response = await client.post(TOKEN, data=data)

    assert_oauth_error(response, "invalid_request")
    assert await user_count(db_session) == before


async def test_a_json_body_is_invalid_request(client: httpx.AsyncClient, email: str) -> None:
    response = await client.post(
        TOKEN, json={"grant_type": "password", "username": email, "password": PASSWORD}
    )

    assert_oauth_error(response, "invalid_request")


async def test_a_deactivated_account_is_invalid_grant(
    client: httpx.AsyncClient, db_session: AsyncSession, email: str
) -> None:
    await db_session.execute(update(User).where(User.email == email).values(is_active=False))
    await db_session.commit()

    assert_oauth_error(await password_grant(client, email), "invalid_grant")
