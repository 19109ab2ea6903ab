"""Versions through the API: history, diffs, revert, publishing, and optimistic concurrency
(If-Match), including two editors racing for real."""

import asyncio
import secrets
import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import service as auth_service
from learnwise.content import item_service
from learnwise.content.models import ContentItem, ContentVersion, Course
from learnwise.platform.runtime import Runtime

from .conftest import API, World, add_course, create_item, patch_item, publish
from .samples import lesson, quiz

PASSWORD = "correct horse battery staple"


async def three_versions(client: httpx.AsyncClient, world: World) -> dict:
    """A quiz at version 3: v2 rewords question q3, v3 retitles the item."""
    item = await create_item(client, world, quiz(), title="Quiz", change_note="first")
    second = quiz()
    second["questions"][2]["prompt"] = "Is CPython interpreted?"
    for version, changes in (
        (1, {"content": second, "change_note": "reword q3"}),
        (2, {"title": "Final quiz", "change_note": "retitle"}),
    ):
        response = await patch_item(
            client, item["content_id"], changes, by=world.co_instructor, version=version
        )
        assert response.status_code == 200, response.text
    return item


async def test_history_newest_first_with_authors_and_notes(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await three_versions(client, world)
    await publish(client, item["content_id"], by=world.owner)

    response = await client.get(
        f"{API}/items/{item['content_id']}/versions", headers=world.owner.headers
    )

    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 3
    assert [
        (v["version"], v["title"], v["change_note"], v["author_id"], v["is_published"])
        for v in page["items"]
    ] == [
        (3, "Final quiz", "retitle", str(world.co_instructor.user_id), True),
        (2, "Quiz", "reword q3", str(world.co_instructor.user_id), False),
        (1, "Quiz", "first", str(world.owner.user_id), False),
    ]
    assert page["items"][0]["published_at"] is not None
    assert page["items"][1]["published_at"] is None


async def test_a_version_holds_its_full_content(client: httpx.AsyncClient, world: World) -> None:
    item = await three_versions(client, world)
    response = await client.get(
        f"{API}/items/{item['content_id']}/versions/1", headers=world.owner.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["content"] == quiz() | {"questions": body["content"]["questions"]}
    assert body["content"]["questions"][2]["prompt"] == "Python is compiled to bytecode."
    assert (body["title"], body["version"], body["metadata"]["tags"]) == ("Quiz", 1, [])


async def test_diff_names_the_changed_question(client: httpx.AsyncClient, world: World) -> None:
    item = await three_versions(client, world)
    url = f"{API}/items/{item['content_id']}/versions/diff"

    response = await client.get(url, params={"from": 1, "to": 3}, headers=world.owner.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from_version"], body["to_version"]) == (1, 3)
    assert [(c["kind"], c["path"], c["old"], c["new"]) for c in body["changes"]] == [
        ("changed", ["title"], "Quiz", "Final quiz"),
        (
            "changed",
            ["content", "questions", "q3", "prompt"],
            "Python is compiled to bytecode.",
            "Is CPython interpreted?",
        ),
    ]
    assert body["changes"][1]["field"] == "content.questions[id=q3].prompt"

    backwards = await client.get(url, params={"from": 3, "to": 1}, headers=world.owner.headers)
    assert backwards.json()["changes"][0]["old"] == "Final quiz"
    same = await client.get(url, params={"from": 2, "to": 2}, headers=world.owner.headers)
    assert same.json()["changes"] == []


@pytest.mark.parametrize(
    ("params", "expected"), [({"from": 1, "to": 9}, 404), ({"from": 0, "to": 1}, 422), ({}, 422)]
)
async def test_diff_of_unknown_versions(
    client: httpx.AsyncClient, world: World, params: dict, expected: int
) -> None:
    item = await create_item(client, world, lesson())
    response = await client.get(
        f"{API}/items/{item['content_id']}/versions/diff",
        params=params,
        headers=world.owner.headers,
    )
    assert response.status_code == expected
    if expected == 404:
        assert response.json()["code"] == "version-not-found"


async def test_revert_makes_a_new_version_equal_to_the_old_one(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await three_versions(client, world)
    url = f"{API}/items/{item['content_id']}"

    response = await client.post(
        f"{url}/revert",
        json={"to_version": 1},
        headers={**world.owner.headers, "If-Match": 'W/"3"'},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["version"], body["title"], response.headers["ETag"]) == (4, "Quiz", 'W/"4"')
    assert body["content"]["questions"][2]["prompt"] == "Python is compiled to bytecode."
    versions = (await client.get(f"{url}/versions", headers=world.owner.headers)).json()
    assert [v["version"] for v in versions["items"]] == [4, 3, 2, 1]
    assert versions["items"][0]["change_note"] == "Reverted to version 1"
    diff = await client.get(
        f"{url}/versions/diff", params={"from": 1, "to": 4}, headers=world.owner.headers
    )
    assert diff.json()["changes"] == []


async def test_revert_to_a_missing_version_changes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await create_item(client, world, lesson())
    url = f"{API}/items/{item['content_id']}"
    response = await client.post(
        f"{url}/revert",
        json={"to_version": 5},
        headers={**world.owner.headers, "If-Match": 'W/"1"'},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "version-not-found"
    versions = (await client.get(f"{url}/versions", headers=world.owner.headers)).json()
    assert versions["total"] == 1


async def test_revert_to_a_version_whose_skill_is_gone(
    client: httpx.AsyncClient, db_session: AsyncSession, world: World
) -> None:
    skill = await client.post(
        f"{API}/skills", json={"slug": "loops", "name": "Loops"}, headers=world.owner.headers
    )
    item = await create_item(client, world, lesson(), skills=["loops"])
    untagged = await patch_item(
        client, item["content_id"], {"skills": []}, by=world.owner, version=1
    )
    assert untagged.status_code == 200
    assert (await client.delete(f"{API}/skills/loops", headers=world.owner.headers)).is_success

    response = await client.post(
        f"{API}/items/{item['content_id']}/revert",
        json={"to_version": 1},
        headers={**world.owner.headers, "If-Match": 'W/"2"'},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "version-not-restorable"
    assert response.json()["unknown"] == [skill.json()["skill_id"]]


async def test_edits_need_a_precondition(client: httpx.AsyncClient, world: World) -> None:
    item = await create_item(client, world, lesson("Original"))
    url = f"{API}/items/{item['content_id']}"

    missing = await client.patch(url, json={"title": "New"}, headers=world.owner.headers)
    star = await client.patch(
        url, json={"title": "New"}, headers={**world.owner.headers, "If-Match": "*"}
    )
    revert = await client.post(f"{url}/revert", json={"to_version": 1}, headers=world.owner.headers)

    for response in (missing, star, revert):
        assert response.status_code == 428, response.text
        assert response.json()["code"] == "precondition-required"
    fetched = await client.get(url, params={"view": "draft"}, headers=world.owner.headers)
    assert (fetched.json()["version"], fetched.json()["title"]) == (1, "An item")


async def test_a_version_field_may_stand_for_if_match(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await create_item(client, world, lesson())
    url = f"{API}/items/{item['content_id']}"
    ok = await client.patch(url, json={"title": "New", "version": 1}, headers=world.owner.headers)
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = await client.patch(
        url, json={"title": "Old", "version": 1}, headers=world.owner.headers
    )
    assert stale.status_code == 412


async def test_a_stale_edit_is_refused_whole_with_the_current_version(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await create_item(client, world, lesson("Original"))
    first = await patch_item(
        client, item["content_id"], {"content": lesson("First")}, by=world.owner, version=1
    )
    assert first.status_code == 200

    second = await patch_item(
        client,
        item["content_id"],
        {"title": "Second", "content": lesson("Second")},
        by=world.co_instructor,
        version=1,
    )

    assert second.status_code == 412
    problem = second.json()
    assert (problem["code"], problem["current_version"]) == ("precondition-failed", 2)
    assert second.headers["ETag"] == 'W/"2"'
    fetched = await client.get(
        f"{API}/items/{item['content_id']}", params={"view": "draft"}, headers=world.owner.headers
    )
    assert (fetched.json()["title"], fetched.json()["content"]["body"]) == ("An item", "First")


async def test_publishing_a_chosen_version_and_unpublishing(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await three_versions(client, world)
    url = f"{API}/items/{item['content_id']}"

    chosen = await client.post(f"{url}/publish", json={"version": 2}, headers=world.owner.headers)
    assert chosen.status_code == 200
    assert (chosen.json()["published_version"], chosen.json()["view"]) == (2, "published")
    seen = await client.get(url, headers=world.learner.headers)
    assert seen.json()["content"]["questions"][2]["prompt"] == "Is CPython interpreted?"

    stale = await client.post(
        f"{url}/publish", headers={**world.owner.headers, "If-Match": 'W/"2"'}
    )
    assert stale.status_code == 412
    missing = await client.post(f"{url}/publish", json={"version": 9}, headers=world.owner.headers)
    assert missing.status_code == 404

    hidden = await client.post(f"{url}/unpublish", headers=world.owner.headers)
    assert hidden.status_code == 200 and hidden.json()["published_version"] is None
    assert (await client.get(url, headers=world.learner.headers)).status_code == 404


async def test_publish_course_items(
    client: httpx.AsyncClient, db_session: AsyncSession, world: World
) -> None:
    fresh = await create_item(client, world, lesson("fresh"), title="Fresh")
    edited = await create_item(client, world, lesson("v1"), title="Edited")
    await publish(client, edited["content_id"], by=world.owner)
    await patch_item(
        client, edited["content_id"], {"title": "Edited v2"}, by=world.owner, version=1
    )
    done = await create_item(client, world, lesson("done"), title="Done")
    await publish(client, done["content_id"], by=world.owner)
    other_course, other_module = await add_course(db_session, world.owner.user_id)
    other_item = await create_item_in(client, world, other_course.course_id, other_module.module_id)
    course = await db_session.get(Course, world.course_id)
    revision = course.revision

    count = await item_service.publish_course_items(
        session=db_session, course=course, author_id=world.owner.user_id
    )
    await db_session.commit()

    assert count == 2
    assert course.revision == revision + 1
    listed = (await client.get(world.items_url, headers=world.learner.headers)).json()["items"]
    assert sorted((i["title"], i["version"]) for i in listed) == [
        ("Done", 1),
        ("Edited v2", 2),
        ("Fresh", 1),
    ]
    published_at = await db_session.scalar(
        select(ContentVersion.published_at).where(
            ContentVersion.content_id == uuid.UUID(fresh["content_id"])
        )
    )
    assert published_at is not None
    untouched = await db_session.get(ContentItem, uuid.UUID(other_item["content_id"]))
    await db_session.refresh(untouched)
    assert untouched.published_version is None
    again = await item_service.publish_course_items(
        session=db_session, course=course, author_id=world.owner.user_id
    )
    assert again == 0


async def create_item_in(
    client: httpx.AsyncClient, world: World, course_id: uuid.UUID, module_id: uuid.UUID
) -> dict:
    response = await client.post(
        f"{API}/courses/{course_id}/modules/{module_id}/items",
        json={"title": "Elsewhere", "content": lesson()},
        headers=world.owner.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


# ---------------------------------------------------------------------------------------------
# Two editors racing, with real commits


async def _instructor(live_client: httpx.AsyncClient, runtime: Runtime) -> tuple[uuid.UUID, dict]:
    email = f"editor-{secrets.token_hex(4)}@example.org"
    async with runtime.sessionmaker() as session:
        user = await auth_service.create_user(
            session=session,
            email=email,
            display_name="Editor",
            password=PASSWORD,
            roles=("instructor",),
        )
        await session.commit()
    response = await live_client.post(
        f"{API}/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return user.user_id, {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_two_concurrent_editors_one_wins_nothing_lost(
    live_client: httpx.AsyncClient, runtime: Runtime
) -> None:
    owner_id, owner = await _instructor(live_client, runtime)
    async with runtime.sessionmaker() as session:
        course, module = await add_course(session, owner_id)
        await session.commit()
    created = await live_client.post(
        f"{API}/courses/{course.course_id}/modules/{module.module_id}/items",
        json={"title": "Shared", "content": lesson("Original")},
        headers=owner,
    )
    assert created.status_code == 201, created.text
    url = f"{API}/items/{created.json()['content_id']}"

    async def edit(name: str) -> httpx.Response:
        return await live_client.patch(
            url,
            json={"title": name, "content": lesson(f"By {name}")},
            headers={**owner, "If-Match": 'W/"1"'},
        )

    responses = await asyncio.gather(*(edit(f"editor {n}") for n in range(4)))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 412, 412, 412], [r.text for r in responses]
    [winner] = [r.json() for r in responses if r.status_code == 200]
    for loser in (r for r in responses if r.status_code == 412):
        assert loser.json()["current_version"] == 2
    fetched = (await live_client.get(url, params={"view": "draft"}, headers=owner)).json()
    assert (fetched["version"], fetched["title"]) == (2, winner["title"])
    assert fetched["content"]["body"] == f"By {winner['title']}"
    history = (await live_client.get(f"{url}/versions", headers=owner)).json()
    assert [v["version"] for v in history["items"]] == [2, 1]
