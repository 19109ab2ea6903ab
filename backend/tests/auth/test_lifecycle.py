"""The whole life of an account through the API: sign-up, sign-in, refresh, sign-out, password
change, and what each step does to the other sessions."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.auth.flows import (
    AUTH,
    PASSWORD,
    assert_problem,
    assert_signed_in,
    assert_unauthorized,
    bearer,
    login,
    me,
    new_email,
    password_hash_of,
    refresh,
    register,
    revoked_reason,
    user_count,
)

NEW_PASSWORD = "a brand new passphrase for learnwise"


async def test_register_signs_the_new_learner_in(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    before = await user_count(db_session)
    response = await client.post(
        f"{AUTH}/register",
        json={"email": "Ada.Lovelace@Example.ORG", "password": PASSWORD, "display_name": " Ada "},
    )

    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    tokens = response.json()
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 15 * 60
    assert tokens["refresh_token"] and tokens["access_token"] and tokens["csrf_token"]
    assert await user_count(db_session) == before + 1
    profile = await assert_signed_in(client, tokens["access_token"])
    assert profile["email"] == "ada.lovelace@example.org"
    assert profile["display_name"] == "Ada"
    assert profile["roles"] == ["learner"]
    assert profile["has_password"] is True
    assert "course:read" in profile["permissions"]
    assert "user:manage" not in profile["permissions"]
    assert "password_hash" not in profile


async def test_login_is_case_insensitive_in_the_email(client: httpx.AsyncClient) -> None:
    email = new_email()
    await register(client, email)

    tokens = await login(client, email.upper())

    profile = await assert_signed_in(client, tokens["access_token"])
    assert profile["email"] == email
    assert profile["last_login_at"] is not None


async def test_each_login_is_a_session_of_its_own(client: httpx.AsyncClient) -> None:
    email = new_email()
    first = await register(client, email)
    second = await login(client, email)

    assert second["session_id"] != first["session_id"]
    assert second["refresh_token"] != first["refresh_token"]
    await assert_signed_in(client, first["access_token"])
    await assert_signed_in(client, second["access_token"])


async def test_refresh_issues_working_tokens(client: httpx.AsyncClient) -> None:
    tokens = await register(client)

    response = await refresh(client, tokens["refresh_token"])

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    renewed = response.json()
    assert renewed["session_id"] == tokens["session_id"]
    assert renewed["refresh_token"] != tokens["refresh_token"]
    assert renewed["access_token"] != tokens["access_token"]
    await assert_signed_in(client, renewed["access_token"])
    # The access token from before the refresh stays valid until it expires.
    await assert_signed_in(client, tokens["access_token"])


async def test_logout_by_refresh_token_ends_only_that_session(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    email = new_email()
    ended = await register(client, email)
    other = await login(client, email)

    response = await client.post(f"{AUTH}/logout", json={"refresh_token": ended["refresh_token"]})

    assert response.status_code == 204, response.text
    assert await revoked_reason(db_session, ended["session_id"]) == "logout"
    assert_unauthorized(await me(client, ended["access_token"]), "session-revoked")
    assert_unauthorized(await refresh(client, ended["refresh_token"]), "invalid-refresh-token")
    await assert_signed_in(client, other["access_token"])
    assert (await refresh(client, other["refresh_token"])).status_code == 200


async def test_logout_by_access_token(client: httpx.AsyncClient) -> None:
    tokens = await register(client)

    response = await client.post(f"{AUTH}/logout", headers=bearer(tokens["access_token"]))

    assert response.status_code == 204, response.text
    assert_unauthorized(await me(client, tokens["access_token"]), "session-revoked")
    assert_unauthorized(await refresh(client, tokens["refresh_token"]), "invalid-refresh-token")


async def test_logout_without_any_token_is_refused(client: httpx.AsyncClient) -> None:
    assert_unauthorized(await client.post(f"{AUTH}/logout"), "unauthorized")
    assert_unauthorized(
        await client.post(f"{AUTH}/logout", json={"refresh_token": "no-such-token"}),
        "invalid-refresh-token",
    )


async def test_logout_all_ends_every_session_of_the_caller_only(
    client: httpx.AsyncClient,
) -> None:
    email = new_email()
    sessions = [
        await register(client, email),
        await login(client, email),
        await login(client, email),
    ]
    bystander = await register(client)

    response = await client.post(f"{AUTH}/logout-all", headers=bearer(sessions[1]["access_token"]))

    assert response.status_code == 204, response.text
    for tokens in sessions:
        assert_unauthorized(await me(client, tokens["access_token"]), "session-revoked")
        assert_unauthorized(await refresh(client, tokens["refresh_token"]), "invalid-refresh-token")
    await assert_signed_in(client, bystander["access_token"])
    # Signing in again works.
    await assert_signed_in(client, (await login(client, email))["access_token"])


async def test_password_change_signs_out_the_other_sessions_at_once(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    email = new_email()
    current = await register(client, email)
    other = await login(client, email)
    await assert_signed_in(client, other["access_token"])  # cached as active

    response = await client.post(
        f"{AUTH}/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(current["access_token"]),
    )

    assert response.status_code == 204, response.text
    assert_unauthorized(await me(client, other["access_token"]), "session-revoked")
    assert_unauthorized(await refresh(client, other["refresh_token"]), "invalid-refresh-token")
    assert await revoked_reason(db_session, other["session_id"]) == "password_changed"
    await assert_signed_in(client, current["access_token"])
    assert (await refresh(client, current["refresh_token"])).status_code == 200
    old = await client.post(f"{AUTH}/login", json={"email": email, "password": PASSWORD})
    assert_unauthorized(old, "invalid-credentials")
    await assert_signed_in(client, (await login(client, email, NEW_PASSWORD))["access_token"])


async def test_password_change_with_a_wrong_current_password_changes_nothing(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    email = new_email()
    current = await register(client, email)
    other = await login(client, email)
    hash_before = await password_hash_of(db_session, email)

    response = await client.post(
        f"{AUTH}/password",
        json={"current_password": "not the password", "new_password": NEW_PASSWORD},
        headers=bearer(current["access_token"]),
    )

    # 403, not 401: the caller is signed in, and must not be taken for signed out.
    assert_problem(response, 403, "wrong-current-password")
    assert await password_hash_of(db_session, email) == hash_before
    await assert_signed_in(client, other["access_token"])
    await login(client, email, PASSWORD)


async def test_password_change_to_a_weak_password_changes_nothing(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    email = new_email()
    current = await register(client, email)
    other = await login(client, email)
    hash_before = await password_hash_of(db_session, email)

    for weak in ("short", "password1", email):
        response = await client.post(
            f"{AUTH}/password",
            json={"current_password": PASSWORD, "new_password": weak},
            headers=bearer(current["access_token"]),
        )
        assert_problem(response, 422, "weak-password")

    assert await password_hash_of(db_session, email) == hash_before
    await assert_signed_in(client, other["access_token"])


async def test_password_change_needs_a_signed_in_caller(client: httpx.AsyncClient) -> None:
    response = await client.post(
        f"{AUTH}/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert_unauthorized(response, "unauthorized")


async def test_me_without_a_token_is_refused(client: httpx.AsyncClient) -> None:
    assert_unauthorized(await client.get(f"{AUTH}/me"), "unauthorized")
