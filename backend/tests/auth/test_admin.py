"""The /api/v1/admin API through HTTP: who may call it, user search, roles, activation and
custom roles, and that every change to a user's rights takes effect on their very next request."""

import uuid
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import service as auth_service
from learnwise.auth.admin_router import router as admin_router
from learnwise.auth.permissions import BUILTIN_ROLE_PERMISSIONS, Permission

API = "/api/v1"
CUSTOM_ROLE = "reviewer"
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Call:
    """How to make a valid call to one admin route against the targets of ``admin_targets``."""

    expected: int = 200
    json: dict | None = None
    query: dict = field(default_factory=dict)


# Every admin route, with a valid call. A route added to the router without an entry here fails
# test_every_admin_route_is_covered, so the role matrix below always covers the whole table.
ADMIN_CALLS: dict[tuple[str, str], Call] = {
    ("GET", "/admin/users"): Call(query={"q": "example", "role": "learner"}),
    ("GET", "/admin/users/{user_id}"): Call(),
    ("POST", "/admin/users/{user_id}/roles"): Call(json={"role": CUSTOM_ROLE}),
    ("DELETE", "/admin/users/{user_id}/roles/{role}"): Call(),
    ("POST", "/admin/users/{user_id}/deactivate"): Call(),
    ("POST", "/admin/users/{user_id}/reactivate"): Call(),
    ("GET", "/admin/permissions"): Call(),
    ("GET", "/admin/roles"): Call(),
    ("POST", "/admin/roles"): Call(
        expected=201, json={"name": "auditor", "permissions": ["user:read"]}
    ),
    ("PATCH", "/admin/roles/{name}"): Call(json={"description": "Reviews courses"}),
    ("DELETE", "/admin/roles/{name}"): Call(expected=204),
}

ADMIN_ROUTES = sorted(
    (method, route.path)  # type: ignore[attr-defined]
    for route in admin_router.routes
    for method in route.methods  # type: ignore[attr-defined]
)


async def create_user(
    session: AsyncSession, email: str, display_name: str, *roles: str
) -> uuid.UUID:
    user = await auth_service.create_user(
        session=session,
        email=email,
        display_name=display_name,
        password=PASSWORD,
        roles=roles or ("learner",),
    )
    await session.commit()
    return user.user_id


async def create_custom_role(session: AsyncSession, name: str, *permissions: Permission) -> None:
    await auth_service.create_role(
        session=session, name=name, description="", permissions=[p.value for p in permissions]
    )
    await session.commit()


async def login(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD})


