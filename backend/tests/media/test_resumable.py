"""Resumable uploads: chunks appended at the right offset, resumed after an interruption,
completed into a stored file exactly as a single upload would be, and abandoned ones cleaned."""

import os
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.db import utcnow
from learnwise.media.models import MediaUpload
from tests.conftest import Account
from tests.media.conftest import KIB, MIB, MediaEnv, People, snapshot
from tests.media.files import HTML_PAGE, MEDIA, assert_problem, download, mp4_bytes, uploaded

UPLOADS = f"{MEDIA}/uploads"
CHUNK = 64 * KIB


async def start(
    client: httpx.AsyncClient, account: Account, filename: str, size: int
) -> httpx.Response:
    return await client.post(
        UPLOADS, params={"filename": filename, "size": size}, headers=account.headers
    )


async def started(
    client: httpx.AsyncClient, account: Account, filename: str, size: int
) -> dict[str, Any]:
    response = await start(client, account, filename, size)
    assert response.status_code == 201, response.text
    return response.json()


async def patch(
    client: httpx.AsyncClient, account: Account, upload: dict[str, Any], offset: int, data: Any
) -> httpx.Response:
    return await client.patch(
        upload["upload_url"],
        content=data,
        headers={
            **account.headers,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
        },
    )


async def offset_of(client: httpx.AsyncClient, account: Account, upload: dict[str, Any]) -> int:
    response = await client.head(upload["upload_url"], headers=account.headers)
    assert response.status_code == 204, response.text
    return int(response.headers["upload-offset"])


async def test_chunked_upload_resumes_and_completes(
    client: httpx.AsyncClient, media: MediaEnv, people: People
) -> None:
    data = mp4_bytes(200 * KIB)
    upload = await started(client, people.instructor, "long lecture.mp4", len(data))
    assert upload["offset"] == 0
    assert upload["max_chunk_bytes"] == CHUNK
    assert upload["upload_url"] == f"{UPLOADS}/{upload['upload_id']}"

    first = await patch(client, people.instructor, upload, 0, data[:CHUNK])
    assert first.status_code == 200, first.text
    assert first.headers["upload-offset"] == str(CHUNK)
    assert first.json()["media"] is None

    # A chunk sent again, or from the wrong place, is refused with the offset to resume from.
    for wrong in (0, CHUNK + 1):
        response = await patch(client, people.instructor, upload, wrong, data[wrong : wrong + 10])
        body = assert_problem(response, 409, "upload-offset-mismatch")
        assert body["offset"] == CHUNK
        assert response.headers["upload-offset"] == str(CHUNK)

    # After an interruption the client asks where it stands and goes on from there.
    offset = await offset_of(client, people.instructor, upload)
    while offset < len(data):
        response = await patch(
            client, people.instructor, upload, offset, data[offset : offset + CHUNK]
        )
        assert response.status_code == 200, response.text
        offset = int(response.headers["upload-offset"])
    done = response.json()
    assert done["offset"] == len(data)
    stored = done["media"]
    assert stored["content_type"] == "video/mp4"
    assert stored["original_filename"] == "long lecture.mp4"
    assert (await download(client, people.instructor, stored)).content == data
    assert await media.storage.list_prefix("uploads/") == []

    state = await client.get(upload["upload_url"], headers=people.instructor.headers)
    assert state.json()["media"]["media_id"] == stored["media_id"]
    assert await offset_of(client, people.instructor, upload) == len(data)
    response = await patch(client, people.instructor, upload, len(data), b"more")
    assert_problem(response, 409, "upload-finished")


async def test_completed_upload_is_deduplicated(
    client: httpx.AsyncClient, media: MediaEnv, people: People
) -> None:
    data = mp4_bytes(100 * KIB)
    single = await uploaded(client, people.instructor, data, "a.mp4")
    upload = await started(client, people.instructor, "b.mp4", len(data))
    await patch(client, people.instructor, upload, 0, data[:CHUNK])
    done = (await patch(client, people.instructor, upload, CHUNK, data[CHUNK:])).json()
    assert done["media"]["checksum"] == single["checksum"]
    assert len(await media.storage.list_prefix("blobs/")) == 1


