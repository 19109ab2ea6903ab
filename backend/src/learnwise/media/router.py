"""/api/v1/media: upload, describe, download, sign and delete media files.

No endpoint here parses a request body: uploads are read as raw streams under this package's own
limits (MediaSettings), which is why the application-wide body-size limit skips this prefix.
Parameters travel in the query string and headers.
"""

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from starlette.requests import ClientDisconnect

from learnwise.auth.dependencies import CurrentPrincipal, RequirePermission
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.db import SessionDep
from learnwise.media import delivery, service, uploads
from learnwise.media.dependencies import MediaReaderDep
from learnwise.media.exceptions import UploadIncomplete
from learnwise.media.schemas import MediaRead, SignedUrlRead, UploadRead
from learnwise.pagination import Page, PageParamsDep
from learnwise.platform.runtime import RuntimeDep

router = APIRouter(prefix="/media", tags=["media"])

Uploader = Annotated[Principal, RequirePermission(Permission.COURSE_CREATE)]
Filename = Annotated[
    str, Query(min_length=1, max_length=1024, description="The file's name (metadata only).")
]

_BINARY_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
_FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/octet-stream": {}}, "description": "The file."},
    206: {"description": "The requested byte range (Range header)."},
    304: {"description": "Not modified (If-None-Match)."},
    416: {"description": "The range is malformed or beyond the end of the file."},
}


def _content_length(request: Request) -> int | None:
    value = request.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


async def _body(request: Request) -> AsyncIterator[bytes]:
    try:
        async for chunk in request.stream():
            if chunk:
                yield chunk
    except ClientDisconnect as exc:
        raise UploadIncomplete("The connection closed before the whole file arrived.") from exc


# ---------------------------------------------------------------------------------------------
# Resumable uploads


@router.post("/uploads", status_code=201)
async def start_upload(
    principal: Uploader,
    runtime: RuntimeDep,
    session: SessionDep,
    response: Response,
    filename: Filename,
    size: Annotated[int, Query(ge=0, description="The file's size in bytes.")],
) -> UploadRead:
    """Starts a resumable upload, for large files (video) and unreliable connections."""
    upload = await uploads.start_upload(
        runtime=runtime, session=session, principal=principal, filename=filename, size=size
    )
    read = UploadRead.of(upload, max_chunk_bytes=runtime.settings.media.chunk_bytes, media=None)
    response.headers["Location"] = read.upload_url
    response.headers["Upload-Offset"] = "0"
    return read


