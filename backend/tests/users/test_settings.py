"""/api/v1/users/me/settings through HTTP: defaults, partial updates merged field by field,
validation that changes nothing, and each user seeing only their own settings."""

import asyncio
import secrets

import httpx
import pytest

SETTINGS = "/api/v1/users/me/settings"
DEFAULT_PREFERENCES = {
    "goals": [],
    "weekly_time_budget_minutes": 180,
    "preferred_content_types": [],
    "language": "en",
    "time_zone": "UTC",
    "desired_retention": 0.9,
}


async def test_new_users_get_the_defaults(client: httpx.AsyncClient, make_account) -> None:
    learner = await make_account("learner")

    response = await client.get(SETTINGS, headers=learner.headers)

    assert response.status_code == 200
    body = response.json()
    assert body["user_id"] == str(learner.user_id)
    assert body["theme"] == "system"
    assert body["notifications_enabled"] is True
    assert body["learning_preferences"] == DEFAULT_PREFERENCES


async def test_a_patch_changes_only_what_it_sends(client: httpx.AsyncClient, make_account) -> None:
    learner = await make_account("learner")
    before = (await client.get(SETTINGS, headers=learner.headers)).json()

    response = await client.patch(SETTINGS, json={"theme": "dark"}, headers=learner.headers)

    assert response.status_code == 200
    after = response.json()
    assert after["theme"] == "dark"
    assert after["notifications_enabled"] == before["notifications_enabled"]
    assert after["learning_preferences"] == before["learning_preferences"]
    assert (await client.get(SETTINGS, headers=learner.headers)).json() == after


async def test_learning_preferences_merge_field_by_field(
    client: httpx.AsyncClient, make_account
) -> None:
    learner = await make_account("learner")
    goal = {"kind": "skill", "value": "Linear algebra", "target_date": None}

    first = await client.patch(
        SETTINGS,
        json={"learning_preferences": {"weekly_time_budget_minutes": 300, "goals": [goal]}},
        headers=learner.headers,
    )
    second = await client.patch(
        SETTINGS,
        json={
            "notifications_enabled": False,
            "learning_preferences": {
                "time_zone": "Europe/Paris",
                "preferred_content_types": ["video", "quiz"],
            },
        },
        headers=learner.headers,
    )

    assert first.status_code == second.status_code == 200
    body = (await client.get(SETTINGS, headers=learner.headers)).json()
    assert body["theme"] == "system"
    assert body["notifications_enabled"] is False
    assert body["learning_preferences"] == {
        **DEFAULT_PREFERENCES,
        "goals": [goal],
        "weekly_time_budget_minutes": 300,
        "time_zone": "Europe/Paris",
        "preferred_content_types": ["video", "quiz"],
    }


async def test_null_leaves_a_field_as_it_is(client: httpx.AsyncClient, make_account) -> None:
    learner = await make_account("learner")
    await client.patch(
        SETTINGS,
        json={"theme": "light", "learning_preferences": {"language": "fr"}},
        headers=learner.headers,
    )

    response = await client.patch(
        SETTINGS,
        json={"theme": None, "learning_preferences": {"language": None, "time_zone": "Asia/Tokyo"}},
        headers=learner.headers,
    )

    assert response.status_code == 200
    body = response.json()
    assert body["theme"] == "light"
    assert body["learning_preferences"]["language"] == "fr"
    assert body["learning_preferences"]["time_zone"] == "Asia/Tokyo"


@pytest.mark.parametrize(
    "changes",
    [
        {"theme": "neon"},
        {"notifications_enabled": "sometimes"},
        {"learning_preferences": {"time_zone": "Mars/Olympus_Mons"}},
        {"learning_preferences": {"time_zone": "../../etc/passwd"}},
        {"learning_preferences": {"weekly_time_budget_minutes": -1}},
        {"learning_preferences": {"weekly_time_budget_minutes": 7 * 24 * 60 + 1}},
        {"learning_preferences": {"preferred_content_types": ["video", "podcast"]}},
        {"learning_preferences": {"language": "not a language"}},
        {"learning_preferences": {"goals": [{"kind": "dream", "value": "x"}]}},
        {"learning_preferences": {"goals": [{"kind": "text", "value": "  "}]}},
        {"learning_preferences": {"mood": "cheerful"}},
        {"learning_preferences": "everything"},
        {"colour": "red"},
        # A valid change next to an invalid one is refused whole.
        {"theme": "dark", "learning_preferences": {"weekly_time_budget_minutes": -5}},
        {"theme": "dark", "font_size": 14},
    ],
)
async def test_invalid_changes_are_refused_and_change_nothing(
    client: httpx.AsyncClient, make_account, changes: dict
) -> None:
    learner = await make_account("learner")
    before = (await client.get(SETTINGS, headers=learner.headers)).json()

    response = await client.patch(SETTINGS, json=changes, headers=learner.headers)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "validation-failed"
    assert (await client.get(SETTINGS, headers=learner.headers)).json() == before