async def test_interrupted_chunk_changes_nothing(
    client: httpx.AsyncClient,
    local_media: MediaEnv,
    people: People,
    app_and_runtime: tuple[Any, Any],
    db_session: AsyncSession,
) -> None:
    data = mp4_bytes(100 * KIB)
    upload = await started(client, people.instructor, "a.mp4", len(data))
    await patch(client, people.instructor, upload, 0, data[:CHUNK])
    before = await snapshot(db_session, local_media)

    # The connection drops halfway through the second chunk.
    messages = [
        {"type": "http.request", "body": data[CHUNK : CHUNK + 1000], "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    path = upload["upload_url"]
    headers = {**people.instructor.headers, "Upload-Offset": str(CHUNK)}
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PATCH",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await app_and_runtime[0](scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    assert status == 400
    assert await snapshot(db_session, local_media) == before
    assert await offset_of(client, people.instructor, upload) == CHUNK

    done = await patch(client, people.instructor, upload, CHUNK, data[CHUNK:])
    assert (await download(client, people.instructor, done.json()["media"])).content == data


async def test_chunk_limits(
    client: httpx.AsyncClient, local_media: MediaEnv, people: People, db_session: AsyncSession
) -> None:
    data = mp4_bytes(200 * KIB)
    upload = await started(client, people.instructor, "a.mp4", len(data))
    before = await snapshot(db_session, local_media)
    response = await patch(client, people.instructor, upload, 0, data[: CHUNK + 1])
    assert_problem(response, 413, "chunk-too-large")

    async def streamed():  # no Content-Length: stopped while it arrives
        for start in range(0, len(data), 1000):
            yield data[start : start + 1000]

    assert_problem(
        await patch(client, people.instructor, upload, 0, streamed()), 413, "chunk-too-large"
    )
    assert await snapshot(db_session, local_media) == before

    small = await started(client, people.instructor, "b.mp4", 1000)
    response = await patch(client, people.instructor, small, 0, data[:1001])
    assert_problem(response, 422, "upload-overflow")
    missing = await client.patch(
        small["upload_url"], content=b"x", headers=people.instructor.headers
    )
    assert_problem(missing, 422, "validation-failed")


async def test_refused_content_on_completion_keeps_the_upload(
    client: httpx.AsyncClient, media: MediaEnv, people: People, db_session: AsyncSession
) -> None:
    data = HTML_PAGE * 1000
    upload = await started(client, people.instructor, "disguised.png", len(data))
    await patch(client, people.instructor, upload, 0, data[:CHUNK])
    before = await snapshot(db_session, media)
    response = await patch(client, people.instructor, upload, CHUNK, data[CHUNK:])
    assert_problem(response, 415, "unsupported-media-type")
    assert await snapshot(db_session, media) == before
    assert await offset_of(client, people.instructor, upload) == CHUNK
    # Cancelling removes it and its chunks.
    response = await client.delete(upload["upload_url"], headers=people.instructor.headers)
    assert response.status_code == 204
    assert await media.storage.list_prefix("uploads/") == []
    response = await client.head(upload["upload_url"], headers=people.instructor.headers)
    assert response.status_code == 404


async def test_who_may_upload_in_chunks(
    client: httpx.AsyncClient, local_media: MediaEnv, people: People
) -> None:
    response = await client.post(UPLOADS, params={"filename": "a.mp4", "size": 10})
    assert_problem(response, 401, "unauthorized")
    assert_problem(await start(client, people.learner, "a.mp4", 10), 403, "permission-denied")
    upload = await started(client, people.instructor, "a.mp4", 10)
    for account in (people.other_instructor, people.admin):
        response = await patch(client, account, upload, 0, b"x")
        assert_problem(response, 404, "upload-not-found")
        response = await client.get(upload["upload_url"], headers=account.headers)
        assert_problem(response, 404, "upload-not-found")
        response = await client.delete(upload["upload_url"], headers=account.headers)
        assert_problem(response, 404, "upload-not-found")


@pytest.mark.parametrize(
    ("filename", "size", "status", "code"),
    [
        ("a.mp4", 0, 422, "empty-file"),
        ("a.mp4", 3 * MIB + 1, 413, "file-too-large"),
        ("shell.php.mp4", 10, 422, "invalid-filename"),
        ("a\x00.mp4", 10, 422, "invalid-filename"),
        ("a.mp4", -1, 422, "validation-failed"),
    ],
)
async def test_refused_starts(
    client: httpx.AsyncClient,
    local_media: MediaEnv,
    people: People,
    db_session: AsyncSession,
    filename: str,
    size: int,
    status: int,
    code: str,
) -> None:
    before = await snapshot(db_session, local_media)
    assert_problem(await start(client, people.instructor, filename, size), status, code)
    assert await snapshot(db_session, local_media) == before


async def test_pending_uploads_count_against_the_quota(
    client: httpx.AsyncClient, local_media: MediaEnv, people: People
) -> None:
    await started(client, people.instructor, "a.mp4", 3 * MIB)
    await started(client, people.instructor, "b.mp4", 2 * MIB)
    assert_problem(await start(client, people.instructor, "c.mp4", 2 * MIB), 413, "quota-exceeded")
    response = await client.post(
        MEDIA,
        params={"filename": "d.mp4"},
        content=mp4_bytes(MIB + 100),
        headers=people.instructor.headers,
    )
    assert_problem(response, 413, "quota-exceeded")


async def test_expired_uploads_are_refused_and_purged(
    client: httpx.AsyncClient, media: MediaEnv, people: People, db_session: AsyncSession
) -> None:
    data = mp4_bytes(100 * KIB)
    upload = await started(client, people.instructor, "a.mp4", len(data))
    await patch(client, people.instructor, upload, 0, data[:CHUNK])
    assert len(await media.storage.list_prefix("uploads/")) == 1
    await db_session.execute(
        update(MediaUpload)
        .where(MediaUpload.upload_id == uuid.UUID(upload["upload_id"]))
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    await db_session.commit()
    response = await patch(client, people.instructor, upload, CHUNK, data[CHUNK:])
    assert_problem(response, 410, "upload-expired")
    assert_problem(
        await client.get(upload["upload_url"], headers=people.instructor.headers),
        410,
        "upload-expired",
    )
    # The next upload anyone starts sweeps expired ones and their chunks away.
    await started(client, people.other_instructor, "b.mp4", 10)
    db_session.expire_all()
    assert (
        await db_session.scalar(
            select(MediaUpload).where(MediaUpload.upload_id == uuid.UUID(upload["upload_id"]))
        )
        is None
    )
    assert await media.storage.list_prefix("uploads/") == []


async def test_spooled_files_left_by_a_crash_are_swept(
    client: httpx.AsyncClient, local_media: MediaEnv, people: People
) -> None:
    temp_dir = local_media.storage.temp_dir
    temp_dir.mkdir(parents=True, exist_ok=True)
    left, current = temp_dir / "spool-left-behind", temp_dir / "spool-in-use"
    for path in (left, current):
        path.write_bytes(b"partial upload")
    two_days_ago = time.time() - 2 * 24 * 3600 - local_media.settings.upload_expiry_hours * 3600
    os.utime(left, (two_days_ago, two_days_ago))
    await started(client, people.instructor, "a.mp4", 10)
    assert not left.exists()
    assert current.exists()
