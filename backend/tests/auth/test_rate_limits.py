"""Guessing passwords: limits per account and IP and per IP on /login and /token, no lock-out of
the victim from elsewhere, and no telling an unknown email from a wrong password."""

import statistics
import time
from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.platform.runtime import Runtime
from tests.auth.flows import (
    AUTH,
    PASSWORD,
    assert_problem,
    assert_signed_in,
    assert_unauthorized,
    bearer,
    new_email,
    password_hash_of,
    register,
    user_count,
)

PER_ACCOUNT_AND_IP = 5
PER_IP = 30
Attempt = Callable[[httpx.AsyncClient, str, str], Awaitable[httpx.Response]]


async def login_attempt(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post(f"{AUTH}/login", json={"email": email, "password": password})


async def token_attempt(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post(
        f"{AUTH}/token", data={"grant_type": "password", "username": email, "password": password}
    )


def assert_wrong_password(response: httpx.Response) -> None:
    if response.url.path.endswith("/token"):
        assert_problem(response, 400, "invalid_grant")
    else:
        assert_unauthorized(response, "invalid-credentials")


def assert_limited(response: httpx.Response) -> None:
    body = assert_problem(response, 429, "too-many-requests")
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert body["retry_after"] == retry_after


ATTEMPTS = pytest.mark.parametrize(
    "attempt", [login_attempt, token_attempt], ids=["login", "token"]
)


@ATTEMPTS
async def test_guessing_one_accounts_password_is_limited_per_ip(
    client: httpx.AsyncClient, client_from, attempt: Attempt
) -> None:
    email = new_email()
    await register(client, email)

    for _ in range(PER_ACCOUNT_AND_IP):
        assert_wrong_password(await attempt(client, email, "a wrong guess"))
    assert_limited(await attempt(client, email, "another wrong guess"))
    # Even the right password is refused from this address until the window passes...
    assert_limited(await attempt(client, email, PASSWORD))
    # ...but the owner, from elsewhere, is not locked out.
    async with client_from("10.0.0.2") as owner:
        response = await login_attempt(owner, email, PASSWORD)
        assert response.status_code == 200, response.text
        await assert_signed_in(owner, response.json()["access_token"])


@ATTEMPTS
async def test_the_account_limit_is_per_account(
    client: httpx.AsyncClient, attempt: Attempt
) -> None:
    victim, other = new_email(), new_email()
    await register(client, victim)
    await register(client, other)
    for _ in range(PER_ACCOUNT_AND_IP + 1):
        await attempt(client, victim, "a wrong guess")

    response = await attempt(client, other, PASSWORD)

    assert response.status_code == 200, response.text


async def test_the_account_limit_ignores_the_case_of_the_email(
    client: httpx.AsyncClient,
) -> None:
    email = new_email()
    await register(client, email)
    spellings = [email, email.upper(), email.title(), email.swapcase(), email.capitalize()]

    for spelling in spellings:
        assert_wrong_password(await login_attempt(client, spelling, "a wrong guess"))

    assert_limited(await token_attempt(client, email.upper(), "a wrong guess"))


@ATTEMPTS
async def test_spraying_many_accounts_from_one_ip_is_limited(
    client: httpx.AsyncClient, client_from, attempt: Attempt, db_session: AsyncSession
) -> None:
    email = new_email()
    await register(client, email)
    users_before = await user_count(db_session)

    for _ in range(PER_IP):
        assert_wrong_password(await attempt(client, new_email(), PASSWORD))
    assert_limited(await attempt(client, new_email(), PASSWORD))
    assert_limited(await attempt(client, email, PASSWORD))

    async with client_from("10.0.0.3") as elsewhere:
        assert (await attempt(elsewhere, email, PASSWORD)).status_code == 200
    assert await user_count(db_session) == users_before


async def test_the_login_and_token_endpoints_share_the_limits(
    client: httpx.AsyncClient,
) -> None:
    email = new_email()
    await register(client, email)

    for _ in range(PER_ACCOUNT_AND_IP):
        await login_attempt(client, email, "a wrong guess")

    assert_limited(await token_attempt(client, email, PASSWORD))


async def test_an_unknown_email_and_a_wrong_password_look_the_same(
    client: httpx.AsyncClient,
) -> None:
    email = new_email()
    await register(client, email)

    async def timed(address: str) -> tuple[float, httpx.Response]:
        started = time.perf_counter()
        response = await login_attempt(client, address, "a wrong guess")
        return time.perf_counter() - started, response

    await timed(email)  # warm-up
    unknown: list[float] = []
    wrong: list[float] = []
    for _ in range(4):  # within the per-account limit, with the warm-up
        elapsed, unknown_response = await timed(new_email())
        unknown.append(elapsed)
        elapsed, wrong_response = await timed(email)
        wrong.append(elapsed)
        assert unknown_response.status_code == wrong_response.status_code == 401
        unknown_body, wrong_body = unknown_response.json(), wrong_response.json()
        for key in ("code", "title", "detail", "type"):
            assert unknown_body[key] == wrong_body[key]
        assert unknown_response.headers["www-authenticate"] == "Bearer"

    ratio = statistics.median(unknown) / statistics.median(wrong)
    assert 0.5 < ratio < 2, (unknown, wrong)


async def test_guessing_the_current_password_with_a_stolen_access_token_is_limited(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    """A stolen access token must not become a password oracle: with the password found, a
    password change would sign the owner out everywhere else."""
    email = new_email()
    owner = await register(client, email)
    stolen = await login_attempt(client, email, PASSWORD)
    hash_before = await password_hash_of(db_session, email)

    def guess(current: str) -> Awaitable[httpx.Response]:
        return client.post(
            f"{AUTH}/password",
            json={"current_password": current, "new_password": "taken over for good"},
            headers=bearer(stolen.json()["access_token"]),
        )

    for attempt in range(PER_ACCOUNT_AND_IP):
        assert_problem(await guess(f"guess number {attempt}"), 403, "wrong-current-password")
    assert_limited(await guess("yet another guess"))
    assert_limited(await guess(PASSWORD))

    assert await password_hash_of(db_session, email) == hash_before
    await assert_signed_in(client, owner["access_token"])


async def test_sign_ups_are_limited_per_ip(
    client: httpx.AsyncClient,
    client_from: Callable[[str], httpx.AsyncClient],
    db_session: AsyncSession,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runtime.settings.auth, "register_rate_per_ip", "2/hour")
    await register(client)
    await register(client)
    users_before = await user_count(db_session)

    refused = await client.post(
        f"{AUTH}/register",
        json={"email": new_email(), "password": PASSWORD, "display_name": "Third"},
    )

    assert_problem(refused, 429, "too-many-requests")
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    assert await user_count(db_session) == users_before
    async with client_from("10.0.0.9") as elsewhere:
        await register(elsewhere)
