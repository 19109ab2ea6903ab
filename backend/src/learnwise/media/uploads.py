"""Uploads: a file sent whole in one request body, or resumably in chunks (for large videos and
unreliable connections). Both end in storing.check_and_store, so a completed resumable upload is
checked, deduplicated and counted exactly as a single one.

A chunk is spooled before any transaction begins, then appended under the upload's row lock at
the offset the client named; the chunk that completes the file is assembled with the stored ones
into one spooled file, which is then stored like a single upload.
"""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.service import Principal
from learnwise.config import MediaSettings
from learnwise.db import after_commit, new_id, utcnow
from learnwise.media.exceptions import (
    ChunkTooLarge,
    EmptyFile,
    FileTooLarge,
    UploadExpired,
    UploadFinished,
    UploadNotFound,
    UploadOffsetMismatch,
    UploadOverflow,
)
from learnwise.media.models import Media, MediaUpload
from learnwise.media.processing import SpooledFile, read_file, spool, sweep_spool
from learnwise.media.sniffing import clean_filename
from learnwise.media.storing import check_and_store, enforce_quota, lock_owner, remove_files
from learnwise.platform.runtime import Runtime
from learnwise.platform.storage import Storage

PURGE_BATCH = 50
# A spooled file lives as long as its request; one this much older than the upload expiry was
# left by a process that stopped.
SPOOL_GRACE_HOURS = 24


@dataclass(frozen=True, slots=True)
class UploadState:
    upload: MediaUpload
    media: Media | None = None


@dataclass(slots=True)
class _LastChunk:
    """Completes a resumable upload when the file its chunks make is stored."""

    storage: Storage
    principal: Principal
    upload_id: uuid.UUID
    offset: int
    upload: MediaUpload | None = None

    async def claim(self, session: AsyncSession) -> None:
        self.upload = await _find_upload(session, self.principal, self.upload_id, lock=True)
        _check_offset(self.upload, self.offset)

    async def complete(self, session: AsyncSession, media: Media) -> None:
        assert self.upload is not None
        self.upload.received_bytes = self.upload.size_bytes
        self.upload.media_id = media.media_id
        await session.flush()
        storage, prefix = self.storage, f"{self.upload.staging_key}/"
        after_commit(session, lambda: storage.delete_prefix(prefix))


async def upload_media(
    *,
    runtime: Runtime,
    session: AsyncSession,
    principal: Principal,
    filename: str,
    declared_size: int | None,
    chunks: AsyncIterator[bytes],
) -> Media:
    """Stores a file sent whole in one request body."""
    settings = runtime.settings.media
    name = clean_filename(filename)
    if declared_size is not None:
        _check_file_size(settings, declared_size)
        async with runtime.sessionmaker() as peek:
            await enforce_quota(peek, principal, settings, declared_size)
    spooled = await spool(
        chunks,
        runtime.storage.temp_dir,
        max_bytes=settings.max_file_bytes,
        too_large=lambda: FileTooLarge(f"Files may be at most {settings.max_file_bytes} bytes."),
    )
    return await check_and_store(
        runtime=runtime, session=session, principal=principal, name=name, spooled=spooled
    )


async def start_upload(
    *, runtime: Runtime, session: AsyncSession, principal: Principal, filename: str, size: int
) -> MediaUpload:
    """Starts a resumable upload of ``size`` bytes; its size counts against the quota until
    it completes or expires."""
    settings = runtime.settings.media
    name = clean_filename(filename)
    _check_file_size(settings, size)
    await purge_expired_uploads(runtime=runtime, session=session)
    await lock_owner(session, principal.user_id)
    await enforce_quota(session, principal, settings, size)
    upload_id = new_id()
    upload = MediaUpload(
        upload_id=upload_id,
        owner_id=principal.user_id,
        original_filename=name,
        size_bytes=size,
        received_bytes=0,
        staging_key=f"uploads/{upload_id}",
        expires_at=utcnow() + timedelta(hours=settings.upload_expiry_hours),
    )
    session.add(upload)
    await session.flush()
    return upload


async def get_upload(
    *, session: AsyncSession, principal: Principal, upload_id: uuid.UUID
) -> UploadState:
    upload = await _find_upload(session, principal, upload_id)
    media = await session.get(Media, upload.media_id) if upload.media_id else None
    return UploadState(upload, media)


async def append_chunk(
    *,
    runtime: Runtime,
    session: AsyncSession,
    principal: Principal,
    upload_id: uuid.UUID,
    offset: int,
    declared_length: int | None,
    chunks: AsyncIterator[bytes],
) -> UploadState:
    """Appends the chunk that starts at ``offset``; the chunk that completes the file stores it
    as a single upload would (checks, dedupe, quota) and the state then names the media."""
    settings = runtime.settings.media
    if declared_length is not None and declared_length > settings.chunk_bytes:
        raise ChunkTooLarge(f"A chunk may be at most {settings.chunk_bytes} bytes.")
    async with runtime.sessionmaker() as peek:
        upload = await _find_upload(peek, principal, upload_id)
    _check_offset(upload, offset)
    remaining = upload.size_bytes - offset
    spooled = await spool(
        chunks,
        runtime.storage.temp_dir,
        max_bytes=min(settings.chunk_bytes, remaining),
        too_large=lambda: (
            UploadOverflow(f"Only {remaining} bytes remain of the declared size.")
            if remaining <= settings.chunk_bytes
            else ChunkTooLarge(f"A chunk may be at most {settings.chunk_bytes} bytes.")
        ),
    )
    try:
        if spooled.size < remaining:
            return UploadState(await _record_chunk(runtime, session, upload_id, offset, spooled))
        whole = await spool(
            _assembled(runtime.storage, upload, offset, spooled),
            runtime.storage.temp_dir,
            max_bytes=upload.size_bytes,
            too_large=lambda: UploadOverflow("The chunks exceed the declared size."),
        )
    finally:
        await remove_files(spooled.path)
    media = await check_and_store(
        runtime=runtime,
        session=session,
        principal=principal,
        name=upload.original_filename,
        spooled=whole,
        finishing=_LastChunk(runtime.storage, principal, upload_id, offset),
    )
    return UploadState(await _find_upload(session, principal, upload_id), media)


