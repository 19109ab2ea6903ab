"""Bad requests to sign-up and sign-in: each gets a clear problem+json answer, changing nothing."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.auth.flows import (
    AUTH,
    PASSWORD,
    assert_problem,
    assert_signed_in,
    new_email,
    register,
    user_count,
)


def registration(**changes: Any) -> dict[str, Any]:
    return {"email": new_email(), "password": PASSWORD, "display_name": "Learner", **changes}


@pytest.mark.parametrize("path", ["/register", "/login", "/refresh", "/logout", "/password"])
@pytest.mark.parametrize("body", [b"{", b'{"email": "a@example.org",}', b"\xff\xfe", b"nul\x00l"])
async def test_malformed_json_is_a_400(
    client: httpx.AsyncClient, db_session: AsyncSession, path: str, body: bytes
) -> None:
    before = await user_count(db_session)

    response = await client.post(
        AUTH + path, content=body, headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 400, "malformed-json")
    assert await user_count(db_session) == before


@pytest.mark.parametrize(
    "changes",
    [
        {"email": 42},
        {"email": ["a@example.org"]},
        {"password": 12345678},
        {"password": None},
        {"display_name": {"first": "Ada"}},
        {"refresh_in": "header"},
    ],
    ids=lambda c: next(iter(c)),
)
async def test_wrong_types_are_a_422(
    client: httpx.AsyncClient, db_session: AsyncSession, changes: dict[str, Any]
) -> None:
    before = await user_count(db_session)

    response = await client.post(f"{AUTH}/register", json=registration(**changes))

    body = assert_problem(response, 422, "validation-failed")
    assert body["errors"][0]["loc"] == ["body", next(iter(changes))]
    assert await user_count(db_session) == before


@pytest.mark.parametrize(
    "email",
    [
        "",
        "not-an-email",
        "@example.org",
        "ada@",
        "ada@@example.org",
        "ada @example.org",
        "ada@example.org\n",
        "a" * 320 + "@example.org",
    ],
)
async def test_an_invalid_email_is_a_422(
    client: httpx.AsyncClient, db_session: AsyncSession, email: str
) -> None:
    before = await user_count(db_session)

    response = await client.post(f"{AUTH}/register", json=registration(email=email))

    assert_problem(response, 422, "validation-failed")
    assert await user_count(db_session) == before


@pytest.mark.parametrize("body", [{}, {"email": "a@example.org"}, {"password": PASSWORD}])
async def test_missing_fields_are_a_422(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await client.post(f"{AUTH}/login", json=body)

    assert_problem(response, 422, "validation-failed")


@pytest.mark.parametrize("display_name", ["", "   ", "x" * 121])
async def test_a_display_name_must_be_given_and_bounded(
    client: httpx.AsyncClient, db_session: AsyncSession, display_name: str
) -> None:
    before = await user_count(db_session)

    response = await client.post(f"{AUTH}/register", json=registration(display_name=display_name))

    assert_problem(response, 422, "validation-failed")
    assert await user_count(db_session) == before


@pytest.mark.parametrize("path", ["/register", "/login"])
async def test_unknown_fields_are_a_422(client: httpx.AsyncClient, path: str) -> None:
    response = await client.post(AUTH + path, json=registration(roles=["admin"], is_active=True))

    body = assert_problem(response, 422, "validation-failed")
    assert {tuple(e["loc"]) for e in body["errors"]} >= {
        ("body", "roles"),
        ("body", "is_active"),
    }


async def test_registering_an_email_twice_is_a_409(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    email = new_email()
    first = await register(client, email)
    before = await user_count(db_session)

    for again in (email, email.upper(), email.capitalize()):
        response = await client.post(
            f"{AUTH}/register", json=registration(email=again, password="another passphrase")
        )
        assert_problem(response, 409, "email-taken")

    assert await user_count(db_session) == before
    await assert_signed_in(client, first["access_token"])
    login = await client.post(f"{AUTH}/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200


async def test_a_body_over_the_limit_is_a_413(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    before = await user_count(db_session)
    padding = "x" * (1024 * 1024)

    response = await client.post(f"{AUTH}/register", json=registration(display_name=padding))

    assert_problem(response, 413, "payload-too-large")
    assert await user_count(db_session) == before
