"""The web app's mode: the refresh token lives in an httpOnly cookie scoped to /api/v1/auth, and
every use of that cookie needs the session's CSRF token in X-CSRF-Token (signed double submit)."""

from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

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
)


def set_cookies(response: httpx.Response) -> dict[str, dict[str, Any]]:
    """The cookies a response sets, each with its attributes (names lower-cased)."""
    cookies: dict[str, dict[str, Any]] = {}
    for header in response.headers.get_list("set-cookie"):
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            cookies[name] = {"value": morsel.value, **{k: v for k, v in morsel.items() if v}}
    return cookies


def assert_refresh_cookie(response: httpx.Response) -> str:
    cookies = set_cookies(response)
    refresh_cookie, csrf_cookie = cookies["lw_refresh"], cookies["lw_csrf"]
    assert refresh_cookie["httponly"] is True
    assert refresh_cookie["samesite"].lower() == "lax"
    assert refresh_cookie["path"] == "/api/v1/auth"
    assert int(refresh_cookie["max-age"]) == 30 * 86400
    # Readable by the web app, which echoes it in the header.
    assert "httponly" not in csrf_cookie
    assert csrf_cookie["samesite"].lower() == "lax"
    assert csrf_cookie["path"] == "/"
    assert csrf_cookie["value"] == response.json()["csrf_token"]
    assert response.json()["refresh_token"] is None
    return refresh_cookie["value"]


@pytest.fixture
async def web_session(client: httpx.AsyncClient) -> dict[str, Any]:
    """A session signed up in cookie mode; the client's cookie jar holds its cookies."""
    response = await client.post(
        f"{AUTH}/register",
        json={
            "email": new_email(),
            "password": PASSWORD,
            "display_name": "Web",
            "refresh_in": "cookie",
        },
    )
    assert response.status_code == 201, response.text
    return {**response.json(), "refresh_cookie": assert_refresh_cookie(response)}


async def test_login_in_cookie_mode_sets_the_cookies(client: httpx.AsyncClient) -> None:
    email = new_email()
    await register(client, email)

    response = await client.post(
        f"{AUTH}/login", json={"email": email, "password": PASSWORD, "refresh_in": "cookie"}
    )

    assert response.status_code == 200, response.text
    assert_refresh_cookie(response)
    await assert_signed_in(client, response.json()["access_token"])


async def test_refresh_by_cookie_without_the_csrf_header_is_refused(
    client: httpx.AsyncClient, db_session: AsyncSession, web_session: dict[str, Any]
) -> None:
    response = await client.post(f"{AUTH}/refresh")

    assert_problem(response, 403, "csrf-failed")
    assert "set-cookie" not in response.headers
    assert await unrotated_tokens(db_session, web_session["session_id"]) == 1
    assert await revoked_reason(db_session, web_session["session_id"]) is None
    await assert_signed_in(client, web_session["access_token"])


@pytest.mark.parametrize("csrf", ["wrong", "", "0" * 64])
async def test_refresh_by_cookie_with_a_wrong_csrf_header_is_refused(
    client: httpx.AsyncClient, db_session: AsyncSession, web_session: dict[str, Any], csrf: str
) -> None:
    response = await client.post(f"{AUTH}/refresh", headers={"X-CSRF-Token": csrf})

    assert_problem(response, 403, "csrf-failed")
    assert await unrotated_tokens(db_session, web_session["session_id"]) == 1
    await assert_signed_in(client, web_session["access_token"])


@pytest.mark.usefixtures("web_session")
async def test_the_csrf_token_of_another_session_does_not_fit(client: httpx.AsyncClient) -> None:
    other = await register(client)

    response = await client.post(f"{AUTH}/refresh", headers={"X-CSRF-Token": other["csrf_token"]})

    assert_problem(response, 403, "csrf-failed")


async def test_refresh_by_cookie_with_the_csrf_header_rotates_the_cookie(
    client: httpx.AsyncClient, db_session: AsyncSession, web_session: dict[str, Any]
) -> None:
    response = await client.post(
        f"{AUTH}/refresh", headers={"X-CSRF-Token": web_session["csrf_token"]}
    )

    assert response.status_code == 200, response.text
    rotated = assert_refresh_cookie(response)
    assert rotated != web_session["refresh_cookie"]
    assert response.json()["csrf_token"] == web_session["csrf_token"]  # bound to the session
    assert response.json()["session_id"] == web_session["session_id"]
    await assert_signed_in(client, response.json()["access_token"])
    assert await unrotated_tokens(db_session, web_session["session_id"]) == 1
    # The jar now holds the rotated cookie, which works in turn.
    again = await client.post(
        f"{AUTH}/refresh", headers={"X-CSRF-Token": web_session["csrf_token"]}
    )
    assert again.status_code == 200, again.text


@pytest.mark.usefixtures("web_session")
async def test_the_cookie_is_sent_only_to_the_auth_routes(client: httpx.AsyncClient) -> None:
    request = client.build_request("GET", "/api/v1/users/me/settings")
    assert "lw_refresh" not in request.headers.get("cookie", "")
    request = client.build_request("POST", f"{AUTH}/refresh")
    assert "lw_refresh" in request.headers["cookie"]


async def test_logout_by_cookie_needs_the_csrf_header(
    client: httpx.AsyncClient, db_session: AsyncSession, web_session: dict[str, Any]
) -> None:
    refused = await client.post(f"{AUTH}/logout")

    assert_problem(refused, 403, "csrf-failed")
    assert await revoked_reason(db_session, web_session["session_id"]) is None
    await assert_signed_in(client, web_session["access_token"])

    response = await client.post(
        f"{AUTH}/logout", headers={"X-CSRF-Token": web_session["csrf_token"]}
    )

    assert response.status_code == 204, response.text
    cleared = set_cookies(response)
    assert int(cleared["lw_refresh"]["max-age"]) == 0
    assert cleared["lw_refresh"]["path"] == "/api/v1/auth"
    assert int(cleared["lw_csrf"]["max-age"]) == 0
    assert await revoked_reason(db_session, web_session["session_id"]) == "logout"
    assert_unauthorized(await me(client, web_session["access_token"]), "session-revoked")


async def test_a_stale_cookie_is_refused_even_with_the_csrf_header(
    client: httpx.AsyncClient, web_session: dict[str, Any]
) -> None:
    await client.post(f"{AUTH}/logout", headers={"X-CSRF-Token": web_session["csrf_token"]})
    client.cookies.set("lw_refresh", web_session["refresh_cookie"], path="/api/v1/auth")

    response = await client.post(
        f"{AUTH}/refresh", headers={"X-CSRF-Token": web_session["csrf_token"]}
    )

    assert_unauthorized(response, "invalid-refresh-token")
