"""Media files: uploads (in one request or resumable in chunks), who may read them, downloads,
signed URLs and deletion.

Storing happens in an order that never loses a file and never leaves a half-made record:

1. the bytes are spooled to a temporary file, hashed and counted (no transaction is open yet,
   so a slow upload holds no lock);
2. the content is checked and cleaned in a worker thread;
3. unless a blob with that checksum exists, the file is stored under a fresh, unique key;
4. one short transaction records the blob (or reuses the one found) and the media row, with the
   quota checked under a per-owner lock.

A failure in 4 deletes what 3 stored; objects are deleted only after the transaction that
stopped using them commits, and every stored object has a key of its own, so deleting one can
never remove bytes that another record still points to.

Other domains extend who may read a file and whether it is in use through two hooks,
``register_read_grant`` and ``register_use_check`` (content registers both: a learner may read
the media of the published items of courses they take; media used by content is not deleted).
"""

import secrets
import time
import uuid
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

import anyio
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.config import MediaSettings, Settings
from learnwise.db import after_commit, new_id, utcnow
from learnwise.errors import InvalidInput
from learnwise.media import signing
from learnwise.media.exceptions import (
    ChunkTooLarge,
    EmptyFile,
    FileTooLarge,
    MediaAccessDenied,
    MediaInUse,
    MediaKindMismatch,
    MediaNotFound,
    QuotaExceeded,
    UploadExpired,
    UploadFinished,
    UploadNotFound,
    UploadOffsetMismatch,
    UploadOverflow,
)
from learnwise.media.images import THUMBNAIL_CONTENT_TYPE
from learnwise.media.models import Media, MediaBlob, MediaUpload
from learnwise.media.processing import CheckedFile, SpooledFile, check_file, read_file, spool
from learnwise.media.sniffing import FILE_TYPES, clean_filename
from learnwise.platform.runtime import Runtime
from learnwise.platform.storage import Storage

MEDIA_PATH = "/api/v1/media"
PURGE_BATCH = 50

# ---------------------------------------------------------------------------------------------
# Hooks for other domains


class MediaReadGrant(Protocol):
    """Says whether ``principal`` may read ``media`` beyond its owner and admins."""

    async def __call__(
        self, *, session: AsyncSession, principal: Principal, media: Media
    ) -> bool: ...


class MediaUseCheck(Protocol):
    """Names what uses ``media`` (for example "the video item 'Intro'"), or returns None."""

    async def __call__(self, *, session: AsyncSession, media: Media) -> str | None: ...


_read_grants: list[MediaReadGrant] = []
_use_checks: list[MediaUseCheck] = []


def register_read_grant(grant: MediaReadGrant) -> None:
    """Lets more people read media (call once, at import of the registering module)."""
    if grant not in _read_grants:
        _read_grants.append(grant)


def register_use_check(check: MediaUseCheck) -> None:
    """Refuses the deletion of media that ``check`` finds in use."""
    if check not in _use_checks:
        _use_checks.append(check)


# ---------------------------------------------------------------------------------------------
# Access


def is_admin(principal: Principal) -> bool:
    return principal.can(Permission.COURSE_WRITE_ANY)


def manages(principal: Principal, media: Media) -> bool:
    """The owner and admins manage a file (sign its URLs for anyone, delete it)."""
    return media.owner_id == principal.user_id or is_admin(principal)


async def can_read_media(*, session: AsyncSession, principal: Principal, media: Media) -> bool:
    if manages(principal, media):
        return True
    for grant in _read_grants:
        if await grant(session=session, principal=principal, media=media):
            return True
    return False


async def get_media_for_read(
    *, session: AsyncSession, principal: Principal, media_id: uuid.UUID
) -> Media:
    """The file if the caller may read it; MediaNotFound otherwise, as if it did not exist."""
    media = await session.get(Media, media_id)
    if media is None or not await can_read_media(session=session, principal=principal, media=media):
        raise MediaNotFound("No such media file.")
    return media


async def get_media_for_write(
    *, session: AsyncSession, principal: Principal, media_id: uuid.UUID
) -> Media:
    media = await get_media_for_read(session=session, principal=principal, media_id=media_id)
    if not manages(principal, media):
        raise MediaAccessDenied("Only the file's owner and admins may change it.")
    return media


async def get_attachable_media(
    *,
    session: AsyncSession,
    principal: Principal,
    media_id: uuid.UUID,
    kinds: Collection[str] | None = None,
    content_types: Collection[str] | None = None,
) -> Media:
    """For content that points at a file (a video item, a course cover): the file, if the
    caller may read it and it is of one of ``kinds`` ("image", "video", "audio", "document",
    "text") and ``content_types``."""
    media = await get_media_for_read(session=session, principal=principal, media_id=media_id)
    if kinds is not None and media.kind not in kinds:
        raise MediaKindMismatch(f"Expected {' or '.join(sorted(kinds))}, got {media.kind}.")
    if content_types is not None and media.content_type not in content_types:
        raise MediaKindMismatch(f"Expected {', '.join(sorted(content_types))}.")
    return media


