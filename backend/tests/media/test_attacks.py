"""Every kind of hostile or broken upload is refused with a clear 4xx and leaves nothing behind:
no record, no stored object, no spooled temporary file."""

import io
import os
from collections.abc import Callable

import httpx
import pytest
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from tests.media.conftest import MIB, MediaEnv, People, snapshot
from tests.media.files import (
    HTML_PAGE,
    LEGACY_DOC,
    LINUX_ELF,
    MEDIA,
    PHP_SHELL,
    SVG_IMAGE,
    WINDOWS_EXE,
    assert_problem,
    image_bytes,
    macro_docx,
    mp4_bytes,
    oversized_docx,
    pdf_bytes,
    pixel_bomb_png,
    traversal_docx,
    upload,
    zip_bomb_docx,
    zip_bytes,
)


def noisy_png(side: int) -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, format="PNG")
    return buffer.getvalue()


def damaged_png() -> bytes:
    return image_bytes("PNG")[:40] + os.urandom(200)


ATTACKS: list[tuple[str, Callable[[], bytes], str, int, str]] = [
    # Disguised content: the name claims one type, the bytes are another.
    ("php named .png", lambda: PHP_SHELL, "avatar.png", 415, "unsupported-media-type"),
    ("html named .png", lambda: HTML_PAGE, "avatar.png", 415, "unsupported-media-type"),
    ("svg named .png", lambda: SVG_IMAGE, "logo.png", 415, "unsupported-media-type"),
    ("html named .txt", lambda: HTML_PAGE, "notes.txt", 415, "unsupported-media-type"),
    ("php named .txt", lambda: PHP_SHELL, "notes.txt", 415, "unsupported-media-type"),
    ("windows exe named .pdf", lambda: WINDOWS_EXE, "syllabus.pdf", 415, "unsupported-media-type"),
    ("elf named .mp4", lambda: LINUX_ELF, "lecture.mp4", 415, "unsupported-media-type"),
    (
        "shell script named .txt",
        lambda: b"#!/bin/sh\nrm -rf ~\n",
        "run.txt",
        415,
        "unsupported-media-type",
    ),
    ("binary junk", lambda: os.urandom(4096), "data.txt", 415, "unsupported-media-type"),
    ("latin-1 text", lambda: "café".encode("latin-1"), "menu.txt", 415, "unsupported-media-type"),
    ("legacy .doc", lambda: LEGACY_DOC, "old.doc", 415, "unsupported-media-type"),
    (
        "plain zip named .docx",
        lambda: zip_bytes([("a.txt", b"hello")]),
        "essay.docx",
        415,
        "unsupported-media-type",
    ),
    ("png named .jpg", lambda: image_bytes("PNG"), "photo.jpg", 415, "extension-mismatch"),
    ("pdf named .mp4", pdf_bytes, "lecture.mp4", 415, "extension-mismatch"),
    ("mp4 named .pdf", mp4_bytes, "notes.pdf", 415, "extension-mismatch"),
    ("text named .rtf", lambda: b"{\\rtf1 hello}", "letter.rtf", 415, "extension-mismatch"),
    ("text named .png", lambda: b"just words", "photo.png", 415, "extension-mismatch"),
    # Names: executable or markup extensions, hidden second extensions, paths, null bytes.
    ("svg", lambda: SVG_IMAGE, "logo.svg", 422, "invalid-filename"),
    ("html", lambda: HTML_PAGE, "page.html", 422, "invalid-filename"),
    ("php", lambda: PHP_SHELL, "shell.php", 422, "invalid-filename"),
    ("double extension .php.png", image_bytes, "shell.php.png", 422, "invalid-filename"),
    (
        "double extension .html.jpg",
        lambda: image_bytes("JPEG"),
        "page.html.jpg",
        422,
        "invalid-filename",
    ),
    ("double extension .exe.pdf", pdf_bytes, "invoice.exe.pdf", 422, "invalid-filename"),
    ("null byte", image_bytes, "photo.png\x00.php", 422, "invalid-filename"),
    ("path traversal", image_bytes, "../../etc/cron.d/evil.png", 422, "invalid-filename"),
    ("windows path", image_bytes, "..\\..\\evil.png", 422, "invalid-filename"),
    ("right-to-left override", image_bytes, "photo\u202egnp.png", 422, "invalid-filename"),
    ("control character", image_bytes, "photo\n.png", 422, "invalid-filename"),
    ("dot file", lambda: b"Deny from all", ".htaccess", 422, "invalid-filename"),
    ("trailing dot", image_bytes, "shell.png.", 422, "invalid-filename"),
    ("name too long", image_bytes, "a" * 300 + ".png", 422, "invalid-filename"),
    ("blank name", image_bytes, "   ", 422, "invalid-filename"),
    # Office documents: zip bombs, escaping paths, macros.
    ("zip bomb", zip_bomb_docx, "essay.docx", 422, "unsafe-archive"),
    ("unpacks past the limit", oversized_docx, "essay.docx", 422, "unsafe-archive"),
    ("zip path traversal", traversal_docx, "essay.docx", 422, "unsafe-archive"),
    ("macros", macro_docx, "essay.docx", 422, "unsafe-archive"),
    ("truncated zip", lambda: zip_bomb_docx()[:3000], "essay.docx", 422, "corrupt-file"),
    # Images: decompression bombs, too many bytes, damaged data.
    ("pixel bomb", pixel_bomb_png, "huge.png", 413, "image-too-large"),
    ("image over the byte limit", lambda: noisy_png(620), "noise.png", 413, "file-too-large"),
    ("damaged image", damaged_png, "broken.png", 422, "corrupt-file"),
    # Sizes.
    ("empty", lambda: b"", "empty.txt", 422, "empty-file"),
    ("oversized", lambda: mp4_bytes(3 * MIB), "big.mp4", 413, "file-too-large"),
]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(
    ("data_of", "filename", "status", "code"),
    [attack[1:] for attack in ATTACKS],
    ids=[attack[0] for attack in ATTACKS],
)
async def test_attack_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
    local_media: MediaEnv,
    people: People,
    db_session: AsyncSession,
    data_of: Callable[[], bytes],
    filename: str,
    status: int,
    code: str,
) -> None:
    await upload(client, people.instructor, pdf_bytes(), "existing.pdf")
    before = await snapshot(db_session, local_media)
    response = await upload(client, people.instructor, data_of(), filename)
    body = assert_problem(response, status, code)
    assert body["detail"]
    assert await snapshot(db_session, local_media) == before


