"""Course archives: ``GET /courses/{course_id}/export`` and ``POST /courses/import``
(docs/course-archives.md).

The import reads its body as a stream, either the raw zip or the part named ``file`` of a
multipart/form-data body, under the archive's own size limit; it is never held whole in memory.
"""

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import StreamingResponse
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect

from learnwise.auth.dependencies import CurrentPrincipal, RequirePermission
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.content import archive
from learnwise.content import service as content_service
from learnwise.content.archive_exceptions import MalformedUpload
from learnwise.content.archive_schemas import CourseImportRead
from learnwise.db import SessionDep
from learnwise.media.delivery import content_disposition
from learnwise.media.exceptions import UploadIncomplete
from learnwise.platform.runtime import RuntimeDep

router = APIRouter(prefix="/courses", tags=["courses"])
Author = Annotated[Principal, RequirePermission(Permission.COURSE_CREATE)]

ARCHIVE_FIELD = "file"
MAX_OTHER_FIELDS_BYTES = 64 * 1024
MAX_PART_HEADER_BYTES = 8 * 1024

_ARCHIVE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [ARCHIVE_FIELD],
                    "properties": {ARCHIVE_FIELD: {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


@router.get(
    "/{course_id:uuid}/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}, "description": "The course archive."}},
)
async def export_course(
    course_id: uuid.UUID, principal: CurrentPrincipal, runtime: RuntimeDep, session: SessionDep
) -> StreamingResponse:
    """The course as one zip archive (course.json and its media files), for its instructors
    and admins: it holds the answer keys."""
    export = await archive.export_course(
        runtime=runtime, session=session, principal=principal, course_id=course_id
    )
    return StreamingResponse(
        export.chunks,
        media_type="application/zip",
        headers={
            "Content-Disposition": content_disposition("attachment", export.filename),
            "Cache-Control": "no-store",
        },
    )


@router.post("/import", status_code=status.HTTP_201_CREATED, openapi_extra=_ARCHIVE_BODY)
async def import_course(
    request: Request,
    response: Response,
    principal: Author,
    runtime: RuntimeDep,
    session: SessionDep,
) -> CourseImportRead:
    """Creates a draft course, owned by me, from a course archive: the raw zip as the body, or
    as the ``file`` part of a multipart form. The archive is checked whole first; anything
    wrong refuses it with nothing created."""
    multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
    imported = await archive.import_course(
        runtime=runtime,
        session=session,
        principal=principal,
        chunks=_multipart_file(request) if multipart else _body(request),
        declared_size=None if multipart else _content_length(request),
    )
    course = imported.course
    response.headers["Location"] = f"/api/v1/courses/{course.course_id}"
    response.headers["ETag"] = content_service.etag(course.revision)
    return CourseImportRead(
        course=await content_service.course_view(
            session=session, cache=runtime.cache, principal=principal, course=course
        ),
        skills_created=imported.skills_created,
        skills_matched=imported.skills_matched,
        media_stored=imported.media_stored,
        media_reused=imported.media_reused,
        source_url=imported.manifest.source_url,
        exported_at=imported.manifest.exported_at,
    )


def _content_length(request: Request) -> int | None:
    value = request.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


async def _body(request: Request) -> AsyncIterator[bytes]:
    try:
        async for chunk in request.stream():
            if chunk:
                yield chunk
    except ClientDisconnect as exc:
        raise UploadIncomplete("The connection closed before the whole archive arrived.") from exc


async def _multipart_file(request: Request) -> AsyncIterator[bytes]:
    """The bytes of the form's ``file`` part, as they arrive."""
    _, options = parse_options_header(request.headers["content-type"])
    boundary = options.get(b"boundary")
    if not boundary:
        raise MalformedUpload("The multipart body names no boundary.")
    part = _Part()
    found: list[bytes] = []
    parser = MultipartParser(boundary, part.callbacks(found))
    try:
        async for chunk in _body(request):
            parser.write(chunk)
            for data in found:
                yield data
            found.clear()
        parser.finalize()
    except FormParserError as exc:
        raise MalformedUpload(f"The multipart body is malformed: {exc}") from exc
    if not part.seen_archive:
        raise MalformedUpload(f"Send the archive as the form's {ARCHIVE_FIELD!r} file.")


class _Part:
    """Follows the parts of a multipart body: the archive's data goes to ``found``, other
    fields are skipped (within a small budget), a second file is refused."""

    def __init__(self) -> None:
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.is_archive = False
        self.seen_archive = False
        self.other_bytes = 0

    @staticmethod
    def _bounded(header: bytes) -> bytes:
        if len(header) > MAX_PART_HEADER_BYTES:
            raise MalformedUpload("A part of the multipart body has an oversized header.")
        return header

    def callbacks(self, found: list[bytes]) -> Any:
        def on_part_begin() -> None:
            self.disposition = b""
            self.is_archive = False

        def on_header_field(data: bytes, start: int, end: int) -> None:
            self.header_name = self._bounded(self.header_name + data[start:end])

        def on_header_value(data: bytes, start: int, end: int) -> None:
            self.header_value = self._bounded(self.header_value + data[start:end])

        def on_header_end() -> None:
            if self.header_name.lower() == b"content-disposition":
                self.disposition = self.header_value
            self.header_name = self.header_value = b""

        def on_headers_finished() -> None:
            _, options = parse_options_header(self.disposition)
            if options.get(b"name") == ARCHIVE_FIELD.encode():
                if self.seen_archive:
                    raise MalformedUpload(f"The form holds more than one {ARCHIVE_FIELD!r}.")
                self.is_archive = self.seen_archive = True

        def on_part_data(data: bytes, start: int, end: int) -> None:
            if self.is_archive:
                found.append(data[start:end])
                return
            self.other_bytes += end - start
            if self.other_bytes > MAX_OTHER_FIELDS_BYTES:
                raise MalformedUpload(f"Send only the archive, as the form's {ARCHIVE_FIELD!r}.")

        return {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
        }