async def test_the_largest_weekly_budget_is_a_whole_week(
    client: httpx.AsyncClient, make_account
) -> None:
    learner = await make_account("learner")
    for minutes in (0, 7 * 24 * 60):
        response = await client.patch(
            SETTINGS,
            json={"learning_preferences": {"weekly_time_budget_minutes": minutes}},
            headers=learner.headers,
        )
        assert response.status_code == 200
        assert response.json()["learning_preferences"]["weekly_time_budget_minutes"] == minutes


@pytest.mark.parametrize("method", ["GET", "PATCH"])
async def test_anonymous_callers_are_refused(client: httpx.AsyncClient, method: str) -> None:
    response = await client.request(method, SETTINGS, json={"theme": "dark"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


async def test_each_user_sees_only_their_own(client: httpx.AsyncClient, make_account) -> None:
    alice = await make_account("learner")
    bob = await make_account("learner")

    await client.patch(
        SETTINGS,
        json={"theme": "dark", "learning_preferences": {"language": "de"}},
        headers=alice.headers,
    )
    bobs = (await client.get(SETTINGS, headers=bob.headers)).json()
    alices = (await client.get(SETTINGS, headers=alice.headers)).json()

    assert bobs["user_id"] == str(bob.user_id)
    assert (bobs["theme"], bobs["learning_preferences"]["language"]) == ("system", "en")
    assert alices["user_id"] == str(alice.user_id)
    assert (alices["theme"], alices["learning_preferences"]["language"]) == ("dark", "de")


async def test_concurrent_first_reads_create_one_row(live_client: httpx.AsyncClient) -> None:
    registered = await live_client.post(
        "/api/v1/auth/register",
        json={
            "email": f"first-{secrets.token_hex(4)}@example.org",
            "password": "correct horse battery staple",
            "display_name": "First",
        },
    )
    assert registered.status_code == 201, registered.text
    headers = {"Authorization": f"Bearer {registered.json()['access_token']}"}

    responses = await asyncio.gather(
        *(live_client.get(SETTINGS, headers=headers) for _ in range(8))
    )

    assert [r.status_code for r in responses] == [200] * 8
    assert len({r.json()["updated_at"] for r in responses}) == 1


async def test_concurrent_patches_of_different_fields_all_apply(
    live_client: httpx.AsyncClient,
) -> None:
    registered = await live_client.post(
        "/api/v1/auth/register",
        json={
            "email": f"tabs-{secrets.token_hex(4)}@example.org",
            "password": "correct horse battery staple",
            "display_name": "Tabs",
        },
    )
    headers = {"Authorization": f"Bearer {registered.json()['access_token']}"}
    await live_client.get(SETTINGS, headers=headers)
    changes = [
        {"theme": "dark"},
        {"notifications_enabled": False},
        {"learning_preferences": {"language": "fr"}},
        {"learning_preferences": {"time_zone": "Europe/Paris"}},
        {"learning_preferences": {"weekly_time_budget_minutes": 60}},
        {"learning_preferences": {"preferred_content_types": ["quiz"]}},
    ]

    responses = await asyncio.gather(
        *(live_client.patch(SETTINGS, json=change, headers=headers) for change in changes)
    )

    assert [r.status_code for r in responses] == [200] * len(changes)
    body = (await live_client.get(SETTINGS, headers=headers)).json()
    assert (body["theme"], body["notifications_enabled"]) == ("dark", False)
    assert body["learning_preferences"] == {
        **DEFAULT_PREFERENCES,
        "language": "fr",
        "time_zone": "Europe/Paris",
        "weekly_time_budget_minutes": 60,
        "preferred_content_types": ["quiz"],
    }
