"""Course archives as zip files: streamed out entry by entry on export; on import, read only
after every entry passed the checks, and then within budgets that count the bytes actually
unpacked, so a header that lies about sizes gains nothing.

Refused as unsafe: more than ``max_entries`` entries; names that are absolute, climb out with
'..', or hold backslashes, drive letters or control characters; symbolic links; encryption;
compression other than stored and deflate; entries whose data overlap (the overlapping-files
zip bomb); more declared or unpacked bytes than the budget; an entry that unpacks to more than
MAX_RATIO times its packed size. A damaged archive (bad CRC, truncated entry) is invalid.
"""

import hashlib
import io
import secrets
import stat
import zipfile
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Self

import anyio

from learnwise.config import MediaSettings
from learnwise.content.archive_exceptions import InvalidArchive, UnsafeArchive
from learnwise.media.processing import SpooledFile
from learnwise.platform.storage import Storage

MAX_ENTRIES = 10_000
# Only entries larger than RATIO_FLOOR_BYTES are judged by their ratio: small JSON files may
# compress very well, and cannot hurt.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1024 * 1024
READ_BYTES = 1024 * 1024
# The fixed part of a zip local file header, before the name and the extra field.
LOCAL_HEADER_BYTES = 30

# What a damaged archive raises while it is read (a header offset outside the file is an
# OSError); errors writing the unpacked bytes are kept apart from these.
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, ValueError)


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """What an imported archive may be: its size, its entries and what it unpacks to."""

    max_archive_bytes: int
    max_unpacked_bytes: int
    max_media_bytes: int
    max_entries: int

    @classmethod
    def of(cls, settings: MediaSettings) -> "ArchiveLimits":
        """A course archive is uploaded like one media file (``max_file_bytes``); it may unpack
        to twice that, the JSON compressing well while media files barely do."""
        return cls(
            max_archive_bytes=settings.max_file_bytes,
            max_unpacked_bytes=2 * settings.max_file_bytes,
            max_media_bytes=settings.max_file_bytes,
            max_entries=MAX_ENTRIES,
        )


# ---------------------------------------------------------------------------------------------
# Reading (blocking: run in a worker thread)


