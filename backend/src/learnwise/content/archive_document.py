"""course.json for a course of the database (the format: ``archive_schemas``): the course,
its modules in order with their prerequisites, its items' current content, the skills they name
(with those they require) and the media files they use, referred to by archive path."""

import re
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.content import service as content_service
from learnwise.content.archive_schemas import (
    ArchivedCourse,
    ArchivedItem,
    ArchivedMedia,
    ArchivedModule,
    ArchivedSkill,
    CourseDocument,
)
from learnwise.content.archive_zip import StoredEntry
from learnwise.content.item_schemas import ContentMetadata
from learnwise.content.models import (
    ContentItem,
    ContentVersion,
    Course,
    Module,
    ModulePrerequisite,
    Skill,
)
from learnwise.content.schemas import Level, ModuleStatus
from learnwise.media.models import Media, MediaBlob
from learnwise.media.sniffing import FILE_TYPES
from learnwise.skills import service as skills_service

# Ids inside stored content that may name media files: whole values and inside text alike.
_UUID = re.compile(
    r"(?<![A-Za-z0-9_-])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"(?![A-Za-z0-9_-])"
)
# Rows looked up per IN (...) list.
_BATCH = 500


def batches(values: Iterable[Any]) -> Iterator[list[Any]]:
    """The values in lists short enough for one IN (...)."""
    values = list(values)
    for start in range(0, len(values), _BATCH):
        yield values[start : start + _BATCH]


async def course_document(
    *, session: AsyncSession, course: Course
) -> tuple[CourseDocument, list[StoredEntry]]:
    """course.json for the course, and the media files to put beside it."""
    modules = list(
        await session.scalars(
            select(Module)
            .where(Module.course_id == course.course_id)
            .order_by(Module.sequence_number, Module.created_at, Module.module_id)
        )
    )
    edges = await session.execute(
        select(ModulePrerequisite.module_id, ModulePrerequisite.requires_id)
        .join(Module, Module.module_id == ModulePrerequisite.module_id)
        .where(Module.course_id == course.course_id)
    )
    module_ids = {module.module_id for module in modules}
    prerequisites: dict[uuid.UUID, list[str]] = {}
    for module_id, requires_id in edges:
        if requires_id in module_ids:
            prerequisites.setdefault(module_id, []).append(str(requires_id))
    rows = (
        await session.execute(
            select(ContentItem, ContentVersion.skill_ids)
            .join(
                ContentVersion,
                and_(
                    ContentVersion.content_id == ContentItem.content_id,
                    ContentVersion.version == ContentItem.version,
                ),
            )
            .join(Module, Module.module_id == ContentItem.module_id)
            .where(Module.course_id == course.course_id)
            .order_by(ContentItem.sequence_number, ContentItem.created_at, ContentItem.content_id)
        )
    ).all()
    items: dict[uuid.UUID, list[tuple[ContentItem, list[str]]]] = {}
    for item, skill_ids in rows:
        items.setdefault(item.module_id, []).append((item, skill_ids))

    skills = await _skills_with_prerequisites(
        session=session,
        skill_ids={s for _, ids in rows for s in ids}
        | {
            skill_id
            for item, _ in rows
            for question in item.content.get("questions", [])
            for skill_id in question.get("skills", [])
        },
    )
    slugs = {str(skill.skill_id): skill.slug for skill, _ in skills}
    media, stored = await _media_of(session=session, course=course, items=[i for i, _ in rows])
    paths = {media_id: entry.path for media_id, entry in media.items()}

    def archived_item(item: ContentItem, skill_ids: list[str]) -> ArchivedItem:
        return ArchivedItem(
            title=item.title,
            content=_archived_content(item.content, paths=paths, slugs=slugs),
            metadata=ContentMetadata.model_validate(item.metadata_),
            skills=sorted(slugs[s] for s in skill_ids),
            is_required=item.is_required,
            published=item.published_version is not None,
        )

    document = CourseDocument(
        course=ArchivedCourse(
            slug=course.slug,
            title=course.title,
            summary=course.summary,
            description=course.description,
            level=Level(course.level),
            language=course.language,
            tags=course.tags,
            estimated_minutes=course.estimated_minutes,
            settings=content_service.course_settings(course),
            cover=paths.get(str(course.cover_media_id)) if course.cover_media_id else None,
        ),
        modules=[
            ArchivedModule(
                id=str(module.module_id),
                title=module.title,
                description=module.description,
                published=module.status == ModuleStatus.PUBLISHED,
                prerequisites=sorted(prerequisites.get(module.module_id, [])),
                items=[archived_item(i, s) for i, s in items.get(module.module_id, [])],
            )
            for module in modules
        ],
        skills=[
            ArchivedSkill(
                slug=skill.slug,
                name=skill.name,
                description=skill.description,
                prerequisites=sorted(slugs[str(r)] for r in requires),
            )
            for skill, requires in skills
        ],
        media=sorted({entry.path: entry for entry in media.values()}.values(), key=_path_of),
    )
    return document, stored


