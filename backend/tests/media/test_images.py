"""Images are stored re-encoded: metadata gone, orientation applied, hidden payloads of polyglot
files dropped, animation kept, and a thumbnail made."""

import io

import httpx
import pytest
from PIL import Image

from tests.media.conftest import MediaEnv, People
from tests.media.files import (
    HTML_PAGE,
    PHP_SHELL,
    animated_gif,
    download,
    gif_with_html,
    image_bytes,
    jpeg_with_exif,
    jpeg_with_script,
    png_with_php,
    uploaded,
)


async def stored_image(
    client: httpx.AsyncClient, people: People, data: bytes, filename: str
) -> tuple[dict, bytes]:
    body = await uploaded(client, people.instructor, data, filename)
    response = await download(client, people.instructor, body)
    assert response.status_code == 200
    return body, response.content


async def test_metadata_is_stripped_and_orientation_applied(
    client: httpx.AsyncClient, media: MediaEnv, people: People
) -> None:
    original = jpeg_with_exif()
    assert b"SecretCam" in original
    body, stored = await stored_image(client, people, original, "holiday.jpg")
    for secret in (b"SecretCam", b"Jane Private Owner", b"private comment", b"Exif"):
        assert secret not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "comment" not in image.info
        assert image.size == (40, 80)  # turned upright, as the orientation tag said
    assert body["details"]["width"] == 40
    assert body["details"]["height"] == 80
    assert body["size_bytes"] == len(stored)


@pytest.mark.parametrize(
    ("make", "filename", "payloads"),
    [
        (png_with_php, "avatar.png", [PHP_SHELL, b"<?php"]),
        (jpeg_with_script, "avatar.jpg", [b"<script", b"<html"]),
        (gif_with_html, "avatar.gif", [b"<script", b"<html"]),
    ],
)
async def test_polyglot_payloads_are_not_stored(
    client: httpx.AsyncClient,
    media: MediaEnv,
    people: People,
    make,
    filename: str,
    payloads: list[bytes],
) -> None:
    original = make()
    assert any(payload in original for payload in payloads)
    _, stored = await stored_image(client, people, original, filename)
    for payload in payloads:
        assert payload not in stored
    assert HTML_PAGE not in stored
    with Image.open(io.BytesIO(stored)) as image:
        image.load()


async def test_formats_and_transparency_are_kept(
    client: httpx.AsyncClient, media: MediaEnv, people: People
) -> None:
    _, png = await stored_image(
        client, people, image_bytes("PNG", mode="RGBA", color=(0, 0, 0, 0)), "clear.png"
    )
    with Image.open(io.BytesIO(png)) as image:
        assert (image.format, image.mode) == ("PNG", "RGBA")
        assert image.getpixel((0, 0))[3] == 0
    _, webp = await stored_image(client, people, image_bytes("WEBP"), "a.webp")
    assert Image.open(io.BytesIO(webp)).format == "WEBP"
    _, cmyk = await stored_image(
        client, people, image_bytes("JPEG", mode="CMYK", color=(0, 255, 255, 0)), "print.jpg"
    )
    assert Image.open(io.BytesIO(cmyk)).mode == "RGB"


async def test_animation_is_kept(client: httpx.AsyncClient, media: MediaEnv, people: People):
    body, stored = await stored_image(client, people, animated_gif(frames=4), "loop.gif")
    with Image.open(io.BytesIO(stored)) as image:
        assert image.n_frames == 4
    assert body["details"]["frames"] == 4


async def test_thumbnail(client: httpx.AsyncClient, media: MediaEnv, people: People) -> None:
    body = await uploaded(client, people.instructor, image_bytes("JPEG", size=(1200, 600)), "w.jpg")
    assert body["details"]["width"] == 1200
    response = await client.get(body["thumbnail_url"], headers=people.instructor.headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/webp"
    assert response.headers["etag"] == f'"{body["checksum"]}.thumb"'
    with Image.open(io.BytesIO(response.content)) as thumbnail:
        assert thumbnail.size == (320, 160)
    assert_not_served = await client.get(body["thumbnail_url"], headers=people.learner.headers)
    assert assert_not_served.status_code == 404


async def test_reencoding_is_deterministic(
    client: httpx.AsyncClient, local_media: MediaEnv, people: People
) -> None:
    data = jpeg_with_exif()
    first = await uploaded(client, people.instructor, data, "a.jpg")
    second = await uploaded(client, people.other_instructor, data, "b.jpg")
    assert first["checksum"] == second["checksum"]


def _sequence(fmt: str, **options) -> bytes:
    first = Image.new("RGB", (30, 20), (255, 0, 0))
    second = Image.new("RGB", (30, 20), (0, 255, 0))
    buffer = io.BytesIO()
    first.save(buffer, format=fmt, save_all=True, append_images=[second], **options)
    return buffer.getvalue()


async def test_camera_multi_picture_jpeg_keeps_its_first_picture(
    client: httpx.AsyncClient, local_media: MediaEnv, people: People
) -> None:
    body, stored = await stored_image(client, people, _sequence("MPO"), "camera.jpg")
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, getattr(image, "n_frames", 1)) == ("JPEG", 1)
        assert image.getpixel((5, 5))[0] > 240
    assert "frames" not in body["details"]


async def test_animated_png_is_kept(
    client: httpx.AsyncClient, local_media: MediaEnv, people: People
) -> None:
    body, stored = await stored_image(client, people, _sequence("PNG", duration=100), "a.png")
    with Image.open(io.BytesIO(stored)) as image:
        assert image.n_frames == 2
    assert body["details"]["frames"] == 2
