"""Refresh-token rotation: every refresh token is used once; a replay within the grace window is a
lost response and gets the same successor; any other reuse revokes the whole session."""

import asyncio

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.platform.runtime import Runtime
from tests.auth.flows import (
    AUTH,
    assert_signed_in,
    assert_unauthorized,
    login,
    me,
    new_email,
    refresh,
    register,
    revoked_reason,
    unrotated_tokens,
)


@pytest.fixture
def no_grace(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """A replayed refresh token is always a reuse: no grace window for lost responses."""
    monkeypatch.setattr(runtime.settings.auth, "refresh_grace_seconds", 0)


async def rotate(client: httpx.AsyncClient, refresh_token: str) -> dict:
    response = await refresh(client, refresh_token)
    assert response.status_code == 200, response.text
    return response.json()


async def test_every_refresh_returns_a_new_refresh_token(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    tokens = await register(client)
    seen = {tokens["refresh_token"]}

    for _ in range(3):
        tokens = await rotate(client, tokens["refresh_token"])
        assert tokens["refresh_token"] not in seen
        seen.add(tokens["refresh_token"])
        await assert_signed_in(client, tokens["access_token"])

    assert await unrotated_tokens(db_session, tokens["session_id"]) == 1


@pytest.mark.usefixtures("no_grace")
async def test_reuse_after_the_grace_window_revokes_the_family(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    stolen = await register(client)
    newest = await rotate(client, stolen["refresh_token"])

    response = await refresh(client, stolen["refresh_token"])

    assert_unauthorized(response, "refresh-token-reused")
    assert await revoked_reason(db_session, stolen["session_id"]) == "refresh_token_reused"
    assert_unauthorized(await refresh(client, newest["refresh_token"]), "invalid-refresh-token")
    assert_unauthorized(await me(client, newest["access_token"]), "session-revoked")
    assert_unauthorized(await me(client, stolen["access_token"]), "session-revoked")


@pytest.mark.usefixtures("no_grace")
async def test_reuse_revokes_only_that_session(client: httpx.AsyncClient) -> None:
    email = new_email()
    stolen = await register(client, email)
    other_device = await login(client, email)
    await rotate(client, stolen["refresh_token"])

    assert_unauthorized(await refresh(client, stolen["refresh_token"]), "refresh-token-reused")

    await assert_signed_in(client, other_device["access_token"])
    assert (await refresh(client, other_device["refresh_token"])).status_code == 200


async def test_a_replay_within_the_grace_window_gets_the_same_successor(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    parent = await register(client)
    child = await rotate(client, parent["refresh_token"])

    replayed = await rotate(client, parent["refresh_token"])

    assert replayed["refresh_token"] == child["refresh_token"]
    assert replayed["session_id"] == child["session_id"]
    await assert_signed_in(client, replayed["access_token"])
    assert await unrotated_tokens(db_session, parent["session_id"]) == 1
    grandchild = await rotate(client, child["refresh_token"])
    await assert_signed_in(client, grandchild["access_token"])
    assert await revoked_reason(db_session, parent["session_id"]) is None


async def test_the_grace_ends_once_the_successor_is_used(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    parent = await register(client)
    child = await rotate(client, parent["refresh_token"])
    assert (await rotate(client, parent["refresh_token"]))["refresh_token"] == child[
        "refresh_token"
    ]
    grandchild = await rotate(client, child["refresh_token"])

    response = await refresh(client, parent["refresh_token"])

    assert_unauthorized(response, "refresh-token-reused")
    assert_unauthorized(await refresh(client, grandchild["refresh_token"]), "invalid-refresh-token")
    assert_unauthorized(await me(client, grandchild["access_token"]), "session-revoked")
    assert await revoked_reason(db_session, parent["session_id"]) == "refresh_token_reused"


async def test_a_grandparent_replayed_within_grace_after_the_child_was_used_revokes_the_family(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    grandparent = await register(client)
    parent = await rotate(client, grandparent["refresh_token"])
    child = await rotate(client, parent["refresh_token"])

    response = await refresh(client, grandparent["refresh_token"])

    assert_unauthorized(response, "refresh-token-reused")
    assert_unauthorized(await refresh(client, child["refresh_token"]), "invalid-refresh-token")
    assert_unauthorized(await me(client, child["access_token"]), "session-revoked")
    assert await revoked_reason(db_session, grandparent["session_id"]) == "refresh_token_reused"


async def test_an_unknown_refresh_token_is_refused(client: httpx.AsyncClient) -> None:
    tokens = await register(client)

    for token in ("", "x" * 43, tokens["refresh_token"][:-1]):
        response = await refresh(client, token)
        assert_unauthorized(response, "invalid-refresh-token")

    assert_unauthorized(await client.post(f"{AUTH}/refresh"), "invalid-refresh-token")
    assert (await rotate(client, tokens["refresh_token"]))["session_id"] == tokens["session_id"]


async def test_refresh_after_logout_is_refused_and_revokes_nothing_more(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    tokens = await register(client)
    await client.post(f"{AUTH}/logout", json={"refresh_token": tokens["refresh_token"]})

    response = await refresh(client, tokens["refresh_token"])

    assert_unauthorized(response, "invalid-refresh-token")
    assert await revoked_reason(db_session, tokens["session_id"]) == "logout"


@pytest.mark.parametrize("attempts", [20])
async def test_concurrent_refreshes_with_one_token_yield_one_successor(
    live_client: httpx.AsyncClient, runtime: Runtime, attempts: int
) -> None:
    tokens = await register(live_client)

    responses = await asyncio.gather(
        *(refresh(live_client, tokens["refresh_token"]) for _ in range(attempts))
    )

    statuses = [r.status_code for r in responses]
    assert statuses == [200] * attempts, [r.text for r in responses if r.status_code != 200]
    successors = {r.json()["refresh_token"] for r in responses}
    assert len(successors) == 1
    async with runtime.sessionmaker() as session:
        assert await unrotated_tokens(session, tokens["session_id"]) == 1
        assert await revoked_reason(session, tokens["session_id"]) is None
    renewed = await rotate(live_client, successors.pop())
    await assert_signed_in(live_client, renewed["access_token"])
