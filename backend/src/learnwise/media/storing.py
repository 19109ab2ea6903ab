"""Storing a checked file: its bytes once per checksum, its record, and the owner's quota.

The order never loses a file and never leaves a half-made record:

1. the bytes were spooled to a temporary file, hashed and counted before any transaction began
   (so a slow upload holds no lock), and checked and cleaned in a worker thread;
2. unless a blob with that checksum exists, the file is stored under a fresh, unique key;
3. one short transaction records the blob (or reuses the one found) and the media row, with the
   quota checked under a per-owner lock.

A failure in 3 deletes what 2 stored; objects are deleted only after the transaction that
stopped using them commits, and every stored object has a key of its own, so deleting one can
never remove bytes that another record still points to.
"""

import secrets
import uuid
from pathlib import Path
from typing import Any, Protocol

import anyio
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.config import MediaSettings
from learnwise.db import after_commit, utcnow
from learnwise.media.exceptions import QuotaExceeded
from learnwise.media.images import THUMBNAIL_CONTENT_TYPE
from learnwise.media.models import Media, MediaBlob, MediaUpload
from learnwise.media.processing import CheckedFile, SpooledFile, check_file
from learnwise.platform.runtime import Runtime
from learnwise.platform.storage import Storage


class Finishing(Protocol):
    """The resumable upload that the file being stored completes."""

    upload_id: uuid.UUID

    async def claim(self, session: AsyncSession) -> None:
        """Locks the upload and checks that it still awaits this file."""

    async def complete(self, session: AsyncSession, media: Media) -> None:
        """Records that the upload became ``media``."""


async def check_and_store(
    *,
    runtime: Runtime,
    session: AsyncSession,
    principal: Principal,
    name: str,
    spooled: SpooledFile,
    finishing: Finishing | None = None,
) -> Media:
    checked: CheckedFile | None = None
    try:
        checked = await anyio.to_thread.run_sync(check_file, spooled, name, runtime.settings.media)
        return await _store(
            runtime=runtime,
            session=session,
            principal=principal,
            name=name,
            checked=checked,
            finishing=finishing,
        )
    finally:
        await remove_files(spooled.path, checked.path if checked else None)


async def _store(
    *,
    runtime: Runtime,
    session: AsyncSession,
    principal: Principal,
    name: str,
    checked: CheckedFile,
    finishing: Finishing | None,
) -> Media:
    storage = runtime.storage
    stored_keys: list[str] = []
    async with runtime.sessionmaker() as peek:
        known = await peek.scalar(select(exists().where(MediaBlob.checksum == checked.checksum)))
    if not known:
        stored_keys.append(await _put_blob(storage, checked))
    try:
        media = await _record(
            runtime=runtime,
            session=session,
            principal=principal,
            name=name,
            checked=checked,
            finishing=finishing,
            stored_keys=stored_keys,
        )
    except BaseException:
        with anyio.CancelScope(shield=True):
            await delete_blobs(storage, stored_keys)
        raise
    return media


async def _record(
    *,
    runtime: Runtime,
    session: AsyncSession,
    principal: Principal,
    name: str,
    checked: CheckedFile,
    finishing: Finishing | None,
    stored_keys: list[str],
) -> Media:
    await lock_owner(session, principal.user_id)
    if finishing is not None:
        await finishing.claim(session)
    await enforce_quota(
        session,
        principal,
        runtime.settings.media,
        checked.size,
        excluding_upload=finishing.upload_id if finishing else None,
    )
    blob = await session.scalar(
        select(MediaBlob).where(MediaBlob.checksum == checked.checksum).with_for_update()
    )
    if blob is None:
        if not stored_keys:  # deleted since it was looked up
            stored_keys.append(await _put_blob(runtime.storage, checked))
        blob = await _insert_blob(session, checked, stored_keys[0])
    thumbnail_key, details = await _presentation(session, blob, checked)
    if stored_keys and blob.storage_key not in stored_keys:
        # Another upload stored the same bytes first: ours are not needed.
        storage, unused = runtime.storage, list(stored_keys)
        after_commit(session, lambda: delete_blobs(storage, unused))
    media = Media(
        owner_id=principal.user_id,
        checksum=blob.checksum,
        kind=checked.file_type.kind,
        content_type=checked.file_type.content_type,
        size_bytes=blob.size_bytes,
        original_filename=name,
        thumbnail_key=thumbnail_key,
        details=details,
    )
    session.add(media)
    await session.flush()
    if finishing is not None:
        await finishing.complete(session, media)
    return media