@router.head("/uploads/{upload_id}", status_code=204)
async def upload_offset(
    upload_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> Response:
    """Where an interrupted upload stands: the Upload-Offset header."""
    state = await uploads.get_upload(session=session, principal=principal, upload_id=upload_id)
    return Response(
        status_code=204,
        headers={
            "Upload-Offset": str(state.upload.received_bytes),
            "Upload-Length": str(state.upload.size_bytes),
            "Cache-Control": "no-store",
        },
    )


@router.get("/uploads/{upload_id}")
async def read_upload(
    upload_id: uuid.UUID, principal: CurrentPrincipal, runtime: RuntimeDep, session: SessionDep
) -> UploadRead:
    state = await uploads.get_upload(session=session, principal=principal, upload_id=upload_id)
    return UploadRead.of(
        state.upload, max_chunk_bytes=runtime.settings.media.chunk_bytes, media=state.media
    )


@router.patch("/uploads/{upload_id}", openapi_extra=_BINARY_BODY)
async def append_chunk(
    upload_id: uuid.UUID,
    request: Request,
    response: Response,
    principal: Uploader,
    runtime: RuntimeDep,
    session: SessionDep,
    upload_offset: Annotated[
        int, Header(ge=0, description="Where this chunk starts: the upload's current offset.")
    ],
) -> UploadRead:
    """Appends a chunk. A chunk that does not start at the current offset is refused (409,
    with the offset); the chunk that completes the file stores it and returns it as ``media``."""
    state = await uploads.append_chunk(
        runtime=runtime,
        session=session,
        principal=principal,
        upload_id=upload_id,
        offset=upload_offset,
        declared_length=_content_length(request),
        chunks=_body(request),
    )
    response.headers["Upload-Offset"] = str(state.upload.received_bytes)
    return UploadRead.of(
        state.upload, max_chunk_bytes=runtime.settings.media.chunk_bytes, media=state.media
    )


@router.delete("/uploads/{upload_id}", status_code=204)
async def cancel_upload(
    upload_id: uuid.UUID, principal: CurrentPrincipal, runtime: RuntimeDep, session: SessionDep
) -> None:
    await uploads.cancel_upload(
        runtime=runtime, session=session, principal=principal, upload_id=upload_id
    )


# ---------------------------------------------------------------------------------------------
# Files


@router.post("", status_code=201, openapi_extra=_BINARY_BODY)
async def upload(
    request: Request,
    response: Response,
    principal: Uploader,
    runtime: RuntimeDep,
    session: SessionDep,
    filename: Filename,
) -> MediaRead:
    """Uploads a file sent as the raw request body. Its type is sniffed from the content and
    must be on the allow-list and agree with the name; images are re-encoded without their
    metadata, and identical files are stored once."""
    media = await uploads.upload_media(
        runtime=runtime,
        session=session,
        principal=principal,
        filename=filename,
        declared_size=_content_length(request),
        chunks=_body(request),
    )
    read = MediaRead.of(media)
    response.headers["Location"] = f"{service.MEDIA_PATH}/{media.media_id}"
    return read


@router.get("")
async def list_media(
    principal: CurrentPrincipal, session: SessionDep, page: PageParamsDep
) -> Page[MediaRead]:
    """The caller's own files, newest first."""
    items, total = await service.list_media(
        session=session, principal=principal, offset=page.offset, limit=page.limit
    )
    return Page(
        items=[MediaRead.of(media) for media in items],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/{media_id}")
async def read_media(
    media_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> MediaRead:
    media = await service.get_media_for_read(
        session=session, principal=principal, media_id=media_id
    )
    return MediaRead.of(media)


@router.delete("/{media_id}", status_code=204)
async def delete_media(
    media_id: uuid.UUID, principal: CurrentPrincipal, runtime: RuntimeDep, session: SessionDep
) -> None:
    await service.delete_media(
        runtime=runtime, session=session, principal=principal, media_id=media_id
    )


@router.get("/{media_id}/content", response_class=Response, responses=_FILE_RESPONSES)
@router.head("/{media_id}/content", response_class=Response, responses=_FILE_RESPONSES)
async def download(
    media_id: uuid.UUID,
    request: Request,
    reader: MediaReaderDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> Response:
    """The file's bytes, with Range and If-None-Match support; signed-in, or with a signed URL's
    ``expires`` and ``signature``."""
    found = await service.open_download(
        runtime=runtime,
        session=session,
        principal=reader.principal,
        signed=reader.signed,
        media_id=media_id,
    )
    return await delivery.send(request, runtime.storage, found)


@router.get("/{media_id}/thumbnail", response_class=Response, responses=_FILE_RESPONSES)
@router.head("/{media_id}/thumbnail", response_class=Response, responses=_FILE_RESPONSES)
async def thumbnail(
    media_id: uuid.UUID,
    request: Request,
    reader: MediaReaderDep,
    runtime: RuntimeDep,
    session: SessionDep,
) -> Response:
    """A WebP thumbnail of an image."""
    found = await service.open_download(
        runtime=runtime,
        session=session,
        principal=reader.principal,
        signed=reader.signed,
        media_id=media_id,
        thumbnail=True,
    )
    return await delivery.send(request, runtime.storage, found)


@router.post("/{media_id}/signed-url")
async def sign_url(
    media_id: uuid.UUID,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    session: SessionDep,
    expires_in: Annotated[
        int | None, Query(ge=10, description="Lifetime in seconds (default from settings).")
    ] = None,
) -> SignedUrlRead:
    """A URL that serves the file to anyone, without sign-in, until it expires: for <video> and
    <img> elements (which cannot send a token) and for a CDN."""
    signed = await service.create_signed_urls(
        runtime=runtime,
        session=session,
        principal=principal,
        media_id=media_id,
        expires_in=expires_in,
    )
    return SignedUrlRead.of(signed)
