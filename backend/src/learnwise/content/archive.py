"""Course export and import: a course as one archive (JSON plus media) that another
installation can import (the format: docs/course-archives.md).

Export streams the zip: the documents are built from the database first, then the media files
are streamed from storage into the archive, so the response holds no file whole in memory and
no database session.

Import spools the upload to a temporary file, checks the archive whole (``archive_checks``,
in a worker thread) and only then writes, in one savepoint of the request's transaction: the
media files through the media service's own store (checks, dedupe by checksum, quota), the
skills the course needs (matched by slug, or created), and the course itself, a draft owned by
the importer under a free slug. Any failure undoes all of it, and deletes the media objects the
import stored that nothing else uses.
"""

import functools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.service import Principal
from learnwise.content import archive_writes, archive_zip
from learnwise.content import service as content_service
from learnwise.content.archive_checks import ImportPlan, check_archive
from learnwise.content.archive_document import course_document
from learnwise.content.archive_exceptions import ArchiveTooLarge, InvalidArchive
from learnwise.content.archive_schemas import DOCUMENT, FORMAT, FORMAT_VERSION, MANIFEST, Manifest
from learnwise.content.archive_zip import ArchiveLimits
from learnwise.content.exceptions import CourseAccessDenied
from learnwise.content.models import Course
from learnwise.db import utcnow
from learnwise.media import processing, storing
from learnwise.platform.runtime import Runtime

log = structlog.get_logger(__name__)


# ---------------------------------------------------------------------------------------------
# Export


@dataclass(frozen=True, slots=True)
class CourseExport:
    filename: str
    chunks: AsyncIterator[bytes]


async def export_course(
    *, runtime: Runtime, session: AsyncSession, principal: Principal, course_id: uuid.UUID
) -> CourseExport:
    """The course as an archive, for its instructors and admins (it holds the answer keys).
    Others get CourseAccessDenied when they can see the course, CourseNotFound otherwise."""
    course = await content_service.get_course_for_read(
        session=session, principal=principal, course_id=course_id
    )
    viewer = await content_service.viewer_of(session=session, principal=principal, course=course)
    if not viewer.can_edit:
        raise CourseAccessDenied("Only the course's instructors and admins may export it.")
    document, stored = await course_document(session=session, course=course)
    exported_at = utcnow()
    manifest = Manifest(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        exported_at=exported_at,
        source_url=runtime.settings.public_url,
        source_course_id=str(course.course_id),
    )
    chunks = archive_zip.stream_archive(
        storage=runtime.storage,
        documents=[
            (MANIFEST, manifest.model_dump_json(indent=2).encode()),
            (DOCUMENT, document.model_dump_json(indent=2).encode()),
        ],
        stored=stored,
        written_at=exported_at,
    )
    log.info("course_exported", course_id=str(course.course_id), media=len(stored))
    return CourseExport(filename=f"{course.slug}.zip", chunks=chunks)


# ---------------------------------------------------------------------------------------------
# Import


@dataclass(frozen=True, slots=True)
class CourseImport:
    course: Course
    manifest: Manifest
    skills_created: list[str]
    skills_matched: list[str]
    media_stored: int
    media_reused: int


async def import_course(
    *,
    runtime: Runtime,
    session: AsyncSession,
    principal: Principal,
    chunks: AsyncIterator[bytes],
    declared_size: int | None,
) -> CourseImport:
    """Creates a draft course owned by the caller from an archive, or refuses the archive
    whole (4xx) and changes nothing. The caller needs Permission.COURSE_CREATE."""
    limits = ArchiveLimits.of(runtime.settings.media)

    def too_large() -> ArchiveTooLarge:
        return ArchiveTooLarge(f"Course archives may be at most {limits.max_archive_bytes} bytes.")

    if declared_size is not None and declared_size > limits.max_archive_bytes:
        raise too_large()
    spooled = await processing.spool(
        chunks, runtime.storage.temp_dir, max_bytes=limits.max_archive_bytes, too_large=too_large
    )
    plan: ImportPlan | None = None
    try:
        if spooled.size == 0:
            raise InvalidArchive("The body is empty: send the course archive.")
        plan = await anyio.to_thread.run_sync(
            functools.partial(
                check_archive,
                spooled.path,
                limits=limits,
                media_settings=runtime.settings.media,
                temp_dir=runtime.storage.temp_dir,
            )
        )
        imported = await _write(runtime=runtime, session=session, principal=principal, plan=plan)
    finally:
        await storing.remove_files(spooled.path, *(plan.spooled if plan else ()))
    log.info(
        "course_imported",
        course_id=str(imported.course.course_id),
        source_url=imported.manifest.source_url,
        source_course_id=imported.manifest.source_course_id,
        importer_id=str(principal.user_id),
    )
    return imported


async def _write(
    *, runtime: Runtime, session: AsyncSession, principal: Principal, plan: ImportPlan
) -> CourseImport:
    stored_keys: list[str] = []
    try:
        async with session.begin_nested():
            media_ids, reused = await archive_writes.store_media(
                runtime=runtime,
                session=session,
                principal=principal,
                plan=plan,
                stored_keys=stored_keys,
            )
            skill_ids, created, matched = await archive_writes.match_or_create_skills(
                session=session, plan=plan
            )
            course = await archive_writes.create_course(
                session=session, principal=principal, course=plan.document.course, ids=media_ids
            )
            await archive_writes.create_modules(
                session=session,
                principal=principal,
                course=course,
                plan=plan,
                media_ids=media_ids,
                skill_ids=skill_ids,
            )
    except BaseException:
        with anyio.CancelScope(shield=True):
            await archive_writes.delete_unused_blobs(
                runtime=runtime, session=session, keys=stored_keys
            )
        raise
    return CourseImport(
        course=course,
        manifest=plan.manifest,
        skills_created=created,
        skills_matched=matched,
        media_stored=len(media_ids) - reused,
        media_reused=reused,
    )
