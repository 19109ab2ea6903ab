"""Who may do what with items, and what learners never get: drafts, unpublished items, answer
keys, or the content of courses they are not enrolled in."""

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.content.models import Enrollment, Module

from .conftest import API, World, add_course, create_item, patch_item, publish
from .samples import ANSWER_KEY_FIELDS, lesson, quiz

NOT_EDITORS = ("other_instructor", "learner", "outsider")


def headers_of(world: World, role: str) -> dict[str, str]:
    return {} if role == "anonymous" else getattr(world, role).headers


def assert_no_answer_key(document: object) -> None:
    found = _keys(document) & ANSWER_KEY_FIELDS
    assert not found, f"answer key fields reached a learner: {found}"
    assert "explanation_html" not in _keys(document)


def _keys(document: object) -> set[str]:
    if isinstance(document, dict):
        return set(document) | {k for v in document.values() for k in _keys(v)}
    if isinstance(document, list):
        return {k for v in document for k in _keys(v)}
    return set()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 201),
        ("owner", 201),
        ("co_instructor", 201),
        ("other_instructor", 403),
        ("learner", 403),
        ("outsider", 403),
        ("anonymous", 401),
    ],
)
async def test_who_may_create(
    client: httpx.AsyncClient, world: World, role: str, expected: int
) -> None:
    response = await client.post(
        world.items_url,
        json={"title": "x", "content": lesson()},
        headers=headers_of(world, role),
    )
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("role", "published", "draft"),
    [
        ("admin", 200, 200),
        ("owner", 200, 200),
        ("co_instructor", 200, 200),
        ("other_instructor", 403, 403),  # sees the course, not enrolled
        ("learner", 200, 403),
        ("outsider", 403, 403),
        ("anonymous", 401, 401),
    ],
)
async def test_who_may_read_a_published_item(
    client: httpx.AsyncClient, world: World, role: str, published: int, draft: int
) -> None:
    item = await create_item(client, world, quiz())
    await publish(client, item["content_id"], by=world.owner)
    url = f"{API}/items/{item['content_id']}"

    as_published = await client.get(url, headers=headers_of(world, role))
    as_draft = await client.get(url, params={"view": "draft"}, headers=headers_of(world, role))

    assert (as_published.status_code, as_draft.status_code) == (published, draft)
    if published == 200 and role == "learner":
        assert_no_answer_key(as_published.json())
        assert as_published.json()["latest_version"] is None
    if role == "learner":
        assert as_draft.json()["code"] == "draft-access-denied"
    if role == "outsider":
        assert as_published.json()["code"] == "enrollment-required"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 200),
        ("owner", 200),
        ("co_instructor", 200),
        ("other_instructor", 403),
        ("learner", 404),  # enrolled, but there is nothing published to see
        ("outsider", 403),
        ("anonymous", 401),
    ],
)
async def test_an_unpublished_item_is_invisible_to_learners(
    client: httpx.AsyncClient, world: World, role: str, expected: int
) -> None:
    item = await create_item(client, world, quiz(), title="Secret draft")
    url = f"{API}/items/{item['content_id']}"

    draft = await client.get(url, params={"view": "draft"}, headers=headers_of(world, role))
    published = await client.get(url, headers=headers_of(world, role))
    listed = await client.get(world.items_url, headers=headers_of(world, role))

    assert draft.status_code == expected
    # Nobody sees a published view of an item never published, instructors included.
    assert published.status_code == (404 if expected == 200 else expected)
    if role == "learner":
        assert listed.status_code == 200
        assert listed.json()["items"] == []
        for response in (draft, published, listed):
            assert "Secret draft" not in response.text
            assert_no_answer_key(response.json())


@pytest.mark.parametrize("role", [*NOT_EDITORS, "anonymous"])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "", {"title": "Hacked"}),
        ("DELETE", "", None),
        ("POST", "/publish", None),
        ("POST", "/unpublish", None),
        ("POST", "/revert", {"to_version": 1}),
        ("GET", "/versions", None),
        ("GET", "/versions/1", None),
        ("GET", "/versions/diff?from=1&to=1", None),
    ],
)
async def test_only_editors_write_or_see_history(
    client: httpx.AsyncClient, world: World, role: str, method: str, path: str, body: dict | None
) -> None:
    item = await create_item(client, world, quiz(), title="Kept")
    await publish(client, item["content_id"], by=world.owner)
    headers = {**headers_of(world, role), "If-Match": 'W/"1"'}

    response = await client.request(
        method, f"{API}/items/{item['content_id']}{path}", json=body, headers=headers
    )

    assert response.status_code == (401 if role == "anonymous" else 403), response.text
    assert_no_answer_key(response.json())
    unchanged = await client.get(
        f"{API}/items/{item['content_id']}", params={"view": "draft"}, headers=world.owner.headers
    )
    assert (unchanged.json()["title"], unchanged.json()["version"]) == ("Kept", 1)
    assert unchanged.json()["published_version"] == 1