async def cancel_upload(
    *, runtime: Runtime, session: AsyncSession, principal: Principal, upload_id: uuid.UUID
) -> None:
    upload = await session.get(MediaUpload, upload_id)
    if upload is None or upload.owner_id != principal.user_id:
        raise UploadNotFound("No such upload.")
    await session.delete(upload)
    await session.flush()
    storage, prefix = runtime.storage, f"{upload.staging_key}/"
    after_commit(session, lambda: storage.delete_prefix(prefix))


async def purge_expired_uploads(
    *, runtime: Runtime, session: AsyncSession, limit: int = PURGE_BATCH
) -> int:
    """Forgets up to ``limit`` expired uploads and, once that commits, deletes their chunks;
    also removes spooled files that a crashed process left in this instance's temporary
    directory. Run on every new upload; a job may call it too."""
    stale = timedelta(hours=runtime.settings.media.upload_expiry_hours + SPOOL_GRACE_HOURS)
    await anyio.to_thread.run_sync(sweep_spool, runtime.storage.temp_dir, stale)
    expired = list(
        await session.scalars(
            select(MediaUpload).where(MediaUpload.expires_at < utcnow()).limit(limit)
        )
    )
    for upload in expired:
        await session.delete(upload)
    if expired:
        await session.flush()
        storage = runtime.storage
        prefixes = [f"{upload.staging_key}/" for upload in expired]

        async def delete_chunks() -> None:
            for prefix in prefixes:
                await storage.delete_prefix(prefix)

        after_commit(session, delete_chunks)
    return len(expired)


def _check_file_size(settings: MediaSettings, size: int) -> None:
    if size == 0:
        raise EmptyFile("The file is empty.")
    if size > settings.max_file_bytes:
        raise FileTooLarge(f"Files may be at most {settings.max_file_bytes} bytes.")


async def _find_upload(
    session: AsyncSession, principal: Principal, upload_id: uuid.UUID, *, lock: bool = False
) -> MediaUpload:
    query = select(MediaUpload).where(MediaUpload.upload_id == upload_id)
    upload = await session.scalar(query.with_for_update() if lock else query)
    if upload is None or upload.owner_id != principal.user_id:
        raise UploadNotFound("No such upload.")
    if upload.received_bytes < upload.size_bytes and upload.expires_at <= utcnow():
        raise UploadExpired("The upload has expired; start a new one.")
    return upload


def _check_offset(upload: MediaUpload, offset: int) -> None:
    if upload.received_bytes >= upload.size_bytes:
        raise UploadFinished("The upload is already complete.")
    if offset != upload.received_bytes:
        raise UploadOffsetMismatch(
            upload.received_bytes,
            f"The upload stands at byte {upload.received_bytes}; send the chunk from there.",
        )


def _chunk_key(upload: MediaUpload, offset: int) -> str:
    return f"{upload.staging_key}/{offset:016d}"


async def _record_chunk(
    runtime: Runtime,
    session: AsyncSession,
    upload_id: uuid.UUID,
    offset: int,
    chunk: SpooledFile,
) -> MediaUpload:
    upload = await session.scalar(
        select(MediaUpload).where(MediaUpload.upload_id == upload_id).with_for_update()
    )
    if upload is None:
        raise UploadNotFound("No such upload.")
    _check_offset(upload, offset)
    if chunk.size:
        # Under the row lock: a chunk for this offset is written by one request at a time, and
        # a failed commit leaves an object that the retry at the same offset overwrites.
        await runtime.storage.put_file(
            _chunk_key(upload, offset), chunk.path, content_type="application/octet-stream"
        )
        upload.received_bytes = offset + chunk.size
        await session.flush()
    return upload


async def _assembled(
    storage: Storage, upload: MediaUpload, offset: int, last: SpooledFile
) -> AsyncIterator[bytes]:
    """The stored chunks before ``offset``, in order, then the last chunk."""
    sizes = {
        stored.key: stored.size for stored in await storage.list_prefix(f"{upload.staging_key}/")
    }
    position = 0
    while position < offset:
        size = sizes.get(_chunk_key(upload, position))
        if not size:
            raise RuntimeError(f"upload {upload.upload_id} lost its chunk at byte {position}")
        async for data in await storage.open_range(_chunk_key(upload, position), 0, size):
            yield data
        position += size
    async for data in read_file(last.path):
        yield data
