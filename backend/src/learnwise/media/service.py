"""Media files for the rest of the application: who may read them (and the hooks other domains
extend that with), listing, downloads, signed URLs and deletion. Uploads are in uploads.py.

Other domains extend who may read a file and whether it is in use through two hooks,
``register_read_grant`` and ``register_use_check`` (content registers both: a learner may read
the media of the published items of courses they take; media used by content is not deleted).
"""

import time
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.config import Settings
from learnwise.db import after_commit
from learnwise.errors import InvalidInput
from learnwise.media import signing
from learnwise.media.exceptions import (
    MediaAccessDenied,
    MediaInUse,
    MediaKindMismatch,
    MediaNotFound,
)
from learnwise.media.images import THUMBNAIL_CONTENT_TYPE
from learnwise.media.models import Media, MediaBlob
from learnwise.media.sniffing import FILE_TYPES
from learnwise.media.storing import delete_blobs
from learnwise.platform.runtime import Runtime

MEDIA_PATH = "/api/v1/media"

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
    """The owner and admins manage a file (may delete it); others may at most read it."""
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
    after_commit(session, lambda: delete_blobs(storage, keys))
