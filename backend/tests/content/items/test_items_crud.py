"""Items through the API: create each type, refuse bad input whole, edit, tag with skills,
delete; every write bumps the course's revision."""

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.content.models import ContentItemSkill, Course

from .conftest import API, World, add_course, create_item, patch_item
from .samples import INVALID, VALID, lesson, quiz


async def revision(session: AsyncSession, course_id: uuid.UUID) -> int:
    session.expire_all()
    return await session.scalar(select(Course.revision).where(Course.course_id == course_id))


async def draft_items(client: httpx.AsyncClient, world: World) -> list[dict]:
    response = await client.get(
        world.items_url, params={"view": "draft"}, headers=world.owner.headers
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def create_skill(client: httpx.AsyncClient, world: World, slug: str) -> dict:
    response = await client.post(
        f"{API}/skills", json={"slug": slug, "name": slug.title()}, headers=world.owner.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("kind", sorted(VALID))
async def test_create_each_type(client: httpx.AsyncClient, world: World, kind: str) -> None:
    response = await client.post(
        world.items_url,
        json={"title": f"A {kind}", "content": VALID[kind], "change_note": "first draft"},
        headers=world.owner.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["ETag"] == 'W/"1"'
    assert response.headers["Location"] == f"/api/v1/items/{body['content_id']}"
    assert body["type"] == kind and body["content"]["type"] == kind
    assert (body["version"], body["latest_version"], body["published_version"]) == (1, 1, None)
    assert body["view"] == "draft" and body["has_unpublished_changes"] is True
    assert (body["course_id"], body["module_id"]) == (str(world.course_id), str(world.module_id))
    assert body["sequence_number"] == 1


async def test_items_are_appended_in_order(client: httpx.AsyncClient, world: World) -> None:
    for title in ("one", "two", "three"):
        await create_item(client, world, lesson(), title=title)
    items = await draft_items(client, world)
    assert [(i["title"], i["sequence_number"]) for i in items] == [
        ("one", 1),
        ("two", 2),
        ("three", 3),
    ]


async def test_lessons_come_with_safe_html(client: httpx.AsyncClient, world: World) -> None:
    body = "# Loops\n\n$x_1$ <script>alert(1)</script>\n\n```python\nfor i in range(3): pass\n```"
    item = await create_item(client, world, lesson(body))
    html = item["content"]["body_html"]
    assert "<h1>Loops</h1>" in html
    assert '<span class="math inline">$x_1$</span>' in html
    assert '<code class="language-python">' in html
    assert "<script" not in html
    assert item["content"]["body"] == body  # the Markdown is kept as written


@pytest.mark.parametrize(("name", "content", "where"), INVALID, ids=[c[0] for c in INVALID])
async def test_invalid_content_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    world: World,
    name: str,
    content: dict,
    where: str,
) -> None:
    before = await revision(db_session, world.course_id)

    response = await client.post(
        world.items_url, json={"title": name, "content": content}, headers=world.owner.headers
    )

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "validation-failed"
    locations = [".".join(map(str, e["loc"])) for e in problem["errors"]]
    assert all(loc.startswith("body.content") for loc in locations), locations
    assert any(where in loc for loc in locations), locations
    assert await draft_items(client, world) == []
    assert await revision(db_session, world.course_id) == before


@pytest.mark.parametrize(
    "body",
    [
        {"content": lesson()},  # no title
        {"title": "  ", "content": lesson()},
        {"title": "x", "content": lesson(), "metadata": {"difficulty": 2}},
        {"title": "x", "content": lesson(), "metadata": {"secret": 1}},
        {"title": "x", "content": lesson(), "published_version": 3},
        {"title": "x"},
    ],
)
async def test_bad_item_fields_are_refused(
    client: httpx.AsyncClient, world: World, body: dict
) -> None:
    response = await client.post(world.items_url, json=body, headers=world.owner.headers)
    assert response.status_code == 422, response.text
    assert await draft_items(client, world) == []


async def test_a_module_of_another_course_is_not_found(
    client: httpx.AsyncClient, db_session: AsyncSession, world: World
) -> None:
    _, foreign_module = await add_course(db_session, world.other_instructor.user_id)
    await db_session.commit()
    url = f"{API}/courses/{world.course_id}/modules/{foreign_module.module_id}/items"

    response = await client.post(
        url, json={"title": "x", "content": lesson()}, headers=world.owner.headers
    )

    assert response.status_code == 404
    assert response.json()["code"] == "module-not-found"


async def test_patch_makes_a_new_version_and_bumps_the_revision(
    client: httpx.AsyncClient, db_session: AsyncSession, world: World
) -> None:
    item = await create_item(client, world, lesson("Old"), title="Loops")
    before = await revision(db_session, world.course_id)

    response = await patch_item(
        client,
        item["content_id"],
        {"title": "For loops", "content": lesson("New"), "change_note": "clearer"},
        by=world.co_instructor,
        version=1,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["ETag"] == 'W/"2"'
    assert (body["version"], body["title"], body["content"]["body"]) == (2, "For loops", "New")
    assert await revision(db_session, world.course_id) == before + 1
    fetched = await client.get(
        f"{API}/items/{item['content_id']}", params={"view": "draft"}, headers=world.owner.headers
    )
    assert fetched.json()["title"] == "For loops"
    assert fetched.headers["ETag"] == 'W/"2"'


async def test_a_patch_that_changes_nothing_makes_no_version(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await create_item(client, world, lesson("Same"), title="Same")
    response = await patch_item(
        client,
        item["content_id"],
        {"title": "Same", "content": lesson("Same")},
        by=world.owner,
        version=1,
    )
    assert response.status_code == 200
    assert response.json()["version"] == 1


async def test_is_required_is_not_versioned(client: httpx.AsyncClient, world: World) -> None:
    item = await create_item(client, world, lesson())
    response = await patch_item(
        client, item["content_id"], {"is_required": False}, by=world.owner, version=1
    )
    assert response.status_code == 200
    assert (response.json()["is_required"], response.json()["version"]) == (False, 1)


async def test_the_type_cannot_change(client: httpx.AsyncClient, world: World) -> None:
    item = await create_item(client, world, lesson())
    response = await patch_item(
        client, item["content_id"], {"content": VALID["link"]}, by=world.owner, version=1
    )
    assert response.status_code == 422
    assert response.json()["code"] == "type-change-refused"


@pytest.mark.parametrize("changes", [{"title": None}, {"content": {"type": "lesson"}}, {"x": 1}])
async def test_bad_patches_change_nothing(
    client: httpx.AsyncClient, world: World, changes: dict
) -> None:
    item = await create_item(client, world, lesson("Kept"))
    response = await patch_item(client, item["content_id"], changes, by=world.owner, version=1)
    assert response.status_code == 422
    fetched = await client.get(
        f"{API}/items/{item['content_id']}", params={"view": "draft"}, headers=world.owner.headers
    )
    assert (fetched.json()["version"], fetched.json()["content"]["body"]) == (1, "Kept")


async def test_skills_by_slug_or_id_and_question_skills(
    client: httpx.AsyncClient, db_session: AsyncSession, world: World
) -> None:
    loops = await create_skill(client, world, "loops")
    ranges = await create_skill(client, world, "ranges")
    questions = quiz()["questions"]
    questions[0]["skills"] = ["ranges"]
    questions[1]["skills"] = [ranges["skill_id"], "loops"]

    item = await create_item(
        client, world, quiz(*questions), skills=[loops["skill_id"]], title="Quiz"
    )

    assert item["skill_ids"] == [loops["skill_id"]]
    assert sorted(item["all_skill_ids"]) == sorted([loops["skill_id"], ranges["skill_id"]])
    stored = item["content"]["questions"]
    assert stored[0]["skills"] == [ranges["skill_id"]]  # slugs are stored as ids
    assert sorted(stored[1]["skills"]) == sorted([ranges["skill_id"], loops["skill_id"]])
    tags = await db_session.scalars(
        select(ContentItemSkill.skill_id).where(
            ContentItemSkill.content_id == uuid.UUID(item["content_id"])
        )
    )
    assert {str(t) for t in tags} == {loops["skill_id"], ranges["skill_id"]}

    # Dropping the questions' skills leaves only the item's own.
    plain = quiz()
    response = await patch_item(
        client, item["content_id"], {"content": plain}, by=world.owner, version=1
    )
    assert response.json()["all_skill_ids"] == [loops["skill_id"]]
    deleted = await client.delete(f"{API}/skills/ranges", headers=world.owner.headers)
    assert deleted.status_code == 204
    in_use = await client.delete(f"{API}/skills/loops", headers=world.owner.headers)
    assert in_use.status_code == 409
    assert in_use.json()["code"] == "skill-in-use"


async def test_unknown_skills_are_refused_by_name(client: httpx.AsyncClient, world: World) -> None:
    await create_skill(client, world, "loops")
    questions = quiz()["questions"]
    questions[2]["skills"] = ["recursion"]
    missing = str(uuid.uuid4())

    response = await client.post(
        world.items_url,
        json={"title": "Quiz", "content": quiz(*questions), "skills": ["loops", missing]},
        headers=world.owner.headers,
    )

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "unknown-skills"
    assert problem["unknown"] == sorted([missing, "recursion"])
    assert await draft_items(client, world) == []


async def test_delete(client: httpx.AsyncClient, db_session: AsyncSession, world: World) -> None:
    item = await create_item(client, world, lesson())
    url = f"{API}/items/{item['content_id']}"
    before = await revision(db_session, world.course_id)

    stale = await client.delete(url, headers={**world.owner.headers, "If-Match": 'W/"7"'})
    assert stale.status_code == 412
    refused = await client.delete(url, headers=world.learner.headers)
    assert refused.status_code == 403

    assert (await client.delete(url, headers=world.owner.headers)).status_code == 204
    assert (await client.get(url, headers=world.owner.headers)).status_code == 404
    assert await revision(db_session, world.course_id) == before + 1