async def me(client: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await client.get(f"{API}/auth/me", headers=headers)


def problem_code(response: httpx.Response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return response.json()["code"]


# ---------------------------------------------------------------------------------------------
# Who may call what


def test_every_admin_route_is_covered() -> None:
    assert set(ADMIN_ROUTES) == set(ADMIN_CALLS)


@pytest.mark.parametrize(
    ("method", "path"), ADMIN_ROUTES, ids=[f"{m} {p}" for m, p in ADMIN_ROUTES]
)
@pytest.mark.parametrize("caller", ["anonymous", "learner", "instructor", "admin"])
async def test_admin_route_access(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    make_account,
    caller: str,
    method: str,
    path: str,
) -> None:
    call = ADMIN_CALLS[(method, path)]
    target = await make_account("learner", "instructor")
    await create_custom_role(db_session, CUSTOM_ROLE, Permission.COURSE_READ)
    headers = {} if caller == "anonymous" else (await make_account(caller)).headers
    url = API + path.format(user_id=target.user_id, role="instructor", name=CUSTOM_ROLE)

    response = await client.request(method, url, headers=headers, json=call.json, params=call.query)

    if caller == "anonymous":
        assert response.status_code == 401
        assert problem_code(response) == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"
    elif caller == "admin":
        assert response.status_code == call.expected, response.text
    else:
        assert response.status_code == 403
        assert problem_code(response) == "permission-denied"


async def test_a_forged_or_garbage_token_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"{API}/admin/users", headers={"Authorization": "Bearer not-a-token"}
    )
    assert response.status_code == 401
    assert problem_code(response) == "invalid-token"


async def test_a_learner_cannot_read_another_learners_account(
    client: httpx.AsyncClient, make_account
) -> None:
    learner = await make_account("learner")
    other = await make_account("learner")

    response = await client.get(f"{API}/admin/users/{other.user_id}", headers=learner.headers)

    assert response.status_code == 403
    assert other.email not in response.text


# ---------------------------------------------------------------------------------------------
# Listing and searching users


async def test_search_by_part_of_the_email_or_the_name(
    client: httpx.AsyncClient, db_session: AsyncSession, make_account
) -> None:
    admin = await make_account("admin")
    ada = await create_user(db_session, "countess@analytical.example", "Ada Lovelace")
    grace = await create_user(db_session, "grace.hopper@navy.example", "Grace Hopper")

    async def search(q: str) -> set[str]:
        response = await client.get(f"{API}/admin/users", params={"q": q}, headers=admin.headers)
        assert response.status_code == 200, response.text
        return {item["user_id"] for item in response.json()["items"]}

    assert await search("analytical") == {str(ada)}
    assert await search("LOVELACE") == {str(ada)}  # names match whatever the case
    assert await search("hopper") == {str(grace)}  # both in the email and the name
    assert await search("Navy.Example") == {str(grace)}
    assert await search("nobody-has-this") == set()


async def test_search_folds_the_case_of_any_alphabet(
    client: httpx.AsyncClient, db_session: AsyncSession, make_account
) -> None:
    admin = await make_account("admin")
    emile = await create_user(db_session, "zola@paris.example", "Émile Zola")
    olga = await create_user(db_session, "olga@kyiv.example", "ОЛЬГА Петренко")

    async def search(q: str) -> set[str]:
        response = await client.get(f"{API}/admin/users", params={"q": q}, headers=admin.headers)
        assert response.status_code == 200, response.text
        return {item["user_id"] for item in response.json()["items"]}

    assert await search("émile") == {str(emile)}
    assert await search("ÉMILE") == {str(emile)}
    assert await search("ольга") == {str(olga)}


async def test_filter_by_role(
    client: httpx.AsyncClient, db_session: AsyncSession, make_account
) -> None:
    admin = await make_account("admin")
    teacher = await create_user(db_session, "t@role.example", "Teacher", "instructor")
    await create_user(db_session, "l@role.example", "Learner", "learner")

    response = await client.get(
        f"{API}/admin/users",
        params={"q": "role.example", "role": "instructor"},
        headers=admin.headers,
    )

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1
    assert [item["user_id"] for item in body["items"]] == [str(teacher)]
    assert body["items"][0]["roles"] == ["instructor"]


async def test_pages_cover_every_match_once_with_the_total(
    client: httpx.AsyncClient, db_session: AsyncSession, make_account
) -> None:
    admin = await make_account("admin")
    created = {str(await create_user(db_session, f"p{i}@paged.example", f"P{i}")) for i in range(5)}

    seen: list[str] = []
    for offset in (0, 2, 4):
        response = await client.get(
            f"{API}/admin/users",
            params={"q": "paged.example", "offset": offset, "limit": 2},
            headers=admin.headers,
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["total"], body["offset"], body["limit"]) == (5, offset, 2)
        seen += [item["user_id"] for item in body["items"]]

    assert len(seen) == 5
    assert set(seen) == created


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1}, {"role": "A!"}])
async def test_bad_list_parameters_are_refused(
    client: httpx.AsyncClient, make_account, params: dict
) -> None:
    admin = await make_account("admin")
    response = await client.get(f"{API}/admin/users", params=params, headers=admin.headers)
    assert response.status_code == 422
    assert problem_code(response) == "validation-failed"


@pytest.mark.parametrize(
    ("q", "expected"),
    [("a_b", "a_b"), ("%", "100%"), ("\\", "back\\slash"), ("a%b", None)],
)
async def test_like_wildcards_in_the_query_are_literal(
    client: httpx.AsyncClient, db_session: AsyncSession, make_account, q: str, expected: str | None
) -> None:
    admin = await make_account("admin")
    names = ["a_b", "axb", "100%", "1000", "back\\slash", "backslash", "ab"]
    ids = {
        name: str(await create_user(db_session, f"u{i}@w.example", name))
        for i, name in enumerate(names)
    }

    response = await client.get(f"{API}/admin/users", params={"q": q}, headers=admin.headers)

    assert response.status_code == 200
    found = {item["user_id"] for item in response.json()["items"]}
    assert found == ({ids[expected]} if expected else set())


