"""/api/v1/skills through HTTP: who may read and write, slugs and ids, the prerequisite DAG
(cycles refused, naming the cycle, changing nothing), the graph, and deleting."""

import uuid

import httpx
import pytest

SKILLS = "/api/v1/skills"


@pytest.fixture
async def instructor(make_account):
    return await make_account("instructor")


@pytest.fixture
async def learner(make_account):
    return await make_account("learner")


async def create(
    client: httpx.AsyncClient, by, slug: str, *prerequisites: str, name: str | None = None
) -> dict:
    response = await client.post(
        SKILLS,
        json={"slug": slug, "name": name or slug.title(), "prerequisites": list(prerequisites)},
        headers=by.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def graph(client: httpx.AsyncClient, by) -> tuple[list[str], set[tuple[str, str]]]:
    response = await client.get(f"{SKILLS}/graph", headers=by.headers)
    assert response.status_code == 200
    body = response.json()
    slugs = {n["skill_id"]: n["slug"] for n in body["nodes"]}
    return (
        [n["slug"] for n in body["nodes"]],
        {(slugs[e["skill_id"]], slugs[e["requires_id"]]) for e in body["edges"]},
    )


@pytest.mark.parametrize(("roles", "expected"), [(("admin",), 201), (("instructor",), 201)])
async def test_instructors_and_admins_create(
    client: httpx.AsyncClient, make_account, roles: tuple[str, ...], expected: int
) -> None:
    account = await make_account(*roles)
    response = await client.post(
        SKILLS, json={"slug": "loops", "name": "Loops"}, headers=account.headers
    )
    assert response.status_code == expected


async def test_learners_read_but_do_not_write(
    client: httpx.AsyncClient, instructor, learner
) -> None:
    loops = await create(client, instructor, "loops")
    writes = [
        await client.post(SKILLS, json={"slug": "x", "name": "X"}, headers=learner.headers),
        await client.patch(f"{SKILLS}/loops", json={"name": "Y"}, headers=learner.headers),
        await client.delete(f"{SKILLS}/loops", headers=learner.headers),
        await client.post(
            f"{SKILLS}/loops/prerequisites", json={"requires": "loops"}, headers=learner.headers
        ),
    ]
    assert [r.status_code for r in writes] == [403] * 4
    read = await client.get(f"{SKILLS}/{loops['skill_id']}", headers=learner.headers)
    assert read.status_code == 200 and read.json()["name"] == "Loops"


async def test_anonymous_gets_nothing(client: httpx.AsyncClient) -> None:
    for path in ("", "/graph", "/loops"):
        assert (await client.get(f"{SKILLS}{path}")).status_code == 401


async def test_by_slug_or_id_and_not_found(client: httpx.AsyncClient, instructor) -> None:
    loops = await create(client, instructor, "loops")
    by_slug = await client.get(f"{SKILLS}/loops", headers=instructor.headers)
    by_id = await client.get(f"{SKILLS}/{loops['skill_id']}", headers=instructor.headers)
    assert by_slug.json() == by_id.json() == loops
    for ref in ("nothing", str(uuid.uuid4())):
        missing = await client.get(f"{SKILLS}/{ref}", headers=instructor.headers)
        assert missing.status_code == 404
        assert missing.json()["code"] == "skill-not-found"


@pytest.mark.parametrize(
    "body",
    [
        {"slug": "Not A Slug", "name": "x"},
        {"slug": "ok", "name": ""},
        {"slug": str(uuid.uuid4()), "name": "looks like an id"},
        {"slug": "ok", "name": "x", "extra": 1},
    ],
)
async def test_bad_skills_are_refused(client: httpx.AsyncClient, instructor, body: dict) -> None:
    response = await client.post(SKILLS, json=body, headers=instructor.headers)
    assert response.status_code == 422
    assert (await client.get(SKILLS, headers=instructor.headers)).json()["total"] == 0


async def test_slugs_are_unique(client: httpx.AsyncClient, instructor) -> None:
    await create(client, instructor, "loops")
    await create(client, instructor, "ranges")
    again = await client.post(
        SKILLS, json={"slug": "loops", "name": "Again"}, headers=instructor.headers
    )
    renamed = await client.patch(
        f"{SKILLS}/ranges", json={"slug": "loops"}, headers=instructor.headers
    )
    assert again.status_code == renamed.status_code == 409
    assert again.json()["code"] == "skill-slug-taken"


async def test_list_search_and_pages(client: httpx.AsyncClient, instructor, learner) -> None:
    for slug in ("python-loops", "python-functions", "sql-joins"):
        await create(client, instructor, slug)
    page = await client.get(SKILLS, params={"limit": 2}, headers=learner.headers)
    assert page.json()["total"] == 3
    assert [s["slug"] for s in page.json()["items"]] == ["python-functions", "python-loops"]
    found = await client.get(SKILLS, params={"q": "JOIN"}, headers=learner.headers)
    assert [s["slug"] for s in found.json()["items"]] == ["sql-joins"]
    wildcard = await client.get(SKILLS, params={"q": "%"}, headers=learner.headers)
    assert wildcard.json()["total"] == 0


async def test_prerequisites_and_the_graph(client: httpx.AsyncClient, instructor, learner) -> None:
    variables = await create(client, instructor, "variables")
    loops = await create(client, instructor, "loops", "variables")
    await create(client, instructor, "functions", variables["skill_id"])
    added = await client.post(
        f"{SKILLS}/functions/prerequisites", json={"requires": "loops"}, headers=instructor.headers
    )
    assert added.status_code == 200
    assert sorted(added.json()["prerequisite_ids"]) == sorted(
        [variables["skill_id"], loops["skill_id"]]
    )

    nodes, edges = await graph(client, learner)

    assert nodes == ["functions", "loops", "variables"]
    assert edges == {("loops", "variables"), ("functions", "variables"), ("functions", "loops")}

    removed = await client.delete(
        f"{SKILLS}/functions/prerequisites/variables", headers=instructor.headers
    )
    assert removed.json()["prerequisite_ids"] == [loops["skill_id"]]
    again = await client.delete(
        f"{SKILLS}/functions/prerequisites/variables", headers=instructor.headers
    )
    assert again.status_code == 404


async def test_cycles_are_refused_naming_the_cycle(client: httpx.AsyncClient, instructor) -> None:
    await create(client, instructor, "a")
    await create(client, instructor, "b", "a")
    await create(client, instructor, "c", "b")
    _, before = await graph(client, instructor)

    closing = await client.post(
        f"{SKILLS}/a/prerequisites", json={"requires": "c"}, headers=instructor.headers
    )
    self_loop = await client.post(
        f"{SKILLS}/b/prerequisites", json={"requires": "b"}, headers=instructor.headers
    )
    replacing = await client.patch(
        f"{SKILLS}/a", json={"name": "A!", "prerequisites": ["b"]}, headers=instructor.headers
    )
    created = await client.post(
        SKILLS, json={"slug": "d", "name": "D", "prerequisites": ["e"]}, headers=instructor.headers
    )

    assert closing.status_code == 422
    assert closing.json()["code"] == "prerequisite-cycle"
    assert closing.json()["cycle"] == ["a", "c", "b", "a"]
    assert "a -> c -> b -> a" in closing.json()["detail"]
    assert self_loop.json()["cycle"] == ["b", "b"]
    assert replacing.json()["cycle"] == ["a", "b", "a"]
    assert created.status_code == 422 and created.json()["code"] == "unknown-skills"
    _, after = await graph(client, instructor)
    assert after == before
    unchanged = await client.get(f"{SKILLS}/a", headers=instructor.headers)
    assert unchanged.json()["name"] == "A"  # the refused PATCH changed nothing


async def test_patch_replaces_prerequisites(client: httpx.AsyncClient, instructor) -> None:
    await create(client, instructor, "a")
    b = await create(client, instructor, "b")
    await create(client, instructor, "c", "a")
    response = await client.patch(
        f"{SKILLS}/c",
        json={"prerequisites": ["b"], "description": "Now needs b"},
        headers=instructor.headers,
    )
    assert response.status_code == 200
    assert response.json()["prerequisite_ids"] == [b["skill_id"]]
    assert response.json()["description"] == "Now needs b"
    nulls = await client.patch(f"{SKILLS}/c", json={"name": None}, headers=instructor.headers)
    assert nulls.status_code == 422


async def test_delete_refuses_skills_in_use(client: httpx.AsyncClient, instructor) -> None:
    await create(client, instructor, "basics")
    await create(client, instructor, "advanced", "basics")

    refused = await client.delete(f"{SKILLS}/basics", headers=instructor.headers)
    assert refused.status_code == 409
    assert refused.json()["required_by"] == ["advanced"]

    assert (
        await client.delete(f"{SKILLS}/advanced", headers=instructor.headers)
    ).status_code == 204
    assert (await client.delete(f"{SKILLS}/basics", headers=instructor.headers)).status_code == 204
    assert (await client.get(SKILLS, headers=instructor.headers)).json()["total"] == 0
