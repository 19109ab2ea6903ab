"""Test files made on the spot (genuine ones and attacks), and calls to the media API."""

import io
import os
import struct
import wave
import zipfile
from typing import Any

import httpx
from PIL import Image

from learnwise.errors import PROBLEM_JSON
from tests.conftest import Account

MEDIA = "/api/v1/media"

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


# ---------------------------------------------------------------------------------------------
# Genuine files


def image_bytes(
    fmt: str = "PNG",
    size: tuple[int, int] = (64, 48),
    mode: str = "RGB",
    color: Any = (200, 30, 30),
    **save: Any,
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def jpeg_with_exif() -> bytes:
    """A JPEG whose EXIF names a camera, an owner and a GPS position, turned by 90 degrees."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCam Manufacturer"  # Make
    exif[0x013B] = "Jane Private Owner"  # Artist
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    exif.get_ifd(0x8825)[2] = (48.0, 51.0, 29.0)  # GPSLatitude
    return image_bytes("JPEG", size=(80, 40), exif=exif.tobytes(), comment=b"private comment")


def animated_gif(frames: int = 3, size: tuple[int, int] = (32, 32)) -> bytes:
    images = [Image.new("RGB", size, (40 * i, 80, 120)) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(
        buffer, format="GIF", save_all=True, append_images=images[1:], duration=50, loop=0
    )
    return buffer.getvalue()


def mp4_bytes(payload_size: int = 200 * 1024) -> bytes:
    """An ISO media file header (ftyp isom) with a payload: what the sniffer judges by."""
    ftyp = struct.pack(">I", 24) + b"ftypisom" + struct.pack(">I", 0x200) + b"isomiso2"
    payload = os.urandom(payload_size)
    return ftyp + struct.pack(">I", 8 + len(payload)) + b"mdat" + payload


def m4a_bytes() -> bytes:
    return struct.pack(">I", 24) + b"ftypM4A " + struct.pack(">I", 0) + b"M4A isom" + bytes(512)


def webm_bytes() -> bytes:
    return (
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
        b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + os.urandom(4096)
    )


def mp3_bytes() -> bytes:
    frame = b"\xff\xfb\x90\x64" + os.urandom(413)
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + frame * 4


def wav_bytes() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(1600))
    return buffer.getvalue()


def pdf_bytes(extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        + extra
        + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def zip_bytes(entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


def content_types(*overrides: tuple[str, str]) -> bytes:
    parts = "".join(
        f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
        f"{parts}</Types>"
    ).encode()


def docx_bytes(*extra: tuple[str, bytes], main: str = DOCX_MAIN) -> bytes:
    return zip_bytes(
        [
            ("[Content_Types].xml", content_types(("/word/document.xml", main))),
            ("_rels/.rels", b"<Relationships/>"),
            ("word/document.xml", b"<w:document><w:body>Hello</w:body></w:document>"),
            *extra,
        ]
    )


def xlsx_bytes() -> bytes:
    return zip_bytes(
        [
            ("[Content_Types].xml", content_types(("/xl/workbook.xml", XLSX_MAIN))),
            ("xl/workbook.xml", b"<workbook/>"),
        ]
    )


def odt_bytes() -> bytes:
    return zip_bytes(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<office:document-content/>"),
            ("META-INF/manifest.xml", b"<manifest:manifest/>"),
        ],
        stored_first=True,
    )


# ---------------------------------------------------------------------------------------------
# Attacks


PHP_SHELL = b"<?php system($_GET['cmd']); ?>"
HTML_PAGE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_IMAGE = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>'
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)
LINUX_ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(200)
LEGACY_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024)


def png_with_php() -> bytes:
    """A valid PNG with a PHP shell after its end and inside a text chunk (a polyglot)."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", PHP_SHELL.decode())
    return image_bytes("PNG", pnginfo=info) + PHP_SHELL


def jpeg_with_script() -> bytes:
    return image_bytes("JPEG", comment=HTML_PAGE) + HTML_PAGE


def gif_with_html() -> bytes:
    return image_bytes("GIF", mode="P", color=3) + HTML_PAGE


def zip_bomb_docx() -> bytes:
    """A document with one entry that unpacks 8 MiB of zeros from a few kilobytes."""
    return docx_bytes(("word/media/padding.bin", bytes(8 * 1024 * 1024)))


def oversized_docx() -> bytes:
    """Compresses honestly (random bytes) but unpacks past the limit."""
    return docx_bytes(("word/media/noise.bin", os.urandom(1536 * 1024)))


def traversal_docx() -> bytes:
    return docx_bytes(("../../../../tmp/evil.sh", b"#!/bin/sh\nrm -rf /\n"))


def macro_docx() -> bytes:
    return docx_bytes(("word/vbaProject.bin", b"macro"), main=DOCM_MAIN)


def pixel_bomb_png() -> bytes:
    """10,000 x 10,000 one-bit pixels in a few kilobytes."""
    return image_bytes("PNG", size=(10_000, 10_000), mode="1", color=0)


# ---------------------------------------------------------------------------------------------
# API calls


async def upload(
    client: httpx.AsyncClient,
    account: Account | None,
    data: bytes,
    filename: str,
    **headers: str,
) -> httpx.Response:
    return await client.post(
        MEDIA,
        params={"filename": filename},
        content=data,
        headers={**(account.headers if account else {}), **headers},
    )


async def uploaded(
    client: httpx.AsyncClient, account: Account, data: bytes, filename: str
) -> dict[str, Any]:
    response = await upload(client, account, data, filename)
    assert response.status_code == 201, response.text
    return response.json()


async def download(
    client: httpx.AsyncClient, account: Account | None, media: dict[str, Any], **headers: str
) -> httpx.Response:
    return await client.get(
        media["content_url"], headers={**(account.headers if account else {}), **headers}
    )


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    body = response.json()
    assert body["code"] == code, body
    return body
