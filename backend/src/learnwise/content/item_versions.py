"""Storing content versions: each change to an item's title, content, metadata or skills is a
new immutable ContentVersion, mirrored on the item row, with the item's skill tags kept in step.

Skill references in new content (slugs or ids, on the item and on quiz questions) are resolved
here and stored as ids. A version's ``skill_ids`` are the skills set on the item; the item is
tagged (``content_item_skill``) with those and its questions' skills.
"""

import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.content.content_types import (
    ItemContent,
    dump_content,
    parse_content,
    question_skill_refs,
    with_question_skills,
)
from learnwise.content.item_exceptions import VersionNotFound, VersionNotRestorable
from learnwise.content.item_schemas import ContentMetadata
from learnwise.content.models import ContentItem, ContentItemSkill, ContentVersion, Module
from learnwise.content.versioning import snapshot
from learnwise.db import utcnow
from learnwise.skills import service as skills_service
from learnwise.skills.exceptions import UnknownSkills


async def get_version(
    *, session: AsyncSession, content_id: uuid.UUID, version: int
) -> ContentVersion:
    found = await session.scalar(
        select(ContentVersion).where(
            ContentVersion.content_id == content_id, ContentVersion.version == version
        )
    )
    if found is None:
        raise VersionNotFound(f"This item has no version {version}.")
    return found


def document_of(version: ContentVersion) -> dict[str, Any]:
    """The versioned part of a version, as compared and diffed."""
    return snapshot(
        title=version.title,
        type=version.type,
        content=version.content,
        metadata=version.metadata_,
        skill_ids=version.skill_ids,
    )


async def resolve_skills(
    *, session: AsyncSession, content: ItemContent, item_skills: list[str]
) -> tuple[dict[str, Any], list[str]]:
    """The stored form of the content (question skills as ids) and the ids of the item's own
    skills; UnknownSkills when a reference names no skill."""
    refs = set(item_skills) | question_skill_refs(content)
    skills = await skills_service.resolve_skill_refs(session=session, refs=refs)
    ids = {ref: str(skill.skill_id) for ref, skill in skills.items()}
    stored = dump_content(with_question_skills(content, ids))
    return stored, sorted({ids[ref] for ref in item_skills})


def all_skill_ids(content: dict[str, Any], item_skill_ids: list[str]) -> list[str]:
    """The item's own skills and its quiz questions' skills."""
    question_skills = {s for q in content.get("questions", []) for s in q.get("skills", [])}
    return sorted(set(item_skill_ids) | question_skills)


async def record_version(
    *,
    session: AsyncSession,
    item: ContentItem,
    skill_ids: list[str],
    author_id: uuid.UUID,
    change_note: str,
) -> ContentVersion:
    """Records the item's current title, content and metadata as its version ``item.version``
    and tags the item with its skills."""
    version = ContentVersion(
        content_id=item.content_id,
        version=item.version,
        type=item.type,
        title=item.title,
        content=item.content,
        metadata_=item.metadata_,
        skill_ids=sorted(skill_ids),
        author_id=author_id,
        change_note=change_note,
        created_at=utcnow(),
    )
    session.add(version)
    await session.execute(
        delete(ContentItemSkill).where(ContentItemSkill.content_id == item.content_id)
    )
    tags = all_skill_ids(item.content, skill_ids)
    if tags:
        await session.execute(
            insert(ContentItemSkill),
            [{"content_id": item.content_id, "skill_id": uuid.UUID(s)} for s in tags],
        )
    await session.flush()
    return version


async def record_next_version(
    *,
    session: AsyncSession,
    item: ContentItem,
    document: dict[str, Any],
    author_id: uuid.UUID,
    change_note: str,
) -> ContentVersion:
    """Makes ``document`` (a ``snapshot``) the item's new latest version."""
    item.version += 1
    item.title = document["title"]
    item.content = document["content"]
    item.metadata_ = document["metadata"]
    return await record_version(
        session=session,
        item=item,
        skill_ids=document["skill_ids"],
        author_id=author_id,
        change_note=change_note,
    )


async def restorable_document(*, session: AsyncSession, version: ContentVersion) -> dict[str, Any]:
    """The document of an old version, checked again as new input would be:
    VersionNotRestorable when it no longer passes (a skill deleted since, a tighter schema)."""
    try:
        content = parse_content(version.content)
        ContentMetadata.model_validate(version.metadata_)
        stored, skill_ids = await resolve_skills(
            session=session, content=content, item_skills=version.skill_ids
        )
    except ValidationError as exc:
        raise VersionNotRestorable(
            f"Version {version.version} no longer passes validation: {exc.error_count()} error(s).",
            errors=[
                {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
            ],
        ) from exc
    except UnknownSkills as exc:
        raise VersionNotRestorable(
            f"Version {version.version} names skills that no longer exist.",
            unknown=exc.extra.get("unknown", []),
        ) from exc
    return document_of(version) | {"content": stored, "skill_ids": skill_ids}


async def published_versions(
    *, session: AsyncSession, course_id: uuid.UUID | None = None
) -> list[tuple[uuid.UUID, ContentVersion]]:
    """(course id, published version) of every published item, of one course or of all. No
    access check: for the platform's own consumers (embeddings, recommendations)."""
    query = (
        select(Module.course_id, ContentVersion)
        .join(ContentItem, ContentItem.module_id == Module.module_id)
        .join(
            ContentVersion,
            (ContentVersion.content_id == ContentItem.content_id)
            & (ContentVersion.version == ContentItem.published_version),
        )
        .order_by(ContentVersion.content_id)
    )
    if course_id is not None:
        query = query.where(Module.course_id == course_id)
    return [(row[0], row[1]) for row in await session.execute(query)]


async def published_version_of(
    *, session: AsyncSession, content_id: uuid.UUID
) -> ContentVersion | None:
    """The version learners see of an item, None when it is unpublished or unknown. No access
    check: for the platform's own consumers."""
    return await session.scalar(
        select(ContentVersion)
        .join(ContentItem, ContentItem.content_id == ContentVersion.content_id)
        .where(
            ContentItem.content_id == content_id,
            ContentVersion.version == ContentItem.published_version,
        )
    )
