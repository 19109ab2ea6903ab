"""Helpers for the authentication API tests: sign-up and sign-in through the API, problem+json
assertions, and reads of the database state that a refused request must leave unchanged."""

import secrets
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.models import AuthSession, RefreshToken, User
from learnwise.errors import PROBLEM_JSON
from tests.conftest import PASSWORD

AUTH = "/api/v1/auth"


def new_email() -> str:
    return f"user-{secrets.token_hex(4)}@example.org"


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and code; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["type"].endswith("/" + code)
    return body


def assert_unauthorized(response: httpx.Response, code: str) -> dict[str, Any]:
    body = assert_problem(response, 401, code)
    assert response.headers["www-authenticate"] == "Bearer"
    return body


async def register(
    client: httpx.AsyncClient,
    email: str | None = None,
    password: str = PASSWORD,
    **extra: Any,
) -> dict[str, Any]:
    email = email or new_email()
    response = await client.post(
        f"{AUTH}/register",
        json={"email": email, "password": password, "display_name": "Learner", **extra},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def login(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        f"{AUTH}/login", json={"email": email, "password": password, **extra}
    )
    assert response.status_code == 200, response.text
    return response.json()


async def refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post(f"{AUTH}/refresh", json={"refresh_token": refresh_token})


async def me(client: httpx.AsyncClient, access_token: str) -> httpx.Response:
    return await client.get(f"{AUTH}/me", headers=bearer(access_token))


async def assert_signed_in(client: httpx.AsyncClient, access_token: str) -> dict[str, Any]:
    response = await me(client, access_token)
    assert response.status_code == 200, response.text
    return response.json()


async def user_count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(User)) or 0


async def password_hash_of(session: AsyncSession, email: str) -> str | None:
    return await session.scalar(select(User.password_hash).where(User.email == email))


async def revoked_reason(session: AsyncSession, session_id: uuid.UUID | str) -> str | None:
    """Why the login session was revoked, or None while it is active."""
    return await session.scalar(
        select(AuthSession.revoked_reason).where(
            AuthSession.session_id == uuid.UUID(str(session_id))
        )
    )


async def unrotated_tokens(session: AsyncSession, session_id: uuid.UUID | str) -> int:
    """How many refresh tokens of the session can still be used: one for a healthy family."""
    return (
        await session.scalar(
            select(func.count())
            .select_from(RefreshToken)
            .where(
                RefreshToken.session_id == uuid.UUID(str(session_id)),
                RefreshToken.rotated_at.is_(None),
            )
        )
        or 0
    )