async def test_learners_see_the_published_version_not_the_draft(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await create_item(client, world, lesson("Version one"), title="One")
    await publish(client, item["content_id"], by=world.owner)
    edited = await patch_item(
        client,
        item["content_id"],
        {"title": "Two", "content": lesson("Version two")},
        by=world.owner,
        version=1,
    )
    assert edited.status_code == 200
    url = f"{API}/items/{item['content_id']}"

    seen = await client.get(url, headers=world.learner.headers)
    assert seen.status_code == 200
    assert (seen.json()["title"], seen.json()["content"]["body"]) == ("One", "Version one")
    assert (seen.json()["version"], seen.headers["ETag"]) == (1, 'W/"1"')
    listed = (await client.get(world.items_url, headers=world.learner.headers)).json()["items"]
    assert [(i["title"], i["version"]) for i in listed] == [("One", 1)]
    assert "Two" not in seen.text and "Version two" not in seen.text

    owners_view = await client.get(url, params={"view": "draft"}, headers=world.owner.headers)
    assert owners_view.json()["has_unpublished_changes"] is True
    assert owners_view.json()["latest_version"] == 2

    await publish(client, item["content_id"], by=world.co_instructor)
    seen = await client.get(url, headers=world.learner.headers)
    assert (seen.json()["title"], seen.json()["version"]) == ("Two", 2)


async def test_no_answer_key_anywhere_a_learner_looks(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await create_item(client, world, quiz(), title="Quiz")
    await publish(client, item["content_id"], by=world.owner)
    url = f"{API}/items/{item['content_id']}"

    responses = [
        await client.get(url, headers=world.learner.headers),
        await client.get(world.items_url, headers=world.learner.headers),
        await client.get(f"{url}/versions", headers=world.learner.headers),
        await client.get(f"{url}/versions/1", headers=world.learner.headers),
        await client.get(f"{url}/versions/diff?from=1&to=1", headers=world.learner.headers),
        await client.get(url, params={"view": "draft"}, headers=world.learner.headers),
    ]

    assert responses[0].status_code == 200
    for response in responses:
        assert_no_answer_key(response.json())
        assert "One and one make two" not in response.text  # an explanation
    questions = responses[0].json()["content"]["questions"]
    assert [q["id"] for q in questions] == ["q1", "q2", "q3", "q4", "q5"]
    assert (
        questions[0]["prompt_html"] == '<p>What is <span class="math inline">$1 + 1$</span>?</p>\n'
    )

    # Instructors do get the key.
    owners = await client.get(url, headers=world.owner.headers)
    assert owners.json()["content"]["questions"][0]["correct"] == "a"


async def test_dropped_learners_lose_access(
    client: httpx.AsyncClient, db_session: AsyncSession, world: World
) -> None:
    item = await create_item(client, world, lesson())
    await publish(client, item["content_id"], by=world.owner)
    await db_session.execute(
        update(Enrollment)
        .where(Enrollment.user_id == world.learner.user_id)
        .values(status="dropped")
    )
    await db_session.commit()

    response = await client.get(f"{API}/items/{item['content_id']}", headers=world.learner.headers)

    assert response.status_code == 403
    assert response.json()["code"] == "enrollment-required"


async def test_items_of_a_draft_course_are_hidden_from_everyone_else(
    client: httpx.AsyncClient, db_session: AsyncSession, world: World
) -> None:
    course, module = await add_course(db_session, world.owner.user_id, status="draft")
    db_session.add(Enrollment(user_id=world.learner.user_id, course_id=course.course_id))
    await db_session.commit()
    url = f"{API}/courses/{course.course_id}/modules/{module.module_id}/items"
    created = await client.post(
        url, json={"title": "x", "content": lesson()}, headers=world.owner.headers
    )
    content_id = created.json()["content_id"]
    await publish(client, content_id, by=world.owner)

    for account in (world.learner, world.outsider, world.other_instructor):
        response = await client.get(f"{API}/items/{content_id}", headers=account.headers)
        assert response.status_code == 404
        assert response.json()["code"] == "item-not-found"
        listed = await client.get(url, headers=account.headers)
        assert listed.status_code == 404
    assert (await client.get(f"{API}/items/{content_id}", headers=world.admin.headers)).is_success


async def test_items_of_a_draft_module_are_hidden_from_learners(
    client: httpx.AsyncClient, db_session: AsyncSession, world: World
) -> None:
    item = await create_item(client, world, lesson(), title="In a draft module")
    await publish(client, item["content_id"], by=world.owner)
    await db_session.execute(
        update(Module).where(Module.module_id == world.module_id).values(status="draft")
    )
    await db_session.commit()

    seen = await client.get(f"{API}/items/{item['content_id']}", headers=world.learner.headers)
    listed = await client.get(world.items_url, headers=world.learner.headers)
    owners = await client.get(world.items_url, headers=world.owner.headers)

    assert seen.status_code == 404 and seen.json()["code"] == "item-not-found"
    assert listed.status_code == 404 and listed.json()["code"] == "module-not-found"
    assert [i["title"] for i in owners.json()["items"]] == ["In a draft module"]
