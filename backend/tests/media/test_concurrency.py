"""Concurrent uploads whose transactions really commit: the quota holds under a race, and
identical files uploaded at the same moment still end up stored once."""

import asyncio
import secrets

import httpx
from sqlalchemy import func, select

from learnwise.auth import service as auth_service
from learnwise.media.models import MediaBlob
from learnwise.platform.runtime import Runtime
from tests.conftest import PASSWORD
from tests.media.conftest import MIB, MediaEnv
from tests.media.files import MEDIA, mp4_bytes


async def instructor_headers(runtime: Runtime, live_client: httpx.AsyncClient) -> dict[str, str]:
    email = f"teacher-{secrets.token_hex(4)}@example.org"
    async with runtime.sessionmaker() as session:
        await auth_service.create_user(
            session=session,
            email=email,
            display_name="Teacher",
            password=PASSWORD,
            roles=("instructor",),
        )
        await session.commit()
    response = await live_client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_concurrent_uploads_cannot_overrun_the_quota(
    live_client: httpx.AsyncClient, live_media: MediaEnv, runtime: Runtime
) -> None:
    headers = await instructor_headers(runtime, live_client)
    size = 3 * MIB // 2  # four of them pass the quota of 6 MiB, three do not

    async def send() -> int:
        response = await live_client.post(
            MEDIA, params={"filename": "a.mp4"}, content=mp4_bytes(size), headers=headers
        )
        return response.status_code

    statuses = await asyncio.gather(*(send() for _ in range(4)))
    assert sorted(statuses) == [201, 201, 201, 413]
    listed = await live_client.get(MEDIA, headers=headers)
    assert listed.json()["total"] == 3
    assert len(await live_media.storage.list_prefix("blobs/")) == 3


async def test_simultaneous_identical_uploads_are_stored_once(
    live_client: httpx.AsyncClient, live_media: MediaEnv, runtime: Runtime
) -> None:
    # Different owners, so that nothing but the blob itself orders them.
    everyone = [await instructor_headers(runtime, live_client) for _ in range(3)]
    data = mp4_bytes(256 * 1024)
    responses = await asyncio.gather(
        *(
            live_client.post(MEDIA, params={"filename": "same.mp4"}, content=data, headers=headers)
            for headers in everyone + everyone[:2]
        )
    )
    assert [r.status_code for r in responses] == [201] * 5
    assert len({r.json()["checksum"] for r in responses}) == 1
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(MediaBlob)) == 1
    assert len(await live_media.storage.list_prefix("blobs/")) == 1
    for response, headers in zip(responses, everyone + everyone[:2], strict=True):
        content = await live_client.get(response.json()["content_url"], headers=headers)
        assert content.content == data
