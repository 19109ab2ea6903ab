"""Downloads: byte ranges, ETags and conditional requests, Content-Disposition, the headers that
keep browsers from running files, and signed URLs that work without sign-in until they expire."""

import time
import uuid

import httpx
import pytest

from learnwise.media import signing
from learnwise.platform.runtime import Runtime
from tests.media.conftest import MediaEnv, People
from tests.media.files import (
    HTML_PAGE,
    MEDIA,
    assert_problem,
    download,
    image_bytes,
    mp4_bytes,
    pdf_bytes,
    uploaded,
)


@pytest.fixture
async def video(client: httpx.AsyncClient, media: MediaEnv, people: People):
    data = mp4_bytes(300 * 1024)
    return data, await uploaded(client, people.instructor, data, "lecture.mp4")


async def test_full_download_headers(client: httpx.AsyncClient, video, people: People) -> None:
    data, body = video
    response = await download(client, people.instructor, body)
    assert response.status_code == 200
    assert response.content == data
    headers = response.headers
    assert headers["content-type"] == "video/mp4"
    assert headers["content-length"] == str(len(data))
    assert headers["etag"] == f'"{body["checksum"]}"'
    assert headers["accept-ranges"] == "bytes"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-security-policy"].startswith("default-src 'none'; sandbox")
    assert headers["cache-control"] == "private, no-cache"
    assert headers["content-disposition"] == (
        "inline; filename=\"lecture.mp4\"; filename*=UTF-8''lecture.mp4"
    )


@pytest.mark.parametrize(
    ("range_header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-", 1000, None),
        ("bytes=-500", -500, None),
        ("bytes=307000-999999999", 307000, None),  # clamped to the end
        ("bytes=5-5", 5, 5),
    ],
)
async def test_ranges(
    client: httpx.AsyncClient, video, people: People, range_header: str, start: int, end: int | None
) -> None:
    data, body = video
    response = await download(client, people.instructor, body, Range=range_header)
    assert response.status_code == 206, response.text
    expected = data[start : None if end is None else end + 1]
    assert response.content == expected
    first = start % len(data)
    assert response.headers["content-range"] == (
        f"bytes {first}-{first + len(expected) - 1}/{len(data)}"
    )
    assert response.headers["content-length"] == str(len(expected))


@pytest.mark.parametrize(
    "range_header", ["bytes=307232-", "bytes=999999-1000000", "bytes=abc", "bytes=9-5", "bytes=-0"]
)
async def test_unsatisfiable_ranges(
    client: httpx.AsyncClient, video, people: People, range_header: str
) -> None:
    data, body = video
    response = await download(client, people.instructor, body, Range=range_header)
    assert_problem(response, 416, "range-not-satisfiable")
    assert response.headers["content-range"] == f"bytes */{len(data)}"


@pytest.mark.parametrize("range_header", ["bytes=0-1,5-6", "items=0-5"])
async def test_ranges_ignored_send_the_whole_file(
    client: httpx.AsyncClient, video, people: People, range_header: str
) -> None:
    data, body = video
    response = await download(client, people.instructor, body, Range=range_header)
    assert response.status_code == 200
    assert response.content == data


async def test_conditional_requests(client: httpx.AsyncClient, video, people: People) -> None:
    data, body = video
    etag = f'"{body["checksum"]}"'
    for if_none_match in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = await download(
            client, people.instructor, body, **{"If-None-Match": if_none_match}
        )
        assert response.status_code == 304
        assert response.content == b""
        assert response.headers["etag"] == etag
    changed = await download(client, people.instructor, body, **{"If-None-Match": '"other"'})
    assert changed.status_code == 200
    # If-Range: the range only while the ETag still matches.
    stale = await download(
        client, people.instructor, body, Range="bytes=0-9", **{"If-Range": '"other"'}
    )
    assert (stale.status_code, stale.content) == (200, data)
    fresh = await download(client, people.instructor, body, Range="bytes=0-9", **{"If-Range": etag})
    assert (fresh.status_code, fresh.content) == (206, data[:10])


async def test_head(client: httpx.AsyncClient, video, people: People) -> None:
    data, body = video
    response = await client.head(body["content_url"], headers=people.instructor.headers)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(data))
    ranged = await client.head(
        body["content_url"], headers={**people.instructor.headers, "Range": "bytes=10-19"}
    )
    assert ranged.status_code == 206
    assert ranged.headers["content-length"] == "10"


@pytest.mark.parametrize(
    ("data", "filename", "disposition"),
    [
        (pdf_bytes(b"<script>alert(1)</script>"), "notes.pdf", "attachment"),
        (b"Tags like <b> stay text here\n", "notes.txt", "attachment"),
        (image_bytes("PNG"), "figure.png", "inline"),
    ],
)
async def test_only_safe_types_are_inline(
    client: httpx.AsyncClient,
    local_media: MediaEnv,
    people: People,
    data: bytes,
    filename: str,
    disposition: str,
) -> None:
    body = await uploaded(client, people.instructor, data, filename)
    response = await download(client, people.instructor, body)
    assert response.headers["content-disposition"].startswith(disposition + ";")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    if filename.endswith(".txt"):
        assert response.headers["content-type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    ("filename", "fallback", "encoded"),
    [
        (
            "Lektion 1 – Überblick.pdf",  # noqa: RUF001 (the en dash is the point)
            "Lektion 1 _ Uberblick.pdf",
            "Lektion%201%20%E2%80%93%20%C3%9Cberblick.pdf",
        ),
        ('say "hi" 100%.pdf', "say _hi_ 100_.pdf", "say%20%22hi%22%20100%25.pdf"),
        ("講義ノート.pdf", "_____.pdf", "%E8%AC%9B%E7%BE%A9%E3%83%8E%E3%83%BC%E3%83%88.pdf"),
    ],
)
async def test_content_disposition_follows_rfc_6266(
    client: httpx.AsyncClient,
    local_media: MediaEnv,
    people: People,
    filename: str,
    fallback: str,
    encoded: str,
) -> None:
    body = await uploaded(client, people.instructor, pdf_bytes(), filename)
    assert body["original_filename"] == filename
    response = await download(client, people.instructor, body)
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    )


