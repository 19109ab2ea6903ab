"""Content items: typed content, immutable versions, drafts and publishing, skill tags.

Every change to an item's title, content, metadata or skills (create, update, revert) adds an
immutable ContentVersion; ``content_items.version`` names the latest, whose title, content and
metadata the item row mirrors (the draft). ``published_version`` is what learners see; an item
never published is invisible to them, and they never see an answer key.

Writes are guarded by the item's version (If-Match, or a ``version`` field): the item row is
locked (``SELECT ... FOR UPDATE`` on PostgreSQL, the write lock on SQLite) before the version is
compared, so of two editors holding the same version exactly one wins and the other's edit is
refused whole. Every write bumps the course's revision.

Access goes through the course service: the course's instructors and admins edit and see
drafts; its enrolled learners see published items.
"""

import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy import delete, func, insert, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.service import Principal
from learnwise.content import service as course_service
from learnwise.content.content_types import (
    ItemContent,
    dump_content,
    learner_view,
    parse_content,
    question_skill_refs,
    with_question_skills,
)
from learnwise.content.exceptions import (
    CourseAccessDenied,
    CourseNotFound,
    ModuleNotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from learnwise.content.item_exceptions import (
    DraftAccessDenied,
    EnrollmentRequired,
    ItemNotFound,
    TypeChangeRefused,
    VersionNotFound,
    VersionNotRestorable,
)
from learnwise.content.item_schemas import (
    ContentMetadata,
    ItemCreate,
    ItemRead,
    ItemSummary,
    ItemUpdate,
    RevertRequest,
    VersionDiff,
    View,
)
from learnwise.content.models import (
    ContentItem,
    ContentItemSkill,
    ContentVersion,
    Course,
    Module,
)
from learnwise.content.render import with_html
from learnwise.content.versioning import diff_documents, etag, parse_if_match, snapshot
from learnwise.db import utcnow
from learnwise.pagination import Page, PageParams
from learnwise.skills import service as skills_service
from learnwise.skills.exceptions import UnknownSkills

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class _Access:
    item: ContentItem
    course: Course
    can_edit: bool


# ---------------------------------------------------------------------------------------------
# Reading


async def get_item(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID, view: View
) -> ItemRead:
    """The item as the caller may see it: the published version (learners without the answer
    key), or for the course's instructors the draft (``view=draft``)."""
    access = await _access(session=session, principal=principal, content_id=content_id)
    item = access.item
    if not access.can_edit:
        await _ensure_learner_may_see(session=session, principal=principal, access=access)
        if view == View.DRAFT:
            raise DraftAccessDenied("Only the course's instructors may see an item's draft.")
    if view == View.DRAFT:
        shown = item.version
    elif item.published_version is not None:
        shown = item.published_version
    else:
        raise ItemNotFound("This item is not published yet; its instructors see ?view=draft.")
    version = await _get_version(session=session, content_id=item.content_id, version=shown)
    return _item_read(access, version, view)


async def list_module_items(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    view: View,
    page: PageParams,
) -> Page[ItemSummary]:
    """A module's items in order: the published ones (with their published titles), or for
    the course's instructors every item as drafted (``view=draft``)."""
    course = await course_service.get_course_for_read(
        session=session, principal=principal, course_id=course_id
    )
    await _module_of(session=session, course=course, module_id=module_id)
    can_edit = await _can_edit(session=session, principal=principal, course=course)
    if not can_edit:
        if not await course_service.can_see_content(
            session=session, principal=principal, course=course
        ):
            raise EnrollmentRequired("Enroll in the course to see its content.")
        if view == View.DRAFT:
            raise DraftAccessDenied("Only the course's instructors may see drafts.")
    published = view == View.PUBLISHED
    title = ContentVersion.title if published else ContentItem.title
    query = select(ContentItem, title).where(ContentItem.module_id == module_id)
    if published:
        query = query.join(
            ContentVersion,
            (ContentVersion.content_id == ContentItem.content_id)
            & (ContentVersion.version == ContentItem.published_version),
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.execute(
        query.order_by(ContentItem.sequence_number, ContentItem.created_at, ContentItem.content_id)
        .offset(page.offset)
        .limit(page.limit)
    )
    return Page(
        items=[
            ItemSummary(
                content_id=item.content_id,
                module_id=item.module_id,
                type=item.type,
                title=shown_title,
                sequence_number=item.sequence_number,
                is_required=item.is_required,
                version=item.published_version if published else item.version,
                published_version=item.published_version,
                latest_version=item.version if can_edit else None,
                has_unpublished_changes=_unpublished_changes(item) if can_edit else None,
            )
            for item, shown_title in rows
        ],
        total=total or 0,
        offset=page.offset,
        limit=page.limit,
    )


async def list_versions(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID, page: PageParams
) -> tuple[ContentItem, list[ContentVersion], int]:
    """The item's history, newest first (the course's instructors only)."""
    access = await _access_for_history(session=session, principal=principal, content_id=content_id)
    condition = ContentVersion.content_id == content_id
    total = await session.scalar(select(func.count()).select_from(ContentVersion).where(condition))
    versions = await session.scalars(
        select(ContentVersion)
        .where(condition)
        .order_by(ContentVersion.version.desc())
        .offset(page.offset)
        .limit(page.limit)
    )
    return access.item, list(versions), total or 0


async def get_version(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID, version: int
) -> tuple[ContentItem, ContentVersion]:
    access = await _access_for_history(session=session, principal=principal, content_id=content_id)
    return access.item, await _get_version(session=session, content_id=content_id, version=version)


async def diff_versions(
    *,
    session: AsyncSession,
    principal: Principal,
    content_id: uuid.UUID,
    from_version: int,
    to_version: int,
) -> VersionDiff:
    """What changed between two versions, field by field (see ``versioning``)."""
    await _access_for_history(session=session, principal=principal, content_id=content_id)
    old = await _get_version(session=session, content_id=content_id, version=from_version)
    new = await _get_version(session=session, content_id=content_id, version=to_version)
    return VersionDiff(
        content_id=content_id,
        from_version=from_version,
        to_version=to_version,
        changes=diff_documents(_snapshot_of(old), _snapshot_of(new)),
    )


# ---------------------------------------------------------------------------------------------
# Writing


async def create_item(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    module_id: uuid.UUID,
    item_in: ItemCreate,
) -> ItemRead:
    """A new item at the end of the module, as its version 1 (a draft: unpublished)."""
    course = await course_service.get_course_for_write(
        session=session, principal=principal, course_id=course_id
    )
    await _module_of(session=session, course=course, module_id=module_id)
    content, skill_ids = await _resolve_skills(
        session=session, content=item_in.content, item_skills=item_in.skills
    )
    last = await session.scalar(
        select(func.max(ContentItem.sequence_number)).where(ContentItem.module_id == module_id)
    )
    item = ContentItem(
        module_id=module_id,
        title=item_in.title,
        sequence_number=(last or 0) + 1,
        type=content["type"],
        content=content,
        metadata_=item_in.metadata.model_dump(mode="json"),
        version=1,
        published_version=None,
        is_required=item_in.is_required,
    )
    session.add(item)
    await session.flush()
    version = await _add_version(
        session=session,
        item=item,
        skill_ids=skill_ids,
        author_id=principal.user_id,
        change_note=item_in.change_note or "Created",
    )
    await course_service.bump_revision(session=session, course=course)
    return _item_read(_Access(item, course, True), version, View.DRAFT)


async def update_item(
    *,
    session: AsyncSession,
    principal: Principal,
    content_id: uuid.UUID,
    changes: ItemUpdate,
    if_match: str | None,
) -> ItemRead:
    """Applies a partial update made on the latest version; a new version when the title,
    content, metadata or skills change."""
    access = await _access_for_write(session=session, principal=principal, content_id=content_id)
    item = access.item
    _check_version(item, if_match=if_match, body_version=changes.version)
    latest = await _get_version(session=session, content_id=content_id, version=item.version)
    if changes.content is not None and changes.content.type != item.type:
        raise TypeChangeRefused(
            f"This item is a {item.type}; create a new item for a {changes.content.type}."
        )
    content_in = changes.content if changes.content is not None else parse_content(item.content)
    item_skills = changes.skills if changes.skills is not None else latest.skill_ids
    content, skill_ids = await _resolve_skills(
        session=session, content=content_in, item_skills=item_skills
    )
    proposed = snapshot(
        title=changes.title if changes.title is not None else item.title,
        type=item.type,
        content=content,
        metadata=(
            changes.metadata.model_dump(mode="json")
            if changes.metadata is not None
            else item.metadata_
        ),
        skill_ids=skill_ids,
    )
    changed = False
    if proposed != _snapshot_of(latest):
        latest = await _add_new_version(
            session=session,
            item=item,
            document=proposed,
            author_id=principal.user_id,
            change_note=changes.change_note or "Edited",
        )
        changed = True
    if changes.is_required is not None and changes.is_required != item.is_required:
        item.is_required = changes.is_required
        changed = True
    if changed:
        await session.flush()
        await course_service.bump_revision(session=session, course=access.course)
    return _item_read(access, latest, View.DRAFT)


async def revert_item(
    *,
    session: AsyncSession,
    principal: Principal,
    content_id: uuid.UUID,
    revert: RevertRequest,
    if_match: str | None,
) -> ItemRead:
    """A new latest version equal to version ``to_version`` (the history is kept)."""
    access = await _access_for_write(session=session, principal=principal, content_id=content_id)
    item = access.item
    _check_version(item, if_match=if_match, body_version=revert.version)
    target = await _get_version(session=session, content_id=content_id, version=revert.to_version)
    document = await _restorable(session=session, version=target)
    latest = await _add_new_version(
        session=session,
        item=item,
        document=document,
        author_id=principal.user_id,
        change_note=revert.change_note or f"Reverted to version {target.version}",
    )
    await course_service.bump_revision(session=session, course=access.course)
    return _item_read(access, latest, View.DRAFT)


async def publish_item(
    *,
    session: AsyncSession,
    principal: Principal,
    content_id: uuid.UUID,
    version: int | None,
    if_match: str | None,
) -> ItemRead:
    """Makes ``version`` (by default the latest) the one learners see."""
    access = await _access_for_write(session=session, principal=principal, content_id=content_id)
    item = access.item
    if if_match is not None:
        _check_version(item, if_match=if_match, body_version=None)
    published = await _get_version(
        session=session, content_id=content_id, version=version or item.version
    )
    if item.published_version != published.version:
        item.published_version = published.version
        if published.published_at is None:
            published.published_at = utcnow()
        await session.flush()
        await course_service.bump_revision(session=session, course=access.course)
        log.info(
            "content_published",
            content_id=str(content_id),
            version=published.version,
            author_id=str(principal.user_id),
        )
    return _item_read(access, published, View.PUBLISHED)


async def unpublish_item(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID
) -> ItemRead:
    """Hides the item from learners again (its versions stay)."""
    access = await _access_for_write(session=session, principal=principal, content_id=content_id)
    item = access.item
    if item.published_version is not None:
        item.published_version = None
        await session.flush()
        await course_service.bump_revision(session=session, course=access.course)
    latest = await _get_version(session=session, content_id=content_id, version=item.version)
    return _item_read(access, latest, View.DRAFT)


async def delete_item(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID, if_match: str | None
) -> None:
    """Deletes the item with its versions (and the progress recorded on it)."""
    access = await _access_for_write(session=session, principal=principal, content_id=content_id)
    if if_match is not None:
        _check_version(access.item, if_match=if_match, body_version=None)
    await session.delete(access.item)
    await session.flush()
    await course_service.bump_revision(session=session, course=access.course)


async def publish_course_items(
    *, session: AsyncSession, course: Course, author_id: uuid.UUID
) -> int:
    """Publishes the latest version of every item of the course whose latest version is not
    the published one; returns how many. For the course's publish endpoint (which has checked
    access); bumps the course's revision when anything changed."""
    items = (
        await session.scalars(
            select(ContentItem)
            .join(Module, Module.module_id == ContentItem.module_id)
            .where(
                Module.course_id == course.course_id,
                or_(
                    ContentItem.published_version.is_(None),
                    ContentItem.published_version != ContentItem.version,
                ),
            )
            .with_for_update(of=ContentItem)
            .execution_options(populate_existing=True)
        )
    ).all()
    if not items:
        return 0
    for item in items:
        item.published_version = item.version
    await session.execute(
        update(ContentVersion)
        .where(
            tuple_(ContentVersion.content_id, ContentVersion.version).in_(
                [(item.content_id, item.version) for item in items]
            ),
            ContentVersion.published_at.is_(None),
        )
        .values(published_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    await course_service.bump_revision(session=session, course=course)
    log.info(
        "course_items_published",
        course_id=str(course.course_id),
        items=len(items),
        author_id=str(author_id),
    )
    return len(items)


def item_etag(read: ItemRead) -> str:
    return etag(read.version)


# ---------------------------------------------------------------------------------------------
# Access


async def _load_item(
    *, session: AsyncSession, content_id: uuid.UUID, for_update: bool = False
) -> tuple[ContentItem, uuid.UUID]:
    query = (
        select(ContentItem, Module.course_id)
        .join(Module, Module.module_id == ContentItem.module_id)
        .where(ContentItem.content_id == content_id)
    )
    if for_update:
        # populate_existing: the values read under the lock, not those the session held.
        query = query.with_for_update(of=ContentItem).execution_options(populate_existing=True)
    row = (await session.execute(query)).one_or_none()
    if row is None:
        raise ItemNotFound("No such content item.")
    return row[0], row[1]


async def _can_edit(*, session: AsyncSession, principal: Principal, course: Course) -> bool:
    try:
        await course_service.get_course_for_write(
            session=session, principal=principal, course_id=course.course_id
        )
    except (CourseAccessDenied, CourseNotFound):
        return False
    return True


async def _access(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID, for_update: bool = False
) -> _Access:
    """The item and its course if the caller may see the course (ItemNotFound otherwise)."""
    item, course_id = await _load_item(
        session=session, content_id=content_id, for_update=for_update
    )
    try:
        course = await course_service.get_course_for_read(
            session=session, principal=principal, course_id=course_id
        )
    except CourseNotFound as exc:
        raise ItemNotFound("No such content item.") from exc
    return _Access(
        item, course, await _can_edit(session=session, principal=principal, course=course)
    )


async def _access_for_write(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID
) -> _Access:
    access = await _access(
        session=session, principal=principal, content_id=content_id, for_update=True
    )
    if not access.can_edit:
        raise CourseAccessDenied("Only the course's instructors and admins may change its items.")
    return access


async def _access_for_history(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID
) -> _Access:
    access = await _access(session=session, principal=principal, content_id=content_id)
    if not access.can_edit:
        await _ensure_learner_may_see(session=session, principal=principal, access=access)
        raise DraftAccessDenied("Only the course's instructors may see an item's history.")
    return access


async def _ensure_learner_may_see(
    *, session: AsyncSession, principal: Principal, access: _Access
) -> None:
    """Lets through only enrolled learners, and only to published items."""
    if not await course_service.can_see_content(
        session=session, principal=principal, course=access.course
    ):
        raise EnrollmentRequired("Enroll in the course to see its content.")
    if access.item.published_version is None:
        raise ItemNotFound("No such content item.")


async def _module_of(*, session: AsyncSession, course: Course, module_id: uuid.UUID) -> Module:
    module = await session.get(Module, module_id)
    if module is None or module.course_id != course.course_id:
        raise ModuleNotFound("No such module in this course.")
    return module


def _check_version(item: ContentItem, *, if_match: str | None, body_version: int | None) -> None:
    """The optimistic-concurrency check: the edit must name the latest version."""
    named: list[set[int]] = []
    if if_match is not None:
        versions = parse_if_match(if_match)
        if versions is None:
            raise PreconditionRequired(
                f"If-Match must name a version of the item, such as {etag(item.version)}."
            )
        named.append(versions)
    if body_version is not None:
        named.append({body_version})
    if not named:
        raise PreconditionRequired(
            "Send If-Match with the item's ETag (or a 'version' field) to say which version "
            "your change is based on."
        )
    if any(item.version not in versions for versions in named):
        raise PreconditionFailed(
            f"The item changed since you read it: it is now at version {item.version}. "
            "Fetch it again and reapply your change.",
            headers={"ETag": etag(item.version)},
            current_version=item.version,
        )


# ---------------------------------------------------------------------------------------------
# Versions


async def _get_version(
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


def _snapshot_of(version: ContentVersion) -> dict[str, Any]:
    return snapshot(
        title=version.title,
        type=version.type,
        content=version.content,
        metadata=version.metadata_,
        skill_ids=version.skill_ids,
    )


async def _add_new_version(
    *,
    session: AsyncSession,
    item: ContentItem,
    document: dict[str, Any],
    author_id: uuid.UUID,
    change_note: str,
) -> ContentVersion:
    item.version += 1
    item.title = document["title"]
    item.content = document["content"]
    item.metadata_ = document["metadata"]
    return await _add_version(
        session=session,
        item=item,
        skill_ids=document["skill_ids"],
        author_id=author_id,
        change_note=change_note,
    )


async def _add_version(
    *,
    session: AsyncSession,
    item: ContentItem,
    skill_ids: list[str],
    author_id: uuid.UUID,
    change_note: str,
) -> ContentVersion:
    """Records the item's current title, content and metadata as its version ``item.version``,
    and tags the item with its skills and its questions' skills."""
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
    await _tag(session=session, item=item, skill_ids=_all_skill_ids(item.content, skill_ids))
    await session.flush()
    return version


async def _tag(*, session: AsyncSession, item: ContentItem, skill_ids: list[str]) -> None:
    await session.execute(
        delete(ContentItemSkill).where(ContentItemSkill.content_id == item.content_id)
    )
    if skill_ids:
        await session.execute(
            insert(ContentItemSkill),
            [{"content_id": item.content_id, "skill_id": uuid.UUID(s)} for s in skill_ids],
        )


async def _restorable(*, session: AsyncSession, version: ContentVersion) -> dict[str, Any]:
    """The document of an old version, checked again as new input would be."""
    try:
        content = parse_content(version.content)
        ContentMetadata.model_validate(version.metadata_)
        resolved, skill_ids = await _resolve_skills(
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
    return _snapshot_of(version) | {"content": resolved, "skill_ids": skill_ids}


# ---------------------------------------------------------------------------------------------
# Skills and views


async def _resolve_skills(
    *, session: AsyncSession, content: ItemContent, item_skills: list[str]
) -> tuple[dict[str, Any], list[str]]:
    """The stored form of the content (question skills as ids) and the item's skill ids;
    UnknownSkills when a reference names no skill."""
    refs = set(item_skills) | question_skill_refs(content)
    skills = await skills_service.resolve_skill_refs(session=session, refs=refs)
    ids = {ref: str(skill.skill_id) for ref, skill in skills.items()}
    stored = dump_content(with_question_skills(content, ids))
    return stored, sorted({ids[ref] for ref in item_skills})


def _all_skill_ids(content: dict[str, Any], item_skill_ids: list[str]) -> list[str]:
    question_skills = {s for q in content.get("questions", []) for s in q.get("skills", [])}
    return sorted(set(item_skill_ids) | question_skills)


def _unpublished_changes(item: ContentItem) -> bool:
    return item.published_version != item.version


def _item_read(access: _Access, version: ContentVersion, view: View) -> ItemRead:
    item, can_edit = access.item, access.can_edit
    content = version.content if can_edit else learner_view(version.content)
    return ItemRead(
        content_id=item.content_id,
        course_id=access.course.course_id,
        module_id=item.module_id,
        view=view,
        type=version.type,
        title=version.title,
        sequence_number=item.sequence_number,
        is_required=item.is_required,
        version=version.version,
        published_version=item.published_version,
        latest_version=item.version if can_edit else None,
        has_unpublished_changes=_unpublished_changes(item) if can_edit else None,
        content=with_html(content),
        metadata=ContentMetadata.model_validate(version.metadata_),
        skill_ids=[uuid.UUID(s) for s in version.skill_ids],
        all_skill_ids=[uuid.UUID(s) for s in _all_skill_ids(version.content, version.skill_ids)],
        created_at=item.created_at,
        updated_at=item.updated_at,
        published_at=version.published_at,
    )
