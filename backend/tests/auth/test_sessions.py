"""A user's sign-in sessions: listing them, and ending one from another device."""

import uuid

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
    refresh,
    register,
    revoked_reason,
)


async def test_sessions_lists_the_callers_active_sessions(client: httpx.AsyncClient) -> None:
    email = new_email()
    first = await register(client, email)
    second = await client.post(
        f"{AUTH}/login",
        json={"email": email, "password": PASSWORD},
        headers={"User-Agent": "Learnwise-Tablet/2.0"},
    )
    ended = await login(client, email)
    await client.post(f"{AUTH}/logout", json={"refresh_token": ended["refresh_token"]})
    await register(client)  # someone else's session is never listed

    response = await client.get(f"{AUTH}/sessions", headers=bearer(first["access_token"]))

    assert response.status_code == 200, response.text
    listed = {s["session_id"]: s for s in response.json()}
    assert set(listed) == {first["session_id"], second.json()["session_id"]}
    assert listed[first["session_id"]]["current"] is True
    assert listed[second.json()["session_id"]]["current"] is False
    assert listed[second.json()["session_id"]]["user_agent"] == "Learnwise-Tablet/2.0"
    assert listed[first["session_id"]]["ip_address"] == "127.0.0.1"
    assert listed[first["session_id"]]["auth_method"] == "password"


async def test_revoking_a_session_rejects_its_tokens_at_once(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    email = new_email()
    current = await register(client, email)
    lost_phone = await login(client, email)
    await assert_signed_in(client, lost_phone["access_token"])  # cached as active

    response = await client.delete(
        f"{AUTH}/sessions/{lost_phone['session_id']}", headers=bearer(current["access_token"])
    )

    assert response.status_code == 204, response.text
    assert_unauthorized(await me(client, lost_phone["access_token"]), "session-revoked")
    assert_unauthorized(await refresh(client, lost_phone["refresh_token"]), "invalid-refresh-token")
    assert await revoked_reason(db_session, lost_phone["session_id"]) == "revoked_by_user"
    await assert_signed_in(client, current["access_token"])
    listed = await client.get(f"{AUTH}/sessions", headers=bearer(current["access_token"]))
    assert [s["session_id"] for s in listed.json()] == [current["session_id"]]


async def test_revoking_ones_current_session_signs_it_out(client: httpx.AsyncClient) -> None:
    tokens = await register(client)

    response = await client.delete(
        f"{AUTH}/sessions/{tokens['session_id']}", headers=bearer(tokens["access_token"])
    )

    assert response.status_code == 204
    assert_unauthorized(await me(client, tokens["access_token"]), "session-revoked")


async def test_another_users_session_is_not_found_and_keeps_working(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    attacker = await register(client)
    victim = await register(client)

    response = await client.delete(
        f"{AUTH}/sessions/{victim['session_id']}", headers=bearer(attacker["access_token"])
    )

    missing = await client.delete(
        f"{AUTH}/sessions/{uuid.uuid4()}", headers=bearer(attacker["access_token"])
    )
    # Exactly the answer for a session that does not exist: nothing tells the two apart.
    assert assert_problem(response, 404, "not-found")["detail"] == missing.json()["detail"]
    assert_problem(missing, 404, "not-found")
    assert await revoked_reason(db_session, victim["session_id"]) is None
    await assert_signed_in(client, victim["access_token"])
    assert (await refresh(client, victim["refresh_token"])).status_code == 200


async def test_revoking_an_already_revoked_session_is_not_found(
    client: httpx.AsyncClient,
) -> None:
    email = new_email()
    current = await register(client, email)
    other = await login(client, email)
    path = f"{AUTH}/sessions/{other['session_id']}"
    assert (await client.delete(path, headers=bearer(current["access_token"]))).status_code == 204

    response = await client.delete(path, headers=bearer(current["access_token"]))

    assert_problem(response, 404, "not-found")


async def test_session_ids_must_be_uuids(client: httpx.AsyncClient) -> None:
    tokens = await register(client)

    response = await client.delete(
        f"{AUTH}/sessions/not-a-uuid", headers=bearer(tokens["access_token"])
    )

    assert_problem(response, 422, "validation-failed")
    await assert_signed_in(client, tokens["access_token"])


async def test_sessions_need_a_signed_in_caller(client: httpx.AsyncClient) -> None:
    tokens = await register(client)

    assert_unauthorized(await client.get(f"{AUTH}/sessions"), "unauthorized")
    assert_unauthorized(
        await client.delete(f"{AUTH}/sessions/{tokens['session_id']}"), "unauthorized"
    )
    await assert_signed_in(client, tokens["access_token"])
