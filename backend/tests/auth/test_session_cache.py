"""The per-request session check served from the cache: GET /me without the database once its
entry is cached, and every change to the user, their roles or their sessions seen at once."""

import asyncio
import contextlib
import datetime
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from learnwise.auth import service as auth_service
from learnwise.platform.runtime import Runtime
from tests.auth.flows import AUTH, assert_unauthorized, bearer, login, register
from tests.conftest import Account


@contextlib.contextmanager
def counted_statements(runtime: Runtime) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(runtime.engine.sync_engine, "before_cursor_execute", count)


async def test_me_makes_no_database_round_trip_once_cached(
    client: httpx.AsyncClient, make_account: Any, runtime: Runtime
) -> None:
    account: Account = await make_account("learner")
    first = await client.get(f"{AUTH}/me", headers=account.headers)
    assert first.status_code == 200, first.text
    with counted_statements(runtime) as statements:
        again = await client.get(f"{AUTH}/me", headers=account.headers)
    assert again.status_code == 200
    assert statements == []
    assert again.json() == first.json()
    body = again.json()
    assert body["user_id"] == str(account.user_id)
    assert body["email"] == account.email
    assert body["roles"] == ["learner"]
    assert body["has_password"] is True
    assert body["is_active"] is True
    assert body["permissions"], body
    assert body["permissions"] == sorted(body["permissions"])


async def test_me_shows_a_granted_and_a_revoked_role_at_once(
    client: httpx.AsyncClient, make_account: Any
) -> None:
    admin: Account = await make_account("admin")
    learner: Account = await make_account("learner")
    before = (await client.get(f"{AUTH}/me", headers=learner.headers)).json()
    assert before["roles"] == ["learner"]

    granted = await client.post(
        f"/api/v1/admin/users/{learner.user_id}/roles",
        json={"role": "instructor"},
        headers=admin.headers,
    )
    assert granted.status_code == 200, granted.text
    after_grant = (await client.get(f"{AUTH}/me", headers=learner.headers)).json()
    assert after_grant["roles"] == ["instructor", "learner"]
    assert set(after_grant["permissions"]) > set(before["permissions"])

    revoked = await client.delete(
        f"/api/v1/admin/users/{learner.user_id}/roles/instructor", headers=admin.headers
    )
    assert revoked.status_code == 200, revoked.text
    after_revoke = (await client.get(f"{AUTH}/me", headers=learner.headers)).json()
    assert after_revoke["roles"] == ["learner"]
    assert after_revoke["permissions"] == before["permissions"]


async def test_a_new_sign_in_shows_in_me_of_another_session(
    client: httpx.AsyncClient, make_account: Any
) -> None:
    account: Account = await make_account("learner")
    cached = (await client.get(f"{AUTH}/me", headers=account.headers)).json()
    assert (await client.get(f"{AUTH}/me", headers=account.headers)).json() == cached
    await login(client, account.email)
    seen = (await client.get(f"{AUTH}/me", headers=account.headers)).json()
    assert seen["last_login_at"] > cached["last_login_at"]


async def test_deactivation_rejects_a_cached_session_at_once(
    client: httpx.AsyncClient, make_account: Any
) -> None:
    admin: Account = await make_account("admin")
    learner: Account = await make_account("learner")
    for _ in range(2):  # cached now
        assert (await client.get(f"{AUTH}/me", headers=learner.headers)).status_code == 200
    response = await client.post(
        f"/api/v1/admin/users/{learner.user_id}/deactivate", headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert_unauthorized(await client.get(f"{AUTH}/me", headers=learner.headers), "session-revoked")


async def test_an_expired_token_is_refused_though_it_verified_before(
    client: httpx.AsyncClient, make_account: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verified-token cache keeps a token only until its exp (plus the leeway)."""
    account: Account = await make_account("learner")
    assert (await client.get(f"{AUTH}/me", headers=account.headers)).status_code == 200
    later = time.time() + 16 * 60  # past the 15-minute lifetime and the leeway

    class Later(datetime.datetime):
        @classmethod
        def now(cls, tz: datetime.tzinfo | None = None) -> "Later":
            return cls.fromtimestamp(later, tz)

    monkeypatch.setattr("learnwise.auth.tokens.time.time", lambda: later)
    monkeypatch.setattr("jwt.api_jwt.datetime", Later)  # PyJWT's clock
    assert_unauthorized(
        await client.get(f"{AUTH}/me", headers=bearer(account.access_token)), "invalid-token"
    )


async def test_simultaneous_misses_share_one_database_read(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    """When an entry is missing (expired under load), the requests waiting for it do not each
    read the database."""
    tokens = await register(live_client)
    with counted_statements(runtime) as statements:
        responses = await asyncio.gather(
            *(
                live_client.get(f"{AUTH}/me", headers=bearer(tokens["access_token"]))
                for _ in range(20)
            )
        )
    assert [r.status_code for r in responses] == [200] * 20
    assert len({r.text for r in responses}) == 1
    assert sum("FROM auth_session" in s for s in statements) == 1, statements
    assert sum("FROM users" in s for s in statements) == 1, statements


async def test_a_change_committed_during_a_read_is_not_overwritten(
    client: httpx.AsyncClient, make_account: Any, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader that found a change's tombstone stores what it read only in place of that very
    tombstone: another change committed while it read the database leaves its own, and the
    next request reads the database again."""
    account: Account = await make_account("learner")
    key = auth_service._user_key(account.user_id)
    read_user = auth_service._read_user

    async def read_then_another_change(user_id: Any, session: Any) -> dict[str, Any]:
        entry = await read_user(user_id, session)
        await runtime.session_cache.set(
            key, auth_service._changed_marker(), ttl_seconds=auth_service._CHANGED_SECONDS
        )
        return entry

    monkeypatch.setattr(auth_service, "_read_user", read_then_another_change)
    assert (await client.get(f"{AUTH}/me", headers=account.headers)).status_code == 200
    monkeypatch.setattr(auth_service, "_read_user", read_user)
    assert auth_service._is_changed_marker(await runtime.session_cache.get(key) or "")
    with counted_statements(runtime) as statements:
        assert (await client.get(f"{AUTH}/me", headers=account.headers)).status_code == 200
    assert sum("FROM users" in s for s in statements) == 1, statements
    with counted_statements(runtime) as statements:
        assert (await client.get(f"{AUTH}/me", headers=account.headers)).status_code == 200
    assert statements == []