# ---------------------------------------------------------------------------------------------
# Granting and revoking roles


async def test_a_granted_role_applies_on_the_next_request(
    client: httpx.AsyncClient, make_account
) -> None:
    admin = await make_account("admin")
    learner = await make_account("learner")
    before = await me(client, learner.headers)  # caches the learner's principal
    assert "course:create" not in before.json()["permissions"]

    response = await client.post(
        f"{API}/admin/users/{learner.user_id}/roles",
        json={"role": "instructor"},
        headers=admin.headers,
    )

    assert response.status_code == 200
    assert response.json()["roles"] == ["instructor", "learner"]
    after = (await me(client, learner.headers)).json()
    assert after["roles"] == ["instructor", "learner"]
    assert set(after["permissions"]) == set(BUILTIN_ROLE_PERMISSIONS["instructor"])


async def test_granting_a_role_held_already_changes_nothing(
    client: httpx.AsyncClient, make_account
) -> None:
    admin = await make_account("admin")
    learner = await make_account("learner")
    response = await client.post(
        f"{API}/admin/users/{learner.user_id}/roles",
        json={"role": "learner"},
        headers=admin.headers,
    )
    assert response.status_code == 200
    assert response.json()["roles"] == ["learner"]


async def test_a_revoked_role_no_longer_applies(client: httpx.AsyncClient, make_account) -> None:
    admin = await make_account("admin")
    teacher = await make_account("learner", "instructor")
    assert "course:create" in (await me(client, teacher.headers)).json()["permissions"]

    response = await client.delete(
        f"{API}/admin/users/{teacher.user_id}/roles/instructor", headers=admin.headers
    )

    assert response.status_code == 200
    assert response.json()["roles"] == ["learner"]
    after = (await me(client, teacher.headers)).json()
    assert set(after["permissions"]) == set(BUILTIN_ROLE_PERMISSIONS["learner"])


async def test_granting_an_unknown_role_is_refused(client: httpx.AsyncClient, make_account) -> None:
    admin = await make_account("admin")
    learner = await make_account("learner")

    unknown = await client.post(
        f"{API}/admin/users/{learner.user_id}/roles", json={"role": "wizard"}, headers=admin.headers
    )
    malformed = await client.post(
        f"{API}/admin/users/{learner.user_id}/roles",
        json={"role": "Not A Role"},
        headers=admin.headers,
    )

    assert unknown.status_code == 422
    assert problem_code(unknown) == "unknown-role"
    assert malformed.status_code == 422
    assert problem_code(malformed) == "validation-failed"
    assert (await me(client, learner.headers)).json()["roles"] == ["learner"]


async def test_revoking_a_role_not_held_is_not_found(
    client: httpx.AsyncClient, make_account
) -> None:
    admin = await make_account("admin")
    learner = await make_account("learner")
    response = await client.delete(
        f"{API}/admin/users/{learner.user_id}/roles/instructor", headers=admin.headers
    )
    assert response.status_code == 404
    assert problem_code(response) == "not-found"


async def test_an_unknown_user_is_not_found(client: httpx.AsyncClient, make_account) -> None:
    admin = await make_account("admin")
    nobody = uuid.uuid4()
    for method, path, body in [
        ("GET", f"/admin/users/{nobody}", None),
        ("POST", f"/admin/users/{nobody}/roles", {"role": "instructor"}),
        ("DELETE", f"/admin/users/{nobody}/roles/learner", None),
        ("POST", f"/admin/users/{nobody}/deactivate", None),
    ]:
        response = await client.request(method, API + path, json=body, headers=admin.headers)
        assert response.status_code == 404, (method, path)


# ---------------------------------------------------------------------------------------------
# The last admin


async def test_the_last_admin_keeps_the_admin_role(client: httpx.AsyncClient, make_account) -> None:
    admin = await make_account("admin")

    response = await client.delete(
        f"{API}/admin/users/{admin.user_id}/roles/admin", headers=admin.headers
    )

    assert response.status_code == 409
    assert problem_code(response) == "conflict"
    assert (await me(client, admin.headers)).json()["roles"] == ["admin"]


