"""Publishing a course publishes every item's latest version, and records one event."""

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.platform.models import OutboxEvent

from .conftest import API, World, create_item, patch_item

LESSON = {"type": "lesson", "body": "# Variables\n\nA name bound to a value."}


async def test_publishing_the_course_publishes_its_items(
    client: httpx.AsyncClient, world: World, db_session: AsyncSession
) -> None:
    item = await create_item(client, world, LESSON, title="Variables")
    item_url = f"{API}/items/{item['content_id']}"
    assert (await client.get(item_url, headers=world.learner.headers)).status_code == 404

    response = await client.post(
        f"{API}/courses/{world.course_id}/publish", headers=world.owner.headers
    )

    assert response.status_code == 200, response.text
    seen = await client.get(item_url, headers=world.learner.headers)
    assert seen.status_code == 200, seen.text
    assert seen.json()["title"] == "Variables"
    events = (
        await db_session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.type == "content.published",
                OutboxEvent.course_id == world.course_id,
            )
        )
    ).all()
    assert [e.payload["items_published"] for e in events] == [1]


async def test_a_draft_edit_stays_unseen_until_the_course_is_published_again(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await create_item(client, world, LESSON, title="Variables")
    publish_url = f"{API}/courses/{world.course_id}/publish"
    assert (await client.post(publish_url, headers=world.owner.headers)).status_code == 200
    edited = await patch_item(
        client, item["content_id"], {"title": "Names and values"}, by=world.owner, version=1
    )
    assert edited.status_code == 200, edited.text
    item_url = f"{API}/items/{item['content_id']}"

    assert (await client.get(item_url, headers=world.learner.headers)).json()["title"] == (
        "Variables"
    )
    assert (await client.post(publish_url, headers=world.owner.headers)).status_code == 200
    assert (await client.get(item_url, headers=world.learner.headers)).json()["title"] == (
        "Names and values"
    )