def _path_of(url: str) -> str:
    parsed = httpx.URL(url)
    return parsed.raw_path.decode()


async def test_signed_urls_work_without_sign_in(
    client: httpx.AsyncClient, media: MediaEnv, people: People, runtime: Runtime
) -> None:
    data = image_bytes("PNG", size=(500, 400))
    body = await uploaded(client, people.instructor, data, "cover.png")
    response = await client.post(
        f"{MEDIA}/{body['media_id']}/signed-url",
        params={"expires_in": 600},
        headers=people.instructor.headers,
    )
    assert response.status_code == 200, response.text
    signed = response.json()
    assert signed["url"].startswith(runtime.settings.public_url)
    anonymous = await client.get(_path_of(signed["url"]))
    assert anonymous.status_code == 200
    owner_view = await download(client, people.instructor, body)
    assert anonymous.content == owner_view.content
    max_age = int(anonymous.headers["cache-control"].split("max-age=")[1].split(",")[0])
    assert anonymous.headers["cache-control"].startswith("public")
    assert 590 <= max_age <= 600
    ranged = await client.get(_path_of(signed["url"]), headers={"Range": "bytes=0-7"})
    assert (ranged.status_code, ranged.content) == (206, owner_view.content[:8])
    thumbnail = await client.get(_path_of(signed["thumbnail_url"]))
    assert thumbnail.status_code == 200
    assert thumbnail.headers["content-type"] == "image/webp"


async def test_signed_urls_refuse_tampering_and_expiry(
    client: httpx.AsyncClient, media: MediaEnv, people: People, runtime: Runtime
) -> None:
    body = await uploaded(client, people.instructor, mp4_bytes(), "a.mp4")
    other = await uploaded(client, people.instructor, mp4_bytes(), "b.mp4")
    response = await client.post(
        f"{MEDIA}/{body['media_id']}/signed-url", headers=people.instructor.headers
    )
    url = httpx.URL(response.json()["url"])
    expires = int(url.params["expires"])
    signature = url.params["signature"]
    content = f"{MEDIA}/{body['media_id']}/content"

    def get(path: str, **params: object):
        return client.get(path, params=params)

    tampered = signature[:-2] + ("AA" if not signature.endswith("AA") else "BB")
    assert_problem(
        await get(content, expires=expires, signature=tampered), 403, "invalid-signature"
    )
    assert_problem(
        await get(content, expires=expires + 3600, signature=signature), 403, "invalid-signature"
    )
    assert_problem(
        await get(f"{MEDIA}/{other['media_id']}/content", expires=expires, signature=signature),
        403,
        "invalid-signature",
    )
    assert_problem(await get(content, expires=expires), 403, "invalid-signature")
    assert_problem(await get(content, signature="é" * 43, expires=1), 403, "invalid-signature")
    secret = runtime.settings.secret_key.get_secret_value()
    past = int(time.time()) - 1
    expired = signing.sign(secret, uuid.UUID(body["media_id"]), past)
    assert_problem(await get(content, expires=past, signature=expired), 403, "signature-expired")
    # A signed URL never reveals a file that is gone.
    await client.delete(f"{MEDIA}/{body['media_id']}", headers=people.instructor.headers)
    assert_problem(await get(content, expires=expires, signature=signature), 404, "media-not-found")


async def test_signed_url_lifetime_is_bounded(
    client: httpx.AsyncClient, local_media: MediaEnv, people: People
) -> None:
    body = await uploaded(client, people.instructor, mp4_bytes(), "a.mp4")
    too_long = local_media.settings.signed_url_max_seconds + 1
    response = await client.post(
        f"{MEDIA}/{body['media_id']}/signed-url",
        params={"expires_in": too_long},
        headers=people.instructor.headers,
    )
    assert_problem(response, 422, "invalid-input")
    response = await client.post(
        f"{MEDIA}/{body['media_id']}/signed-url",
        params={"expires_in": 1},
        headers=people.instructor.headers,
    )
    assert_problem(response, 422, "validation-failed")


async def test_html_can_never_reach_a_browser(
    client: httpx.AsyncClient, local_media: MediaEnv, people: People
) -> None:
    """HTML is refused at upload whatever its name; what is stored is served as a download
    with nosniff and a sandboxing CSP, so even bytes that look like HTML would not run."""
    for name in ("page.html", "page.png", "page.txt", "page"):
        response = await client.post(
            MEDIA, params={"filename": name}, content=HTML_PAGE, headers=people.instructor.headers
        )
        assert response.status_code in (415, 422), (name, response.text)