async def test_the_last_admin_cannot_be_deactivated(
    client: httpx.AsyncClient, make_account
) -> None:
    admin = await make_account("admin")

    response = await client.post(
        f"{API}/admin/users/{admin.user_id}/deactivate", headers=admin.headers
    )

    assert response.status_code == 409
    assert (await me(client, admin.headers)).status_code == 200


async def test_an_admin_can_step_down_when_another_remains(
    client: httpx.AsyncClient, make_account
) -> None:
    first = await make_account("admin")
    second = await make_account("admin")

    response = await client.delete(
        f"{API}/admin/users/{first.user_id}/roles/admin", headers=first.headers
    )

    assert response.status_code == 200
    assert (await me(client, first.headers)).json()["roles"] == []
    last = await client.delete(
        f"{API}/admin/users/{second.user_id}/roles/admin", headers=second.headers
    )
    assert last.status_code == 409


async def test_a_deactivated_admin_does_not_count_as_the_last_admin(
    client: httpx.AsyncClient, make_account
) -> None:
    active = await make_account("admin")
    dormant = await make_account("admin")
    deactivated = await client.post(
        f"{API}/admin/users/{dormant.user_id}/deactivate", headers=active.headers
    )
    assert deactivated.status_code == 200

    # The dormant account may lose the role: the one active admin keeps theirs.
    response = await client.delete(
        f"{API}/admin/users/{dormant.user_id}/roles/admin", headers=active.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["roles"] == []


# ---------------------------------------------------------------------------------------------
# Deactivation


async def test_deactivation_ends_sessions_at_once_and_blocks_login(
    client: httpx.AsyncClient, make_account
) -> None:
    admin = await make_account("admin")
    learner = await make_account("learner")
    assert (await me(client, learner.headers)).status_code == 200  # the principal is cached

    response = await client.post(
        f"{API}/admin/users/{learner.user_id}/deactivate", headers=admin.headers
    )

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    rejected = await me(client, learner.headers)
    assert rejected.status_code == 401
    assert problem_code(rejected) == "session-revoked"
    refused = await login(client, learner.email)
    assert refused.status_code == 403
    assert problem_code(refused) == "account-inactive"
    refresh = await client.post(
        f"{API}/auth/refresh", json={"refresh_token": learner.refresh_token}
    )
    assert refresh.status_code == 401


async def test_reactivation_allows_login_again(client: httpx.AsyncClient, make_account) -> None:
    admin = await make_account("admin")
    learner = await make_account("learner")
    await client.post(f"{API}/admin/users/{learner.user_id}/deactivate", headers=admin.headers)

    response = await client.post(
        f"{API}/admin/users/{learner.user_id}/reactivate", headers=admin.headers
    )

    assert response.status_code == 200
    assert response.json()["is_active"] is True
    signed_in = await login(client, learner.email)
    assert signed_in.status_code == 200
    fresh = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    assert (await me(client, fresh)).status_code == 200
    # The sessions that deactivation ended stay ended.
    assert (await me(client, learner.headers)).status_code == 401


# ---------------------------------------------------------------------------------------------
# Custom roles


async def test_a_custom_role_grants_exactly_its_permissions(
    client: httpx.AsyncClient, make_account
) -> None:
    admin = await make_account("admin")
    learner = await make_account("learner")
    assert (await client.get(f"{API}/admin/users", headers=learner.headers)).status_code == 403

    created = await client.post(
        f"{API}/admin/roles",
        json={"name": "support", "description": "Help desk", "permissions": ["user:read"]},
        headers=admin.headers,
    )
    assert created.status_code == 201, created.text
    assert created.json() == {
        "name": "support",
        "description": "Help desk",
        "permissions": ["user:read"],
        "builtin": False,
    }
    granted = await client.post(
        f"{API}/admin/users/{learner.user_id}/roles",
        json={"role": "support"},
        headers=admin.headers,
    )
    assert granted.status_code == 200

    assert (await client.get(f"{API}/admin/users", headers=learner.headers)).status_code == 200
    assert (await client.get(f"{API}/admin/roles", headers=learner.headers)).status_code == 403
    assert "user:read" in (await me(client, learner.headers)).json()["permissions"]


async def test_changing_a_custom_role_applies_to_its_holders_at_once(
    client: httpx.AsyncClient, make_account
) -> None:
    admin = await make_account("admin")
    learner = await make_account("learner")
    await client.post(
        f"{API}/admin/roles",
        json={"name": "support", "permissions": ["user:read"]},
        headers=admin.headers,
    )
    await client.post(
        f"{API}/admin/users/{learner.user_id}/roles",
        json={"role": "support"},
        headers=admin.headers,
    )
    assert (await client.get(f"{API}/admin/users", headers=learner.headers)).status_code == 200

    updated = await client.patch(
        f"{API}/admin/roles/support", json={"permissions": ["role:manage"]}, headers=admin.headers
    )

    assert updated.status_code == 200
    assert updated.json()["permissions"] == ["role:manage"]
    assert (await client.get(f"{API}/admin/users", headers=learner.headers)).status_code == 403
    assert (await client.get(f"{API}/admin/roles", headers=learner.headers)).status_code == 200


async def test_deleting_a_custom_role_takes_it_from_its_holders(
    client: httpx.AsyncClient, make_account
) -> None:
    admin = await make_account("admin")
    learner = await make_account("learner")
    await client.post(
        f"{API}/admin/roles",
        json={"name": "support", "permissions": ["user:read"]},
        headers=admin.headers,
    )
    await client.post(
        f"{API}/admin/users/{learner.user_id}/roles",
        json={"role": "support"},
        headers=admin.headers,
    )
    assert (await client.get(f"{API}/admin/users", headers=learner.headers)).status_code == 200

    deleted = await client.delete(f"{API}/admin/roles/support", headers=admin.headers)

    assert deleted.status_code == 204
    assert (await client.get(f"{API}/admin/users", headers=learner.headers)).status_code == 403
    assert (await me(client, learner.headers)).json()["roles"] == ["learner"]
    roles = await client.get(f"{API}/admin/roles", headers=admin.headers)
    assert "support" not in {r["name"] for r in roles.json()}


async def test_roles_list_builtin_and_custom_roles(client: httpx.AsyncClient, make_account) -> None:
    admin = await make_account("admin")
    await client.post(
        f"{API}/admin/roles",
        json={"name": "support", "permissions": ["user:read"]},
        headers=admin.headers,
    )

    roles = {
        r["name"]: r for r in (await client.get(f"{API}/admin/roles", headers=admin.headers)).json()
    }
    permissions = (await client.get(f"{API}/admin/permissions", headers=admin.headers)).json()

    assert set(roles) == {"admin", "instructor", "learner", "support"}
    assert roles["admin"]["builtin"] is True
    assert set(roles["admin"]["permissions"]) == set(permissions) == {p.value for p in Permission}
    assert roles["support"] == {
        "name": "support",
        "description": "",
        "permissions": ["user:read"],
        "builtin": False,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"name": "support", "permissions": ["user:read", "world:domination"]},
        {"name": "support", "permissions": ["user:read"], "colour": "red"},
        {"name": "Support Staff", "permissions": []},
        {"name": "support"},
    ],
    ids=["unknown-permission", "extra-field", "bad-name", "no-permissions-field"],
)
async def test_an_invalid_role_is_refused(
    client: httpx.AsyncClient, make_account, body: dict
) -> None:
    admin = await make_account("admin")

    response = await client.post(f"{API}/admin/roles", json=body, headers=admin.headers)

    assert response.status_code == 422
    assert problem_code(response) == "validation-failed"
    roles = await client.get(f"{API}/admin/roles", headers=admin.headers)
    assert {r["name"] for r in roles.json()} == {"admin", "instructor", "learner"}