class ArchiveReader:
    """An uploaded archive whose entries passed the checks, read within the unpacking budget."""

    def __init__(self, path: Path, limits: ArchiveLimits) -> None:
        self.limits = limits
        self._unpacked = 0
        try:
            self._zip = zipfile.ZipFile(path)
            infos = self._zip.infolist()
        except _DAMAGED as exc:
            raise InvalidArchive("The file is not a zip archive, or a damaged one.") from exc
        try:
            self.entries = _checked_entries(infos, limits, archive_size=path.stat().st_size)
        except BaseException:
            self._zip.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self._zip.close()

    def read(self, name: str, *, max_bytes: int) -> bytes:
        buffer = bytearray()
        self._unpack(self.entries[name], buffer.extend, max_bytes)
        return bytes(buffer)

    def extract(self, name: str, directory: Path, *, max_bytes: int) -> SpooledFile:
        """Unpacks the entry to a new file in ``directory`` (named like the media service's
        spooled files, so that a crashed process's leftovers are swept with theirs)."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"spool-{secrets.token_hex(16)}"
        digest = hashlib.sha256()
        try:
            with path.open("xb") as target:

                def write(chunk: bytes) -> None:
                    digest.update(chunk)
                    target.write(chunk)

                size = self._unpack(self.entries[name], write, max_bytes)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return SpooledFile(path, size, digest.hexdigest())

    def _unpack(self, info: zipfile.ZipInfo, write: Callable[[bytes], object], limit: int) -> int:
        name = info.filename
        if info.file_size > limit:
            raise UnsafeArchive(f"The entry {name!r} unpacks to more than {limit} bytes.")
        size = 0
        with _reading(name):
            member = self._zip.open(info)
        with member:
            while True:
                with _reading(name):
                    chunk = member.read(READ_BYTES)
                if not chunk:
                    break
                size += len(chunk)
                self._unpacked += len(chunk)
                if size > info.file_size or size > limit:
                    raise UnsafeArchive(f"The entry {name!r} unpacks to more than it declares.")
                if self._unpacked > self.limits.max_unpacked_bytes:
                    raise UnsafeArchive(
                        f"The archive unpacks to more than {self.limits.max_unpacked_bytes} bytes."
                    )
                if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
                    raise UnsafeArchive(
                        f"The entry {name!r} is compressed suspiciously well (a zip bomb)."
                    )
                write(chunk)
        if size != info.file_size:
            raise InvalidArchive(f"The entry {name!r} is shorter than its header declares.")
        return size


@contextmanager
def _reading(name: str) -> Iterator[None]:
    try:
        yield
    except _DAMAGED as exc:
        raise InvalidArchive(f"The entry {name!r} is damaged ({exc}).") from exc


def _checked_entries(
    infos: list[zipfile.ZipInfo], limits: ArchiveLimits, *, archive_size: int
) -> dict[str, zipfile.ZipInfo]:
    if len(infos) > limits.max_entries:
        raise UnsafeArchive(f"The archive has more than {limits.max_entries} entries.")
    entries: dict[str, zipfile.ZipInfo] = {}
    declared = 0
    for info in infos:
        name = info.filename
        _check_name(info)
        if name in entries:
            raise UnsafeArchive(f"The archive holds the entry {name!r} twice.")
        if info.flag_bits & 0x1:
            raise UnsafeArchive("Encrypted archives are not accepted.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafeArchive(f"The entry {name!r} uses an unsupported compression method.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UnsafeArchive(f"The entry {name!r} is a symbolic link.")
        declared += info.file_size
        if declared > limits.max_unpacked_bytes:
            raise UnsafeArchive(
                f"The archive unpacks to more than {limits.max_unpacked_bytes} bytes."
            )
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise UnsafeArchive(f"The entry {name!r} is compressed suspiciously well (a zip bomb).")
        entries[name] = info
    _check_no_overlap(infos, archive_size)
    return entries


def _check_name(info: zipfile.ZipInfo) -> None:
    # orig_filename is the name as stored; zipfile cuts filename at a null byte.
    raw = info.orig_filename
    path = PurePosixPath(raw)
    if (
        not raw
        or raw.startswith("/")
        or "\\" in raw
        or ".." in path.parts
        or ":" in raw
        or any(ord(char) < 0x20 or ord(char) == 0x7F for char in raw)
    ):
        raise UnsafeArchive(f"The archive holds an unsafe path: {raw[:100]!r}.", entry=raw[:200])


def _check_no_overlap(infos: list[zipfile.ZipInfo], archive_size: int) -> None:
    """Refuses entries whose data overlap (several names unpacking the same compressed bytes)
    or reach past the end of the file."""
    ordered = sorted(infos, key=lambda info: info.header_offset)
    for info, following in zip(ordered, [*ordered[1:], None], strict=True):
        end = info.header_offset + LOCAL_HEADER_BYTES + info.compress_size
        if end > (following.header_offset if following is not None else archive_size):
            raise UnsafeArchive(f"The entry {info.filename!r} overlaps another (a zip bomb).")


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry whose bytes are streamed from media storage."""

    name: str
    key: str
    size: int


class _Sink(io.RawIOBase):
    """Where zipfile writes: collects the bytes until the stream sends them on. Not seekable,
    so zipfile writes sizes and CRCs after each entry's data (data descriptors)."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._buffer += data
        return len(data)

    def take(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


def _info(name: str, written_at: datetime, compress_type: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=written_at.timetuple()[:6])
    info.compress_type = compress_type
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


async def stream_archive(
    *,
    storage: Storage,
    documents: list[tuple[str, bytes]],
    stored: list[StoredEntry],
    written_at: datetime,
) -> AsyncIterator[bytes]:
    """The zip file of ``documents`` (deflated) and ``stored`` (stored as they are: media files
    are compressed already), produced piece by piece: nothing is held whole in memory but the
    documents."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", allowZip64=True) as archive:  # type: ignore[arg-type]
        for name, data in documents:
            info = _info(name, written_at, zipfile.ZIP_DEFLATED)
            await anyio.to_thread.run_sync(archive.writestr, info, data)
            yield sink.take()
        for entry in stored:
            info = _info(entry.name, written_at, zipfile.ZIP_STORED)
            info.file_size = entry.size  # decides whether the entry needs zip64 sizes
            target: IO[bytes]
            with archive.open(info, "w") as target:
                async for chunk in await storage.open_range(entry.key, 0, entry.size):
                    target.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()
