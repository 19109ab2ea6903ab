"""Media in items: references checked on write, files readable by those who may see the
content pointing at them, and kept while content uses them."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from .conftest import API, World, add_media, create_item, patch_item, publish
from .samples import FILE_ID, VIDEO_ID, VTT_ID, file, video


@pytest.mark.parametrize(
    ("content", "code", "field"),
    [
        ({**file(), "media_id": "00000000-0000-4000-8000-000000000000"}, "unknown-media", None),
        ({**video(), "media_id": FILE_ID}, "media-kind-mismatch", "content.media_id"),
        (
            {**video(), "captions": [{"language": "en", "media_id": VIDEO_ID}]},
            "media-kind-mismatch",
            "content.captions.0.media_id",
        ),
    ],
)
async def test_media_references_are_checked(
    client: httpx.AsyncClient, world: World, content: dict, code: str, field: str | None
) -> None:
    response = await client.post(
        world.items_url, json={"title": "x", "content": content}, headers=world.owner.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert response.json()["field"] == (field or "content.media_id")


async def test_someone_elses_file_cannot_be_attached(
    client: httpx.AsyncClient, db_session: AsyncSession, world: World
) -> None:
    theirs = await add_media(db_session, world.other_instructor.user_id, "document", "text/csv")
    await db_session.commit()
    response = await client.post(
        world.items_url,
        json={"title": "x", "content": {**file(), "media_id": str(theirs.media_id)}},
        headers=world.owner.headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown-media"


async def test_co_instructors_may_keep_and_read_the_owners_files(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await create_item(client, world, video())
    edited = await patch_item(
        client,
        item["content_id"],
        {"title": "Renamed", "content": {**video(), "duration_seconds": 301}},
        by=world.co_instructor,
        version=1,
    )
    assert edited.status_code == 200, edited.text
    for media_id in (VIDEO_ID, VTT_ID):
        response = await client.get(f"{API}/media/{media_id}", headers=world.co_instructor.headers)
        assert response.status_code == 200


async def test_learners_read_the_files_of_published_items_only(
    client: httpx.AsyncClient, world: World
) -> None:
    item = await create_item(client, world, video())

    async def status(account) -> int:
        return (await client.get(f"{API}/media/{VIDEO_ID}", headers=account.headers)).status_code

    assert await status(world.learner) == 404
    await publish(client, item["content_id"], by=world.owner)
    assert await status(world.learner) == 200
    assert await status(world.outsider) == 404
    assert await status(world.other_instructor) == 404
    unused = await client.get(f"{API}/media/{FILE_ID}", headers=world.learner.headers)
    assert unused.status_code == 404


async def test_files_in_use_are_not_deleted(client: httpx.AsyncClient, world: World) -> None:
    item = await create_item(client, world, file(), title="Slides")
    refused = await client.delete(f"{API}/media/{FILE_ID}", headers=world.owner.headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "media-in-use"
    assert "the file item 'Slides'" in refused.json()["detail"]

    await client.delete(f"{API}/items/{item['content_id']}", headers=world.owner.headers)
    deleted = await client.delete(f"{API}/media/{FILE_ID}", headers=world.owner.headers)
    assert deleted.status_code == 204


async def test_a_media_id_typed_into_a_lesson_grants_no_access(
    client: httpx.AsyncClient, world: World, db_session: AsyncSession
) -> None:
    """Only typed media fields (checked on write) make a file readable by a course's staff."""
    theirs = await add_media(db_session, world.other_instructor.user_id, "video", "video/mp4")
    await db_session.commit()
    body = f'See {{"media_id": "{theirs.media_id}"}} and {theirs.media_id}.'
    await create_item(client, world, {"type": "lesson", "body": body})

    response = await client.get(f"{API}/media/{theirs.media_id}", headers=world.owner.headers)

    assert response.status_code == 404, response.text
