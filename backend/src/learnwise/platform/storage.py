"""Object storage for uploaded files: one async interface over the local filesystem (the
embedded default) and any S3-compatible store.

Keys are always made by the server (``blobs/ab/<checksum>/<token>``); a name a user gave never
becomes a path. Reads are byte ranges streamed in chunks, so a download never holds a whole file
in memory either.
"""

import asyncio
import contextlib
import errno
import os
import re
import secrets
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

from learnwise.config import MediaSettings

READ_CHUNK_BYTES = 256 * 1024
# Files up to this size go up in one request; larger ones in parts of this size (S3 allows
# at most 10,000 parts, so 16 MiB parts reach 160 GB).
S3_PART_BYTES = 16 * 1024 * 1024
_VALID_KEY = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")


class ObjectNotFound(LookupError):
    """The storage holds no object under this key."""


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int


def check_key(key: str) -> str:
    """A server-made key: lowercase segments of letters, digits, '.', '_' and '-'; no '..'."""
    if not _VALID_KEY.fullmatch(key) or ".." in key or len(key) > 255:
        raise ValueError(f"invalid storage key {key!r}")
    return key


class Storage(ABC):
    """Where media bytes live. Every method is safe to call concurrently."""

    def __init__(self, temp_dir: Path) -> None:
        # Uploads are spooled here while they are checked.
        self.temp_dir = temp_dir

    @abstractmethod
    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        """Stores the file under ``key``. The file may be moved away rather than copied."""

    @abstractmethod
    async def put_bytes(self, key: str, data: bytes, *, content_type: str) -> None:
        """Stores a small object (a thumbnail)."""

    @abstractmethod
    async def open_range(self, key: str, start: int, length: int) -> AsyncIterator[bytes]:
        """Opens ``length`` bytes from ``start``; raises ObjectNotFound before any byte is sent.
        The returned iterator yields the bytes in chunks."""

    @abstractmethod
    async def list_prefix(self, prefix: str) -> list[StoredObject]:
        """The objects whose keys start with ``prefix`` (which ends with '/')."""

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Deletes the object; a missing one is not an error."""

    async def delete_prefix(self, prefix: str) -> None:
        for stored in await self.list_prefix(prefix):
            await self.delete(stored.key)

    @abstractmethod
    async def close(self) -> None:
        """Releases connections."""


class LocalStorage(Storage):
    """Objects as files under one root directory, written atomically (a temporary name, then a
    rename), so a reader never sees half a file."""

    def __init__(self, root: Path, temp_dir: Path | None = None) -> None:
        self.root = root.resolve()
        super().__init__(temp_dir or self.root / "tmp")

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"storage key {key!r} leaves the media root")
        return path

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        await anyio.to_thread.run_sync(self._move_into_place, path, self._path(key))

    @staticmethod
    def _move_into_place(source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            # Another filesystem: copy under a temporary name beside the target, then rename.
            partial = target.with_name(f"{target.name}.{secrets.token_hex(6)}.part")
            try:
                shutil.copyfile(source, partial)
                os.replace(partial, target)
            finally:
                partial.unlink(missing_ok=True)

    async def put_bytes(self, key: str, data: bytes, *, content_type: str) -> None:
        await anyio.to_thread.run_sync(self._write_bytes, self._path(key), data)

    @staticmethod
    def _write_bytes(target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{secrets.token_hex(6)}.part")
        try:
            partial.write_bytes(data)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)

    async def open_range(self, key: str, start: int, length: int) -> AsyncIterator[bytes]:
        try:
            handle = await anyio.open_file(self._path(key), "rb")
        except FileNotFoundError as exc:
            raise ObjectNotFound(key) from exc
        return self._read(handle, start, length)

    @staticmethod
    async def _read(
        handle: anyio.AsyncFile[bytes], start: int, length: int
    ) -> AsyncIterator[bytes]:
        async with handle:
            await handle.seek(start)
            remaining = length
            while remaining > 0:
                chunk = await handle.read(min(READ_CHUNK_BYTES, remaining))
                if not chunk:
                    raise ObjectNotFound("the object is shorter than its recorded size")
                remaining -= len(chunk)
                yield chunk

    async def list_prefix(self, prefix: str) -> list[StoredObject]:
        return await anyio.to_thread.run_sync(self._list, prefix)

    def _list(self, prefix: str) -> list[StoredObject]:
        directory = self._path(prefix.rstrip("/"))
        if not directory.is_dir():
            return []
        return sorted(
            (
                StoredObject(path.relative_to(self.root).as_posix(), path.stat().st_size)
                for path in directory.rglob("*")
                if path.is_file() and not path.name.endswith(".part")
            ),
            key=lambda stored: stored.key,
        )

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))

    async def delete_prefix(self, prefix: str) -> None:
        directory = self._path(prefix.rstrip("/"))
        await anyio.to_thread.run_sync(lambda: shutil.rmtree(directory, ignore_errors=True))

    async def close(self) -> None:
        """Nothing to release: files are opened per read."""


class S3Storage(Storage):
    """Objects in one bucket of an S3-compatible store. The client is made on first use, in the
    running event loop, and shared by every request of the instance."""

    def __init__(self, settings: MediaSettings, temp_dir: Path | None = None) -> None:
        super().__init__(temp_dir or Path(tempfile.gettempdir()) / "learnwise-media")
        self.bucket = settings.s3_bucket
        secret = settings.s3_secret_access_key
        self._client_options: dict[str, Any] = {
            "region_name": settings.s3_region,
            "endpoint_url": settings.s3_endpoint_url,
            "aws_access_key_id": settings.s3_access_key_id,
            "aws_secret_access_key": secret.get_secret_value() if secret else None,
            "config": AioConfig(
                signature_version="s3v4",
                s3={"addressing_style": settings.s3_addressing_style},
                retries={"max_attempts": 3, "mode": "standard"},
                # Checksums only where S3 requires them: several S3-compatible stores reject
                # the newer default ones.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        }
        self._client: Any = None
        self._exit_stack = AsyncExitStack()
        self._lock = asyncio.Lock()

    async def _s3(self) -> Any:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    self._client = await self._exit_stack.enter_async_context(
                        get_session().create_client("s3", **self._client_options)
                    )
        return self._client

    async def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        check_key(key)
        size = (await anyio.Path(path).stat()).st_size
        if size <= S3_PART_BYTES:
            data = await anyio.to_thread.run_sync(path.read_bytes)
            await self.put_bytes(key, data, content_type=content_type)
            return
        await self._put_multipart(key, path, content_type=content_type)

    async def _put_multipart(self, key: str, path: Path, *, content_type: str) -> None:
        client = await self._s3()
        upload = await client.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=content_type
        )
        upload_id = upload["UploadId"]
        parts = []
        try:
            async with await anyio.open_file(path, "rb") as source:
                number = 1
                while data := await source.read(S3_PART_BYTES):
                    part = await client.upload_part(
                        Bucket=self.bucket,
                        Key=key,
                        UploadId=upload_id,
                        PartNumber=number,
                        Body=data,
                    )
                    parts.append({"PartNumber": number, "ETag": part["ETag"]})
                    number += 1
            await client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise

    async def put_bytes(self, key: str, data: bytes, *, content_type: str) -> None:
        client = await self._s3()
        await client.put_object(
            Bucket=self.bucket, Key=check_key(key), Body=data, ContentType=content_type
        )

    async def open_range(self, key: str, start: int, length: int) -> AsyncIterator[bytes]:
        client = await self._s3()
        try:
            response = await client.get_object(
                Bucket=self.bucket,
                Key=check_key(key),
                Range=f"bytes={start}-{start + length - 1}",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise ObjectNotFound(key) from exc
            raise
        return self._read(response["Body"])

    @staticmethod
    async def _read(body: Any) -> AsyncIterator[bytes]:
        try:
            async for chunk in body.iter_chunks(READ_CHUNK_BYTES):
                yield chunk
        finally:
            body.close()

    async def list_prefix(self, prefix: str) -> list[StoredObject]:
        client = await self._s3()
        found: list[StoredObject] = []
        paginator = client.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            found.extend(
                StoredObject(item["Key"], item["Size"]) for item in page.get("Contents", [])
            )
        return sorted(found, key=lambda stored: stored.key)

    async def delete(self, key: str) -> None:
        client = await self._s3()
        await client.delete_object(Bucket=self.bucket, Key=check_key(key))

    async def close(self) -> None:
        await self._exit_stack.aclose()
        self._client = None


def build_storage(settings: MediaSettings) -> Storage:
    if settings.storage == "s3":
        return S3Storage(settings, settings.temp_dir)
    return LocalStorage(settings.local_root, settings.temp_dir)