def _path_of(entry: ArchivedMedia) -> str:
    return entry.path


async def _skills_with_prerequisites(
    *, session: AsyncSession, skill_ids: set[str]
) -> list[tuple[Skill, list[uuid.UUID]]]:
    """The skills and, transitively, the skills they require, by slug, each with the ids of
    its direct prerequisites."""
    wanted = {uuid.UUID(s) for s in skill_ids}
    found: dict[uuid.UUID, list[uuid.UUID]] = {}
    while wanted:
        for batch in batches(wanted):
            found.update(await skills_service.prerequisite_ids(session=session, skill_ids=batch))
        wanted = {r for requires in found.values() for r in requires} - found.keys()
    skills = []
    for batch in batches(found):
        skills += list(await session.scalars(select(Skill).where(Skill.skill_id.in_(batch))))
    return [(skill, found[skill.skill_id]) for skill in sorted(skills, key=lambda s: s.slug)]


async def _media_of(
    *, session: AsyncSession, course: Course, items: list[ContentItem]
) -> tuple[dict[str, ArchivedMedia], list[StoredEntry]]:
    """The media files the course's cover and items' content name (by id, anywhere in the
    content), each as its archive entry. The course's instructors may read all of them: the
    media service grants them every file their course's content names, and the cover is the
    course's own."""
    candidates = {match for item in items for match in _uuids(item.content)}
    if course.cover_media_id is not None:
        candidates.add(str(course.cover_media_id))
    media: dict[str, ArchivedMedia] = {}
    by_path: dict[str, ArchivedMedia] = {}
    stored: list[StoredEntry] = []
    for batch in batches(sorted(candidates)):
        rows = await session.execute(
            select(Media, MediaBlob)
            .join(MediaBlob, MediaBlob.checksum == Media.checksum)
            .where(Media.media_id.in_([uuid.UUID(m) for m in batch]))
            .order_by(Media.created_at, Media.media_id)
        )
        for file, blob in rows:
            extension = FILE_TYPES[file.content_type].extensions[0]
            path = f"media/{blob.checksum}.{extension}"
            if path not in by_path:
                by_path[path] = ArchivedMedia(
                    path=path,
                    content_type=file.content_type,
                    size_bytes=blob.size_bytes,
                    filename=file.original_filename,
                )
                stored.append(StoredEntry(path, blob.storage_key, blob.size_bytes))
            media[str(file.media_id)] = by_path[path]
    return media, sorted(stored, key=lambda entry: entry.name)


def _uuids(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield from _UUID.findall(value)
    elif isinstance(value, list):
        for element in value:
            yield from _uuids(element)
    elif isinstance(value, dict):
        for element in value.values():
            yield from _uuids(element)


def _archived_content(
    content: dict[str, Any], *, paths: dict[str, str], slugs: dict[str, str]
) -> dict[str, Any]:
    """Stored content as the archive holds it: quiz questions' skills by slug, media files by
    archive path."""

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return _UUID.sub(lambda match: paths.get(match.group(0), match.group(0)), node)
        if isinstance(node, list):
            return [walk(element) for element in node]
        if isinstance(node, dict):
            return {key: walk(element) for key, element in node.items()}
        return node

    archived = walk(content)
    for question in archived.get("questions", []):
        question["skills"] = sorted(slugs[s] for s in question.get("skills", []))
    return archived
