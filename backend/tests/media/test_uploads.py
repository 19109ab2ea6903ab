"""Uploading through the API: what is accepted and as what, who may upload and read, identical
files stored once, the quota, listing, deleting, and the hooks other domains extend."""

import uuid
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.media import service
from learnwise.media.models import Media, MediaBlob
from tests.media.conftest import MIB, MediaEnv, People, snapshot
from tests.media.files import (
    DOCX,
    MEDIA,
    animated_gif,
    assert_problem,
    docx_bytes,
    download,
    image_bytes,
    m4a_bytes,
    mp3_bytes,
    mp4_bytes,
    odt_bytes,
    pdf_bytes,
    upload,
    uploaded,
    wav_bytes,
    webm_bytes,
    xlsx_bytes,
)

ACCEPTED: list[tuple[Callable[[], bytes], str, str, str]] = [
    (lambda: image_bytes("JPEG"), "photo.jpg", "image/jpeg", "image"),
    (lambda: image_bytes("PNG"), "diagram.png", "image/png", "image"),
    (animated_gif, "loop.gif", "image/gif", "image"),
    (lambda: image_bytes("WEBP"), "picture.webp", "image/webp", "image"),
    (mp4_bytes, "lecture.mp4", "video/mp4", "video"),
    (webm_bytes, "clip.webm", "video/webm", "video"),
    (m4a_bytes, "talk.m4a", "audio/mp4", "audio"),
    (mp3_bytes, "song.mp3", "audio/mpeg", "audio"),
    (wav_bytes, "beep.wav", "audio/wav", "audio"),
    (pdf_bytes, "notes.pdf", "application/pdf", "document"),
    (docx_bytes, "essay.docx", DOCX, "document"),
    (
        xlsx_bytes,
        "grades.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "document",
    ),
    (odt_bytes, "essay.odt", "application/vnd.oasis.opendocument.text", "document"),
    (lambda: "Notes — ünïcode\n".encode(), "notes.txt", "text/plain", "text"),
    (lambda: b"# Title\n\nBody\n", "README.md", "text/markdown", "text"),
    (lambda: b"a,b\n1,2\n", "data.csv", "text/csv", "text"),
    (lambda: b"WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n", "captions.vtt", "text/vtt", "text"),
    (lambda: b"no extension, plain text\n", "LICENSE", "text/plain", "text"),
]


@pytest.mark.parametrize(
    ("make", "filename", "content_type", "kind"), ACCEPTED, ids=[a[1] for a in ACCEPTED]
)
async def test_accepted_types_are_sniffed_and_kept(
    client: httpx.AsyncClient,
    local_media: MediaEnv,
    people: People,
    make: Callable[[], bytes],
    filename: str,
    content_type: str,
    kind: str,
) -> None:
    data = make()
    response = await upload(client, people.instructor, data, filename)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["content_type"], body["kind"]) == (content_type, kind)
    assert body["original_filename"] == filename
    assert body["owner_id"] == str(people.instructor.user_id)
    assert response.headers["location"] == f"{MEDIA}/{body['media_id']}"
    content = await download(client, people.instructor, body)
    assert content.status_code == 200
    if kind != "image":  # images are re-encoded (tests/media/test_images.py)
        assert content.content == data
        assert body["size_bytes"] == len(data)


async def test_stored_under_server_made_names(
    client: httpx.AsyncClient, media: MediaEnv, people: People
) -> None:
    body = await uploaded(client, people.instructor, pdf_bytes(), "Mein Skript (final).pdf")
    keys = [stored.key for stored in await media.storage.list_prefix("blobs/")]
    assert len(keys) == 1
    assert keys[0].startswith(f"blobs/{body['checksum'][:2]}/{body['checksum']}/")
    assert "skript" not in keys[0].lower()


async def test_who_may_upload(client: httpx.AsyncClient, local_media: MediaEnv, people: People):
    data = pdf_bytes()
    assert_problem(await upload(client, None, data, "a.pdf"), 401, "unauthorized")
    assert_problem(await upload(client, people.learner, data, "a.pdf"), 403, "permission-denied")
    for account in (people.instructor, people.admin):
        assert (await upload(client, account, data, "a.pdf")).status_code == 201