@pytest.mark.parametrize("name", ["support", "admin", "learner"])
async def test_a_role_name_can_be_taken_once(
    client: httpx.AsyncClient, make_account, name: str
) -> None:
    admin = await make_account("admin")
    first = await client.post(
        f"{API}/admin/roles", json={"name": "support", "permissions": []}, headers=admin.headers
    )
    assert first.status_code == 201

    response = await client.post(
        f"{API}/admin/roles",
        json={"name": name, "permissions": ["user:read"]},
        headers=admin.headers,
    )

    assert response.status_code == 409
    assert problem_code(response) == "conflict"


async def test_builtin_roles_cannot_be_changed_or_deleted(
    client: httpx.AsyncClient, make_account
) -> None:
    admin = await make_account("admin")

    patched = await client.patch(
        f"{API}/admin/roles/learner", json={"permissions": ["user:manage"]}, headers=admin.headers
    )
    deleted = await client.delete(f"{API}/admin/roles/admin", headers=admin.headers)

    assert patched.status_code == 409
    assert deleted.status_code == 409
    roles = {
        r["name"]: r for r in (await client.get(f"{API}/admin/roles", headers=admin.headers)).json()
    }
    assert set(roles["learner"]["permissions"]) == set(BUILTIN_ROLE_PERMISSIONS["learner"])


