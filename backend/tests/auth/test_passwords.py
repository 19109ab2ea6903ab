"""The password policy (NIST 800-63B: length, no common passwords, nothing personal) and Argon2id
hashing: unit tests of learnwise.auth.passwords, then the same rules through the API."""

import asyncio
import time
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import passwords
from learnwise.auth.exceptions import WeakPassword
from tests.auth.flows import (
    AUTH,
    assert_problem,
    assert_signed_in,
    assert_unauthorized,
    login,
    new_email,
    register,
    user_count,
)


@pytest.mark.parametrize(
    "password",
    ["eightch!", "x" * 64, "y" * 128, "é" * 8, "🔑" * 10, "  spaced out passphrase  "],
)
def test_the_policy_accepts_long_enough_passwords(password: str) -> None:
    passwords.check_policy(password, email="ada@example.org", display_name="Ada")


@pytest.mark.parametrize("password", ["", "1234567", "seven!!", "x" * 129, "y" * 1000])
def test_the_policy_refuses_too_short_and_too_long_passwords(password: str) -> None:
    with pytest.raises(WeakPassword):
        passwords.check_policy(password)


@pytest.mark.parametrize(
    "password", ["password1", "qwerty123", "PASSWORD1", "Qwerty123", "iloveyou"]
)
def test_the_policy_refuses_common_passwords_in_any_case(password: str) -> None:
    with pytest.raises(WeakPassword, match="too common"):
        passwords.check_policy(password)


@pytest.mark.parametrize("password", ["ada.lovelace@example.org", "ADA.LOVELACE", "ada lovelace"])
def test_the_policy_refuses_the_users_email_or_name(password: str) -> None:
    with pytest.raises(WeakPassword, match="email or name"):
        passwords.check_policy(
            password, email="ada.lovelace@example.org", display_name="Ada Lovelace"
        )


def test_hashes_are_argon2id_with_owasp_parameters_and_a_salt() -> None:
    first = passwords.hash_password("correct horse battery staple")
    second = passwords.hash_password("correct horse battery staple")

    assert first.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert first != second
    assert "correct horse" not in first


def test_verify_accepts_the_password_and_nothing_else() -> None:
    hashed = passwords.hash_password("correct horse battery staple")

    assert passwords.verify_password("correct horse battery staple", hashed) == (True, None)
    assert passwords.verify_password("Correct horse battery staple", hashed)[0] is False
    assert passwords.verify_password("correct horse battery staple ", hashed)[0] is False
    assert passwords.verify_password("", hashed)[0] is False


def test_verify_without_a_hash_is_false() -> None:
    assert passwords.verify_password("anything at all", None) == (False, None)
    assert passwords.verify_password("anything at all", "") == (False, None)


def test_no_silent_truncation() -> None:
    """bcrypt would ignore everything after 72 bytes; Argon2 hashes all of it."""
    long_password = "0123456789" * 10
    hashed = passwords.hash_password(long_password)

    assert passwords.verify_password(long_password[:72], hashed)[0] is False
    assert passwords.verify_password(long_password[:-1], hashed)[0] is False
    assert passwords.verify_password(long_password, hashed)[0] is True


def test_a_hash_with_old_parameters_is_upgraded_on_verify() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("old passphrase")

    valid, upgraded = passwords.verify_password("old passphrase", weak)

    assert valid is True
    assert upgraded is not None and upgraded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify_password("old passphrase", upgraded) == (True, None)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(password=st.text(min_size=1, max_size=128), other=st.text(min_size=1, max_size=128))
def test_a_hash_verifies_its_password_only(password: str, other: str) -> None:
    hashed = passwords.hash_password(password)

    assert passwords.verify_password(password, hashed)[0] is True
    assert passwords.verify_password(other, hashed)[0] is (other == password)


# Through the API ------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["7-chars", "password1", "qwerty123", "x" * 129])
async def test_registration_with_a_weak_password_is_a_422(
    client: httpx.AsyncClient, db_session: AsyncSession, password: str
) -> None:
    before = await user_count(db_session)

    response = await client.post(
        f"{AUTH}/register",
        json={"email": new_email(), "password": password, "display_name": "Learner"},
    )

    assert_problem(response, 422, "weak-password")
    assert await user_count(db_session) == before


async def test_registration_with_the_email_as_password_is_a_422(
    client: httpx.AsyncClient,
) -> None:
    email = new_email()

    response = await client.post(
        f"{AUTH}/register", json={"email": email, "password": email, "display_name": "Learner"}
    )

    assert_problem(response, 422, "weak-password")


async def test_a_password_beyond_the_request_bound_is_a_validation_error(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        f"{AUTH}/register",
        json={"email": new_email(), "password": "x" * 1025, "display_name": "Learner"},
    )

    assert_problem(response, 422, "validation-failed")


@pytest.mark.parametrize("length", [8, 64, 128])
async def test_passwords_up_to_128_characters_are_accepted(
    client: httpx.AsyncClient, length: int
) -> None:
    email = new_email()
    password = ("Learnwise-" * 13)[:length]

    await register(client, email, password)

    await assert_signed_in(client, (await login(client, email, password))["access_token"])


async def test_a_long_password_is_not_truncated(client: httpx.AsyncClient) -> None:
    email = new_email()
    password = "0123456789abcdefghij" * 5
    await register(client, email, password)

    for prefix in (password[:72], password[:99]):
        response = await client.post(f"{AUTH}/login", json={"email": email, "password": prefix})
        assert_unauthorized(response, "invalid-credentials")

    await login(client, email, password)


async def test_unicode_passwords_round_trip(client: httpx.AsyncClient) -> None:
    email = new_email()
    password = "pässwörd-日本語-🔑🔑"
    await register(client, email, password)

    await login(client, email, password)


class SlowHasher:
    """Argon2 as a server under load sees it: every hash and verification takes a while."""

    def __init__(self, hasher: Any, seconds: float) -> None:
        self._hasher, self._seconds = hasher, seconds

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._hasher, name)

        def slow(*args: Any, **kwargs: Any) -> Any:
            time.sleep(self._seconds)
            return method(*args, **kwargs)

        return slow


async def test_hashing_does_not_block_the_event_loop(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other requests keep being served while a password is hashed or verified."""
    monkeypatch.setattr(passwords, "password_hash", SlowHasher(passwords.password_hash, 0.3))
    gaps: list[float] = []

    async def tick() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    try:
        email = new_email()
        await register(client, email)
        await login(client, email)
        wrong = await client.post(f"{AUTH}/login", json={"email": email, "password": "wrong!!!"})
        unknown = await client.post(
            f"{AUTH}/login", json={"email": new_email(), "password": "wrong!!!"}
        )
    finally:
        ticker.cancel()

    assert_unauthorized(wrong, "invalid-credentials")
    assert_unauthorized(unknown, "invalid-credentials")
    assert max(gaps) < 0.15, max(gaps)
