"""PATCH /api/v1/auth/me: every signed-in user changes their own display name, nobody else's."""

from typing import Any

import httpx
import pytest

from tests.auth.flows import AUTH, assert_problem, assert_unauthorized, bearer
from tests.conftest import Account


@pytest.mark.parametrize("role", ["admin", "instructor", "learner"])
async def test_each_role_renames_themselves(
    client: httpx.AsyncClient, make_account: Any, role: str
) -> None:
    account: Account = await make_account(role)
    before = (await client.get(f"{AUTH}/me", headers=account.headers)).json()

    response = await client.patch(
        f"{AUTH}/me", json={"display_name": "  Ada Lovelace  "}, headers=account.headers
    )

    assert response.status_code == 200, response.text
    assert response.json() == {**before, "display_name": "Ada Lovelace"}
    assert (await client.get(f"{AUTH}/me", headers=account.headers)).json() == response.json()


async def test_a_rename_touches_no_one_else(client: httpx.AsyncClient, make_account: Any) -> None:
    learner: Account = await make_account("learner")
    other: Account = await make_account("learner")
    before = (await client.get(f"{AUTH}/me", headers=other.headers)).json()

    response = await client.patch(
        f"{AUTH}/me",
        json={"display_name": "Mallory", "user_id": str(other.user_id)},
        headers=learner.headers,
    )

    assert_problem(response, 422, "validation-failed")
    assert (await client.get(f"{AUTH}/me", headers=other.headers)).json() == before
    renamed = await client.patch(
        f"{AUTH}/me", json={"display_name": "Mallory"}, headers=learner.headers
    )
    assert renamed.json()["user_id"] == str(learner.user_id)
    assert (await client.get(f"{AUTH}/me", headers=other.headers)).json() == before


async def test_anonymous_and_bad_tokens_are_refused(client: httpx.AsyncClient) -> None:
    body = {"display_name": "Nobody"}
    assert_unauthorized(await client.patch(f"{AUTH}/me", json=body), "unauthorized")
    assert_unauthorized(
        await client.patch(f"{AUTH}/me", json=body, headers=bearer("not.a.token")),
        "invalid-token",
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"display_name": ""}, 422, "validation-failed"),
        ({"display_name": "   "}, 422, "validation-failed"),
        ({"display_name": "x" * 121}, 422, "validation-failed"),
        ({"display_name": 42}, 422, "validation-failed"),
        ({"display_name": None}, 422, "validation-failed"),
        ({}, 422, "validation-failed"),
        ({"display_name": "Ada", "email": "ada@example.org"}, 422, "validation-failed"),
        ("not json", 400, "malformed-json"),
    ],
)
async def test_bad_input_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, make_account: Any, body: Any, status: int, code: str
) -> None:
    account: Account = await make_account("learner")
    before = (await client.get(f"{AUTH}/me", headers=account.headers)).json()
    if isinstance(body, str):
        response = await client.patch(
            f"{AUTH}/me",
            content=body,
            headers={**account.headers, "Content-Type": "application/json"},
        )
    else:
        response = await client.patch(f"{AUTH}/me", json=body, headers=account.headers)

    assert_problem(response, status, code)
    assert (await client.get(f"{AUTH}/me", headers=account.headers)).json() == before