async def test_who_may_read_and_delete(
    client: httpx.AsyncClient, media: MediaEnv, people: People
) -> None:
    body = await uploaded(client, people.instructor, mp4_bytes(), "draft.mp4")
    path = f"{MEDIA}/{body['media_id']}"
    for account in (people.instructor, people.admin):
        assert (await client.get(path, headers=account.headers)).status_code == 200
        assert (await download(client, account, body)).status_code == 200
    for account in (people.other_instructor, people.learner):
        assert_problem(await client.get(path, headers=account.headers), 404, "media-not-found")
        assert_problem(await download(client, account, body), 404, "media-not-found")
        assert_problem(
            await client.post(f"{path}/signed-url", headers=account.headers),
            404,
            "media-not-found",
        )
        assert_problem(await client.delete(path, headers=account.headers), 404, "media-not-found")
    assert_problem(await client.get(path), 401, "unauthorized")
    assert_problem(await download(client, None, body), 401, "unauthorized")
    assert (await client.delete(path, headers=people.admin.headers)).status_code == 204
    assert_problem(
        await client.get(path, headers=people.instructor.headers), 404, "media-not-found"
    )


async def test_listing_shows_only_ones_own_files(
    client: httpx.AsyncClient, local_media: MediaEnv, people: People
) -> None:
    mine = [
        await uploaded(client, people.instructor, pdf_bytes(b"%d" % i), "a.pdf") for i in range(3)
    ]
    await uploaded(client, people.other_instructor, pdf_bytes(b"other"), "b.pdf")
    response = await client.get(MEDIA, params={"limit": 2}, headers=people.instructor.headers)
    assert response.status_code == 200
    page = response.json()
    assert page["total"] == 3
    assert len(page["items"]) == 2
    assert {item["media_id"] for item in page["items"]} <= {m["media_id"] for m in mine}


async def test_identical_files_are_stored_once(
    client: httpx.AsyncClient, media: MediaEnv, people: People, db_session: AsyncSession
) -> None:
    data = mp4_bytes()
    first = await uploaded(client, people.instructor, data, "one.mp4")
    second = await uploaded(client, people.instructor, data, "two.mp4")
    third = await uploaded(client, people.admin, data, "three.mp4")
    assert len({first["media_id"], second["media_id"], third["media_id"]}) == 3
    assert first["checksum"] == second["checksum"] == third["checksum"]
    assert await db_session.scalar(select(func.count()).select_from(MediaBlob)) == 1
    assert len(await media.storage.list_prefix("blobs/")) == 1

    # Deleting a file keeps the bytes while another record shares them...
    for gone, account in ((first, people.instructor), (second, people.instructor)):
        deleted = await client.delete(f"{MEDIA}/{gone['media_id']}", headers=account.headers)
        assert deleted.status_code == 204
        assert (await download(client, people.admin, third)).content == data
    # ...and removes them with the last one.
    response = await client.delete(f"{MEDIA}/{third['media_id']}", headers=people.admin.headers)
    assert response.status_code == 204
    assert await db_session.scalar(select(func.count()).select_from(MediaBlob)) == 0
    assert await media.storage.list_prefix("blobs/") == []
    # The same bytes again are stored afresh.
    again = await uploaded(client, people.instructor, data, "again.mp4")
    assert (await download(client, people.instructor, again)).content == data


async def test_identical_images_share_blob_and_thumbnail(
    client: httpx.AsyncClient, media: MediaEnv, people: People
) -> None:
    data = image_bytes("PNG", size=(400, 300))
    first = await uploaded(client, people.instructor, data, "a.png")
    second = await uploaded(client, people.other_instructor, data, "b.png")
    assert first["checksum"] == second["checksum"]
    assert first["details"] == second["details"]
    assert len(await media.storage.list_prefix("blobs/")) == 2  # the image and its thumbnail
    thumbnail = await client.get(second["thumbnail_url"], headers=people.other_instructor.headers)
    assert thumbnail.status_code == 200
    assert thumbnail.headers["content-type"] == "image/webp"


