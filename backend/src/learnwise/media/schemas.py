"""What the media API sends back."""

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from learnwise.media.models import Media, MediaUpload
from learnwise.media.service import MEDIA_PATH, SignedUrls


class MediaRead(BaseModel):
    media_id: uuid.UUID
    owner_id: uuid.UUID
    kind: str = Field(description="image, video, audio, document or text")
    content_type: str = Field(description="The type sniffed from the content.")
    size_bytes: int = Field(description="The stored size (images after re-encoding).")
    original_filename: str = Field(description="The uploader's name for the file; metadata only.")
    checksum: str = Field(description="SHA-256 of the stored bytes; the downloads' ETag.")
    details: dict[str, Any] = Field(description="width and height of images, as known.")
    created_at: datetime
    content_url: str
    thumbnail_url: str | None

    @classmethod
    def of(cls, media: Media) -> "MediaRead":
        path = f"{MEDIA_PATH}/{media.media_id}"
        return cls(
            media_id=media.media_id,
            owner_id=media.owner_id,
            kind=media.kind,
            content_type=media.content_type,
            size_bytes=media.size_bytes,
            original_filename=media.original_filename,
            checksum=media.checksum,
            details=media.details,
            created_at=media.created_at,
            content_url=f"{path}/content",
            thumbnail_url=f"{path}/thumbnail" if media.thumbnail_key else None,
        )


class UploadRead(BaseModel):
    """A resumable upload: send the bytes from ``offset`` with
    ``PATCH upload_url`` and ``Upload-Offset: <offset>``, at most ``max_chunk_bytes`` at a time.
    ``HEAD upload_url`` tells the offset after an interruption."""

    upload_id: uuid.UUID
    upload_url: str
    original_filename: str
    size_bytes: int
    offset: int
    max_chunk_bytes: int
    expires_at: datetime
    media: MediaRead | None = Field(None, description="The stored file, once complete.")

    @classmethod
    def of(cls, upload: MediaUpload, *, max_chunk_bytes: int, media: Media | None) -> "UploadRead":
        return cls(
            upload_id=upload.upload_id,
            upload_url=f"{MEDIA_PATH}/uploads/{upload.upload_id}",
            original_filename=upload.original_filename,
            size_bytes=upload.size_bytes,
            offset=upload.received_bytes,
            max_chunk_bytes=max_chunk_bytes,
            expires_at=upload.expires_at,
            media=MediaRead.of(media) if media else None,
        )


class SignedUrlRead(BaseModel):
    url: str = Field(description="Serves the file to anyone, without sign-in, until expires_at.")
    thumbnail_url: str | None
    expires_at: datetime

    @classmethod
    def of(cls, signed: SignedUrls) -> "SignedUrlRead":
        return cls(
            url=signed.url,
            thumbnail_url=signed.thumbnail_url,
            expires_at=datetime.fromtimestamp(signed.expires_at, UTC),
        )