async def _insert_blob(session: AsyncSession, checked: CheckedFile, key: str) -> MediaBlob:
    blob = MediaBlob(
        checksum=checked.checksum,
        storage_key=key,
        size_bytes=checked.size,
        content_type=checked.file_type.content_type,
    )
    try:
        async with session.begin_nested():
            session.add(blob)
    except IntegrityError:
        # A concurrent upload of the same bytes recorded its blob first.
        existing = await session.scalar(
            select(MediaBlob).where(MediaBlob.checksum == checked.checksum).with_for_update()
        )
        if existing is None:
            raise
        return existing
    return blob


async def _presentation(
    session: AsyncSession, blob: MediaBlob, checked: CheckedFile
) -> tuple[str | None, dict[str, Any]]:
    """The thumbnail and details of a stored blob: those recorded with it when it is not new
    (so that they describe the thumbnail actually stored), else the checked file's."""
    if checked.thumbnail is None:
        return None, checked.details
    known = (
        await session.execute(
            select(Media.thumbnail_key, Media.details)
            .where(Media.checksum == blob.checksum, Media.thumbnail_key.is_not(None))
            .limit(1)
        )
    ).first()
    if known is not None:
        return known.thumbnail_key, known.details
    return thumbnail_key_of(blob.storage_key), checked.details


def thumbnail_key_of(storage_key: str) -> str:
    return f"{storage_key}.thumb.webp"


async def _put_blob(storage: Storage, checked: CheckedFile) -> str:
    key = f"blobs/{checked.checksum[:2]}/{checked.checksum}/{secrets.token_hex(8)}"
    try:
        if checked.thumbnail is not None:
            await storage.put_bytes(
                thumbnail_key_of(key), checked.thumbnail, content_type=THUMBNAIL_CONTENT_TYPE
            )
        await storage.put_file(key, checked.path, content_type=checked.file_type.content_type)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await delete_blobs(storage, [key])
        raise
    return key


async def delete_blobs(storage: Storage, keys: list[str]) -> None:
    for key in keys:
        await storage.delete(key)
        await storage.delete(thumbnail_key_of(key))


async def remove_files(*paths: Path | None) -> None:
    def remove() -> None:
        for path in paths:
            if path is not None:
                path.unlink(missing_ok=True)

    await anyio.to_thread.run_sync(remove)


async def lock_owner(session: AsyncSession, owner_id: uuid.UUID) -> None:
    """Serialises one owner's quota checks. SQLite needs nothing: every transaction there takes
    the write lock when it begins."""
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(owner_id.bytes[:8], "big", signed=True)
        await session.execute(select(func.pg_advisory_xact_lock(key)))


async def used_bytes(
    session: AsyncSession, owner_id: uuid.UUID, *, excluding_upload: uuid.UUID | None = None
) -> int:
    """What counts against the owner's quota: their files, and the declared sizes of their
    unfinished, unexpired resumable uploads."""
    stored = await session.scalar(
        select(func.coalesce(func.sum(Media.size_bytes), 0)).where(Media.owner_id == owner_id)
    )
    pending = select(func.coalesce(func.sum(MediaUpload.size_bytes), 0)).where(
        MediaUpload.owner_id == owner_id,
        MediaUpload.media_id.is_(None),
        MediaUpload.received_bytes < MediaUpload.size_bytes,
        MediaUpload.expires_at > utcnow(),
    )
    if excluding_upload is not None:
        pending = pending.where(MediaUpload.upload_id != excluding_upload)
    return int(stored or 0) + int(await session.scalar(pending) or 0)


async def enforce_quota(
    session: AsyncSession,
    principal: Principal,
    settings: MediaSettings,
    adding: int,
    *,
    excluding_upload: uuid.UUID | None = None,
) -> None:
    if principal.can(Permission.COURSE_WRITE_ANY):  # admins have no quota
        return
    used = await used_bytes(session, principal.user_id, excluding_upload=excluding_upload)
    if used + adding > settings.quota_bytes:
        raise QuotaExceeded(
            f"This would use {used + adding} of your {settings.quota_bytes} bytes of storage; "
            "delete files you no longer need.",
            quota_bytes=settings.quota_bytes,
            used_bytes=used,
        )
