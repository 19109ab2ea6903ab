"""From received bytes to a file fit to store: spooling to disk while hashing, then checking
the content against the allow-list and cleaning it.

Uploads are spooled to a temporary file in bounded pieces (never whole in memory) and the byte
count is checked as they arrive, so an oversized upload stops at the limit. The checks and the
image re-encoding are blocking work, run in a worker thread.
"""

import contextlib
import hashlib
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

import anyio

from learnwise.config import MediaSettings
from learnwise.errors import AppError
from learnwise.media import archives, images, sniffing
from learnwise.media.exceptions import EmptyFile, FileTooLarge
from learnwise.media.sniffing import FileType, Kind, Sniffed

# Received pieces are gathered up to this size before one write (one thread hop) to disk.
WRITE_BUFFER_BYTES = 1024 * 1024
COPY_BYTES = 1024 * 1024


@dataclass(slots=True)
class SpooledFile:
    path: Path
    size: int
    checksum: str


@dataclass(slots=True)
class CheckedFile:
    """A file that passed every check, ready to store."""

    file_type: FileType
    path: Path
    size: int
    checksum: str
    details: dict[str, Any] = field(default_factory=dict)
    thumbnail: bytes | None = None


class Spool:
    """A temporary file being written, with its SHA-256 and size kept up to date."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"spool-{secrets.token_hex(16)}"
        self._file: BinaryIO = self.path.open("xb")
        self._hash = hashlib.sha256()
        self._buffer = bytearray()
        self.size = 0

    async def write(self, data: bytes) -> None:
        self._buffer += data
        self.size += len(data)
        if len(self._buffer) >= WRITE_BUFFER_BYTES:
            await self._flush()

    async def _flush(self) -> None:
        data, self._buffer = bytes(self._buffer), bytearray()
        await anyio.to_thread.run_sync(self._write, data)

    def _write(self, data: bytes) -> None:
        self._file.write(data)
        self._hash.update(data)

    async def finish(self) -> SpooledFile:
        await self._flush()
        self._file.close()
        return SpooledFile(self.path, self.size, self._hash.hexdigest())

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


async def spool(
    chunks: AsyncIterator[bytes],
    directory: Path,
    *,
    max_bytes: int,
    too_large: Callable[[], AppError],
) -> SpooledFile:
    """Writes ``chunks`` to a new temporary file; raises ``too_large()`` as soon as more than
    ``max_bytes`` arrive, leaving nothing behind."""
    target = await anyio.to_thread.run_sync(Spool, directory)
    try:
        async for chunk in chunks:
            if target.size + len(chunk) > max_bytes:
                raise too_large()
            await target.write(chunk)
        return await target.finish()
    except BaseException:
        target.discard()
        raise


def sweep_spool(directory: Path, older_than: timedelta) -> None:
    """Deletes spooled files older than ``older_than`` (blocking: run it in a thread)."""
    if not directory.is_dir():
        return
    cutoff = time.time() - older_than.total_seconds()
    for path in directory.glob("spool-*"):
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_mtime < cutoff:
                path.unlink()


async def read_file(path: Path) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as handle:
        while data := await handle.read(COPY_BYTES):
            yield data


def hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        while data := source.read(COPY_BYTES):
            digest.update(data)
            size += len(data)
    return size, digest.hexdigest()


def check_file(spooled: SpooledFile, filename: str, settings: MediaSettings) -> CheckedFile:
    """Sniffs the content, refuses what is not allowed or contradicts the name, and re-encodes
    images. Blocking: run it in a thread. Any file it creates beside the spooled one is removed
    when it raises."""
    if spooled.size == 0:
        raise EmptyFile("The file is empty.")
    with spooled.path.open("rb") as source:
        head = source.read(sniffing.HEAD_BYTES)
    sniffed = sniffing.sniff(head)
    if sniffed is Sniffed.ZIP:
        file_type = archives.check_office_document(
            spooled.path, max_unpacked_bytes=settings.max_archive_unpacked_bytes
        )
    elif sniffed is Sniffed.TEXT:
        file_type = sniffing.text_type_for(filename, sniffing.check_text(spooled.path))
    else:
        file_type = sniffed
    sniffing.check_extension(filename, file_type)
    if file_type.kind != Kind.IMAGE:
        return CheckedFile(file_type, spooled.path, spooled.size, spooled.checksum)
    if spooled.size > settings.max_image_bytes:
        raise FileTooLarge(f"Images may be at most {settings.max_image_bytes} bytes.")
    clean = spooled.path.with_name(spooled.path.name + ".clean")
    try:
        image = images.reencode_image(
            spooled.path,
            clean,
            content_type=file_type.content_type,
            max_pixels=settings.max_image_pixels,
            thumbnail_pixels=settings.thumbnail_pixels,
        )
        size, checksum = hash_file(clean)
    except BaseException:
        clean.unlink(missing_ok=True)
        raise
    details: dict[str, Any] = {
        "width": image.width,
        "height": image.height,
        "thumbnail_bytes": len(image.thumbnail),
    }
    if image.frames > 1:
        details["frames"] = image.frames
    return CheckedFile(file_type, clean, size, checksum, details, image.thumbnail)