async def list_media(
    *, session: AsyncSession, principal: Principal, offset: int, limit: int
) -> tuple[list[Media], int]:
    """The caller's own files, newest first."""
    mine = Media.owner_id == principal.user_id
    total = await session.scalar(select(func.count()).select_from(Media).where(mine)) or 0
    items = await session.scalars(
        select(Media)
        .where(mine)
        .order_by(Media.created_at.desc(), Media.media_id)
        .offset(offset)
        .limit(limit)
    )
    return list(items), total


# ---------------------------------------------------------------------------------------------
# Uploads


@dataclass(frozen=True, slots=True)
class UploadState:
    upload: MediaUpload
    media: Media | None = None


@dataclass(frozen=True, slots=True)
class _Finishing:
    """The resumable upload whose last chunk completes the file being stored."""

    upload_id: uuid.UUID
    offset: int


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
            await _enforce_quota(peek, principal, settings, declared_size)
    spooled = await spool(
        chunks,
        runtime.storage.temp_dir,
        max_bytes=settings.max_file_bytes,
        too_large=lambda: FileTooLarge(f"Files may be at most {settings.max_file_bytes} bytes."),
    )
    return await _check_and_store(
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
    await _lock_owner(session, principal.user_id)
    await _enforce_quota(session, principal, settings, size)
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
        await _remove(spooled.path)
    media = await _check_and_store(
        runtime=runtime,
        session=session,
        principal=principal,
        name=upload.original_filename,
        spooled=whole,
        finishing=_Finishing(upload_id, offset),
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
    """Forgets up to ``limit`` expired uploads and, once that commits, deletes their chunks.
    Run on every new upload; a job may call it too."""
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


# ---------------------------------------------------------------------------------------------
# Storing a checked file


async def _check_and_store(
    *,
    runtime: Runtime,
    session: AsyncSession,
    principal: Principal,
    name: str,
    spooled: SpooledFile,
    finishing: _Finishing | None = None,
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
        await _remove(spooled.path, checked.path if checked else None)


async def _store(
    *,
    runtime: Runtime,
    session: AsyncSession,
    principal: Principal,
    name: str,
    checked: CheckedFile,
    finishing: _Finishing | None,
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
            await _delete_blobs(storage, stored_keys)
        raise
    return media


async def _record(
    *,
    runtime: Runtime,
    session: AsyncSession,
    principal: Principal,
    name: str,
    checked: CheckedFile,
    finishing: _Finishing | None,
    stored_keys: list[str],
) -> Media:
    upload = None
    await _lock_owner(session, principal.user_id)
    if finishing is not None:
        upload = await _find_upload(session, principal, finishing.upload_id, lock=True)
        _check_offset(upload, finishing.offset)
    await _enforce_quota(
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
        after_commit(session, lambda: _delete_blobs(storage, unused))
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
    if upload is not None:
        upload.received_bytes = upload.size_bytes
        upload.media_id = media.media_id
        await session.flush()
        storage, prefix = runtime.storage, f"{upload.staging_key}/"
        after_commit(session, lambda: storage.delete_prefix(prefix))
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
) -> tuple[str | None, dict]:
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
            await _delete_blobs(storage, [key])
        raise
    return key


async def _delete_blobs(storage: Storage, keys: list[str]) -> None:
    for key in keys:
        await storage.delete(key)
        await storage.delete(thumbnail_key_of(key))


async def _remove(*paths: Path | None) -> None:
    def remove() -> None:
        for path in paths:
            if path is not None:
                path.unlink(missing_ok=True)

    await anyio.to_thread.run_sync(remove)


# ---------------------------------------------------------------------------------------------
# Quota


async def _lock_owner(session: AsyncSession, owner_id: uuid.UUID) -> None:
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


async def _enforce_quota(
    session: AsyncSession,
    principal: Principal,
    settings: MediaSettings,
    adding: int,
    *,
    excluding_upload: uuid.UUID | None = None,
) -> None:
    if is_admin(principal):
        return
    used = await used_bytes(session, principal.user_id, excluding_upload=excluding_upload)
    if used + adding > settings.quota_bytes:
        raise QuotaExceeded(
            f"This would use {used + adding} of your {settings.quota_bytes} bytes of storage; "
            "delete files you no longer need.",
            quota_bytes=settings.quota_bytes,
            used_bytes=used,
        )


# ---------------------------------------------------------------------------------------------
# Downloads and signed URLs


@dataclass(frozen=True, slots=True)
class SignedAccess:
    expires: int
    signature: str


@dataclass(frozen=True, slots=True)
class Download:
    key: str
    size: int
    content_type: str
    etag: str
    filename: str
    inline: bool
    # Set for a signed URL: anyone (a CDN) may cache the response this many seconds.
    public_seconds: int | None = None


async def open_download(
    *,
    runtime: Runtime,
    session: AsyncSession,
    principal: Principal | None,
    signed: SignedAccess | None,
    media_id: uuid.UUID,
    thumbnail: bool = False,
) -> Download:
    """What to send for the file (or its thumbnail): to a caller who may read it, or to anyone
    holding a valid signed URL."""
    public_seconds = None
    if signed is not None:
        public_seconds = signing.verify(
            runtime.settings.secret_key.get_secret_value(),
            media_id,
            signed.expires,
            signed.signature,
        )
        media = await session.get(Media, media_id)
        if media is None:
            raise MediaNotFound("No such media file.")
    else:
        assert principal is not None
        media = await get_media_for_read(session=session, principal=principal, media_id=media_id)
    filename = media.original_filename or f"media-{media.media_id}"
    if thumbnail:
        if media.thumbnail_key is None:
            raise MediaNotFound("This file has no thumbnail.")
        return Download(
            key=media.thumbnail_key,
            size=int(media.details["thumbnail_bytes"]),
            content_type=THUMBNAIL_CONTENT_TYPE,
            etag=f'"{media.checksum}.thumb"',
            filename=f"{filename.rsplit('.', 1)[0]}.thumbnail.webp",
            inline=True,
            public_seconds=public_seconds,
        )
    blob = await session.get(MediaBlob, media.checksum)
    assert blob is not None  # media.checksum is a foreign key
    file_type = FILE_TYPES.get(media.content_type)
    return Download(
        key=blob.storage_key,
        size=blob.size_bytes,
        content_type=media.content_type,
        etag=f'"{media.checksum}"',
        filename=filename,
        inline=file_type is not None and file_type.inline,
        public_seconds=public_seconds,
    )


@dataclass(frozen=True, slots=True)
class SignedUrls:
    url: str
    thumbnail_url: str | None
    expires_at: int


def signed_urls(*, settings: Settings, media: Media, expires_in: int | None = None) -> SignedUrls:
    """URLs that serve the file (and its thumbnail) to anyone until they expire. No access
    check: for other domains that have made theirs (a published course's cover)."""
    seconds = expires_in or settings.media.signed_url_seconds
    if not 0 < seconds <= settings.media.signed_url_max_seconds:
        raise InvalidInput(
            f"A signed URL lives at most {settings.media.signed_url_max_seconds} seconds."
        )
    expires = int(time.time()) + seconds
    query = urlencode(
        {
            "expires": expires,
            "signature": signing.sign(
                settings.secret_key.get_secret_value(), media.media_id, expires
            ),
        }
    )
    base = (settings.media.signed_url_base or settings.public_url).rstrip("/")
    path = f"{base}{MEDIA_PATH}/{media.media_id}"
    return SignedUrls(
        url=f"{path}/content?{query}",
        thumbnail_url=f"{path}/thumbnail?{query}" if media.thumbnail_key else None,
        expires_at=expires,
    )


async def create_signed_urls(
    *,
    runtime: Runtime,
    session: AsyncSession,
    principal: Principal,
    media_id: uuid.UUID,
    expires_in: int | None,
) -> SignedUrls:
    """Signed URLs for a file the caller may read (a browser's <video> cannot send a token)."""
    media = await get_media_for_read(session=session, principal=principal, media_id=media_id)
    return signed_urls(settings=runtime.settings, media=media, expires_in=expires_in)


# ---------------------------------------------------------------------------------------------
# Deletion


async def delete_media(
    *, runtime: Runtime, session: AsyncSession, principal: Principal, media_id: uuid.UUID
) -> None:
    """Deletes the file's record; its bytes go when no other record shares them."""
    media = await get_media_for_write(session=session, principal=principal, media_id=media_id)
    for check in _use_checks:
        use = await check(session=session, media=media)
        if use:
            raise MediaInUse(f"The file is used by {use}; remove it from there first.")
    blob = await session.scalar(
        select(MediaBlob).where(MediaBlob.checksum == media.checksum).with_for_update()
    )
    await session.delete(media)
    await session.flush()
    if blob is None or await session.scalar(
        select(exists().where(Media.checksum == blob.checksum))
    ):
        return
    await session.delete(blob)
    await session.flush()
    storage, keys = runtime.storage, [blob.storage_key]
    after_commit(session, lambda: _delete_blobs(storage, keys))