async def test_oversized_stream_is_cut_off_at_the_limit(
    client: httpx.AsyncClient, local_media: MediaEnv, people: People, db_session: AsyncSession
) -> None:
    """Without a Content-Length, the body is read only until it passes the limit."""
    before = await snapshot(db_session, local_media)
    sent = 0
    piece = mp4_bytes(64 * 1024)

    async def endless():
        nonlocal sent
        for _ in range(10_000):  # 640 MiB if it were all read
            sent += len(piece)
            yield piece

    response = await client.post(
        MEDIA,
        params={"filename": "endless.mp4"},
        content=endless(),
        headers=people.instructor.headers,
    )
    assert_problem(response, 413, "file-too-large")
    assert sent <= local_media.settings.max_file_bytes + 2 * len(piece)
    assert await snapshot(db_session, local_media) == before


async def test_declared_oversize_is_refused_before_reading(
    client: httpx.AsyncClient, local_media: MediaEnv, people: People
) -> None:
    read = False

    async def body():
        nonlocal read
        read = True
        yield b"x"

    response = await client.post(
        MEDIA,
        params={"filename": "big.mp4"},
        content=body(),
        headers={**people.instructor.headers, "Content-Length": str(10 * MIB)},
    )
    assert_problem(response, 413, "file-too-large")
    assert not read


async def test_uploads_bypass_only_the_generic_body_limit(
    client: httpx.AsyncClient, local_media: MediaEnv, people: People, runtime
) -> None:
    """Media has its own limits, larger than the API's general 1 MiB body limit."""
    data = mp4_bytes(runtime.settings.max_body_bytes + 1)
    response = await upload(client, people.instructor, data, "bigger-than-json.mp4")
    assert response.status_code == 201, response.text