async def test_quota(
    client: httpx.AsyncClient, local_media: MediaEnv, people: People, db_session: AsyncSession
) -> None:
    assert local_media.settings.quota_bytes == 6 * MIB
    for _ in range(2):
        await uploaded(client, people.instructor, mp4_bytes(2 * MIB + 512 * 1024), "big.mp4")
    before = await snapshot(db_session, local_media)
    refused = await upload(client, people.instructor, mp4_bytes(2 * MIB), "more.mp4")
    body = assert_problem(refused, 413, "quota-exceeded")
    assert body["quota_bytes"] == 6 * MIB
    assert body["used_bytes"] == 2 * (2 * MIB + 512 * 1024 + 32)

    async def streamed():  # no Content-Length: the quota is checked once the file is in
        yield mp4_bytes(2 * MIB)

    refused = await client.post(
        MEDIA,
        params={"filename": "more.mp4"},
        content=streamed(),
        headers=people.instructor.headers,
    )
    assert_problem(refused, 413, "quota-exceeded")
    assert await snapshot(db_session, local_media) == before
    # Other people have their own quota; admins have none.
    await uploaded(client, people.other_instructor, mp4_bytes(2 * MIB), "theirs.mp4")
    for _ in range(3):
        await uploaded(client, people.admin, mp4_bytes(2 * MIB + 512 * 1024), "admin.mp4")


async def test_use_check_hook_keeps_files_in_use(
    client: httpx.AsyncClient,
    local_media: MediaEnv,
    people: People,
    monkeypatch: pytest.MonkeyPatch,
    db_session: AsyncSession,
) -> None:
    body = await uploaded(client, people.instructor, mp4_bytes(), "intro.mp4")

    async def used_by_a_lesson(*, session: AsyncSession, media: Media) -> str | None:
        return "the video item 'Intro'" if str(media.media_id) == body["media_id"] else None

    monkeypatch.setattr(service, "_use_checks", [used_by_a_lesson])
    before = await snapshot(db_session, local_media)
    response = await client.delete(f"{MEDIA}/{body['media_id']}", headers=people.instructor.headers)
    assert "Intro" in assert_problem(response, 409, "media-in-use")["detail"]
    assert await snapshot(db_session, local_media) == before


async def test_read_grant_hook_lets_learners_read(
    client: httpx.AsyncClient,
    media: MediaEnv,
    people: People,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shared = await uploaded(client, people.instructor, mp4_bytes(), "published.mp4")
    draft = await uploaded(client, people.instructor, mp4_bytes(), "draft.mp4")
    learner_id = people.learner.user_id

    async def enrolled_learners(*, session: AsyncSession, principal, media: Media) -> bool:
        return principal.user_id == learner_id and str(media.media_id) == shared["media_id"]

    monkeypatch.setattr(service, "_read_grants", [enrolled_learners])
    assert (await download(client, people.learner, shared)).status_code == 200
    assert_problem(await download(client, people.learner, draft), 404, "media-not-found")
    assert_problem(await download(client, people.other_instructor, shared), 404, "media-not-found")
    # Reading is not managing: the learner may not delete it.
    response = await client.delete(f"{MEDIA}/{shared['media_id']}", headers=people.learner.headers)
    assert_problem(response, 403, "media-access-denied")


async def test_unknown_media(client: httpx.AsyncClient, local_media: MediaEnv, people: People):
    path = f"{MEDIA}/{uuid.uuid4()}"
    for suffix in ("", "/content", "/thumbnail"):
        response = await client.get(path + suffix, headers=people.admin.headers)
        assert_problem(response, 404, "media-not-found")
    body = await uploaded(client, people.instructor, b"plain text\n", "a.txt")
    response = await client.get(
        f"{MEDIA}/{body['media_id']}/thumbnail", headers=people.instructor.headers
    )
    assert_problem(response, 404, "media-not-found")