async def test_an_unknown_custom_role_is_not_found(client: httpx.AsyncClient, make_account) -> None:
    admin = await make_account("admin")
    patched = await client.patch(
        f"{API}/admin/roles/ghost", json={"description": "x"}, headers=admin.headers
    )
    deleted = await client.delete(f"{API}/admin/roles/ghost", headers=admin.headers)
    assert (patched.status_code, deleted.status_code) == (404, 404)


# ---------------------------------------------------------------------------------------------
# No escalation: managing users or roles hands out only what the manager holds


@pytest.fixture
async def user_manager(client: httpx.AsyncClient, db_session: AsyncSession, make_account):
    """A learner given a custom role with user:read and user:manage, but not admin."""
    await create_custom_role(
        db_session, "user-manager", Permission.USER_READ, Permission.USER_MANAGE
    )
    return await make_account("learner", "user-manager")


@pytest.mark.parametrize("role", ["admin", "instructor"])
async def test_a_user_manager_cannot_grant_a_role_above_their_own(
    client: httpx.AsyncClient, make_account, user_manager, role: str
) -> None:
    await make_account("admin")
    learner = await make_account("learner")

    for target in (user_manager, learner):
        response = await client.post(
            f"{API}/admin/users/{target.user_id}/roles",
            json={"role": role},
            headers=user_manager.headers,
        )
        assert response.status_code == 403, response.text
        assert problem_code(response) == "permission-denied"
    assert role not in (await me(client, user_manager.headers)).json()["roles"]


async def test_a_user_manager_can_grant_what_they_hold(
    client: httpx.AsyncClient, db_session: AsyncSession, make_account, user_manager
) -> None:
    await create_custom_role(db_session, "viewer", Permission.USER_READ)
    learner = await make_account("learner")

    response = await client.post(
        f"{API}/admin/users/{learner.user_id}/roles",
        json={"role": "viewer"},
        headers=user_manager.headers,
    )

    assert response.status_code == 200
    assert response.json()["roles"] == ["learner", "viewer"]


async def test_a_user_manager_cannot_act_on_an_admin(
    client: httpx.AsyncClient, make_account, user_manager
) -> None:
    await make_account("admin")
    admin = await make_account("admin")

    deactivate = await client.post(
        f"{API}/admin/users/{admin.user_id}/deactivate", headers=user_manager.headers
    )
    revoke = await client.delete(
        f"{API}/admin/users/{admin.user_id}/roles/admin", headers=user_manager.headers
    )

    assert (deactivate.status_code, revoke.status_code) == (403, 403)
    assert (await me(client, admin.headers)).json()["roles"] == ["admin"]


async def test_a_role_manager_cannot_define_permissions_they_lack(
    client: httpx.AsyncClient, db_session: AsyncSession, make_account
) -> None:
    await create_custom_role(db_session, "role-manager", Permission.ROLE_MANAGE)
    await create_custom_role(db_session, "support", Permission.USER_READ)
    manager = await make_account("learner", "role-manager")

    created = await client.post(
        f"{API}/admin/roles",
        json={"name": "root", "permissions": ["user:manage"]},
        headers=manager.headers,
    )
    widened = await client.patch(
        f"{API}/admin/roles/role-manager",
        json={"permissions": ["role:manage", "user:manage"]},
        headers=manager.headers,
    )
    deleted = await client.delete(f"{API}/admin/roles/support", headers=manager.headers)
    allowed = await client.post(
        f"{API}/admin/roles",
        json={"name": "reader", "permissions": ["course:read"]},
        headers=manager.headers,
    )

    assert (created.status_code, widened.status_code, deleted.status_code) == (403, 403, 403)
    assert allowed.status_code == 201
    assert "user:manage" not in (await me(client, manager.headers)).json()["permissions"]
