"""Content items: typed content, immutable versions, drafts and publishing, skill tags.

Every change to an item's title, content, metadata or skills (create, update, revert) adds an
immutable ContentVersion (``item_versions``); ``content_items.version`` names the latest, whose
title, content and metadata the item row mirrors (the draft). ``published_version`` is what
learners see; an item never published is invisible to them, and they never see an answer key.

Edits name the version they were made on (If-Match, or a ``version`` field) and are compared
under the item's lock (``item_access``), so of two editors holding the same version exactly one
wins and the other's edit is refused whole. Every write bumps the course's revision.
"""

import uuid

import structlog
from sqlalchemy import func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.service import Principal
from learnwise.content import item_access, item_media, item_versions
from learnwise.content import service as course_service
from learnwise.content.content_types import learner_view, parse_content
from learnwise.content.item_access import ItemAccess
from learnwise.content.item_exceptions import (
    DraftAccessDenied,
    EnrollmentRequired,
    ItemNotFound,
    TypeChangeRefused,
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
from learnwise.content.models import ContentItem, ContentVersion, Course, Module
from learnwise.content.render import with_html
from learnwise.content.versioning import diff_documents, etag, snapshot
from learnwise.db import utcnow
from learnwise.pagination import Page, PageParams

log = structlog.get_logger(__name__)

# ---------------------------------------------------------------------------------------------
# Reading


async def get_item(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID, view: View
) -> ItemRead:
    """The item as the caller may see it: the published version (learners without the answer
    key), or for the course's instructors the draft (``view=draft``)."""
    access = await item_access.for_reading(
        session=session, principal=principal, content_id=content_id
    )
    item = access.item
    if not access.can_edit:
        await item_access.ensure_learner_may_see(
            session=session, principal=principal, access=access
        )
        if view == View.DRAFT:
            raise DraftAccessDenied("Only the course's instructors may see an item's draft.")
    if view == View.DRAFT:
        shown = item.version
    elif item.published_version is not None:
        shown = item.published_version
    else:
        raise ItemNotFound("This item is not published yet; its instructors see ?view=draft.")
    version = await item_versions.get_version(
        session=session, content_id=item.content_id, version=shown
    )
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
    viewer = await course_service.viewer_of(session=session, principal=principal, course=course)
    await item_access.module_in_course(
        session=session, course=course, module_id=module_id, learner=not viewer.can_edit
    )
    if not viewer.can_edit:
        if not viewer.can_see_content:
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
                latest_version=item.version if viewer.can_edit else None,
                has_unpublished_changes=_unpublished_changes(item) if viewer.can_edit else None,
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
    access = await item_access.for_history(
        session=session, principal=principal, content_id=content_id
    )
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
    access = await item_access.for_history(
        session=session, principal=principal, content_id=content_id
    )
    found = await item_versions.get_version(session=session, content_id=content_id, version=version)
    return access.item, found


async def diff_versions(
    *,
    session: AsyncSession,
    principal: Principal,
    content_id: uuid.UUID,
    from_version: int,
    to_version: int,
) -> VersionDiff:
    """What changed between two versions, field by field (see ``versioning``)."""
    await item_access.for_history(session=session, principal=principal, content_id=content_id)
    old, new = [
        await item_versions.get_version(session=session, content_id=content_id, version=v)
        for v in (from_version, to_version)
    ]
    return VersionDiff(
        content_id=content_id,
        from_version=from_version,
        to_version=to_version,
        changes=diff_documents(item_versions.document_of(old), item_versions.document_of(new)),
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
    course, module = await item_access.module_for_writing(
        session=session, principal=principal, course_id=course_id, module_id=module_id
    )
    await item_media.check_new_media(
        session=session, principal=principal, content=item_in.content, already_used=set()
    )
    content, skill_ids = await item_versions.resolve_skills(
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
    version = await item_versions.record_version(
        session=session,
        item=item,
        skill_ids=skill_ids,
        author_id=principal.user_id,
        change_note=item_in.change_note or "Created",
    )
    await course_service.bump_revision(session=session, course=course)
    return _item_read(ItemAccess(item, module, course, True), version, View.DRAFT)


async def update_item(
    *,
    session: AsyncSession,
    principal: Principal,
    content_id: uuid.UUID,
    changes: ItemUpdate,
    if_match: str | None,
) -> ItemRead:
    """Applies a partial update made on the latest version; a new version when the title,
    content, metadata or skills change anything."""
    access = await item_access.for_writing(
        session=session, principal=principal, content_id=content_id
    )
    item = access.item
    item_access.check_version(item, if_match=if_match, body_version=changes.version)
    latest = await item_versions.get_version(
        session=session, content_id=content_id, version=item.version
    )
    if changes.content is not None and changes.content.type != item.type:
        raise TypeChangeRefused(
            f"This item is a {item.type}; create a new item for a {changes.content.type}."
        )
    current = parse_content(item.content)
    if changes.content is not None:
        await item_media.check_new_media(
            session=session,
            principal=principal,
            content=changes.content,
            already_used=item_media.media_ids(current),
        )
    content, skill_ids = await item_versions.resolve_skills(
        session=session,
        content=changes.content or current,
        item_skills=changes.skills if changes.skills is not None else latest.skill_ids,
    )
    metadata = changes.metadata.model_dump(mode="json") if changes.metadata else item.metadata_
    proposed = snapshot(
        title=changes.title or item.title,
        type=item.type,
        content=content,
        metadata=metadata,
        skill_ids=skill_ids,
    )
    changed = False
    if proposed != item_versions.document_of(latest):
        latest = await item_versions.record_next_version(
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
    access = await item_access.for_writing(
        session=session, principal=principal, content_id=content_id
    )
    item_access.check_version(access.item, if_match=if_match, body_version=revert.version)
    target = await item_versions.get_version(
        session=session, content_id=content_id, version=revert.to_version
    )
    document = await item_versions.restorable_document(session=session, version=target)
    await item_media.check_new_media(
        session=session,
        principal=principal,
        content=parse_content(document["content"]),
        already_used=item_media.media_ids(parse_content(access.item.content)),
    )
    latest = await item_versions.record_next_version(
        session=session,
        item=access.item,
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
    access = await item_access.for_writing(
        session=session, principal=principal, content_id=content_id
    )
    item = access.item
    if if_match is not None:
        item_access.check_version(item, if_match=if_match, body_version=None)
    published = await item_versions.get_version(
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
    access = await item_access.for_writing(
        session=session, principal=principal, content_id=content_id
    )
    item = access.item
    if item.published_version is not None:
        item.published_version = None
        await session.flush()
        await course_service.bump_revision(session=session, course=access.course)
    latest = await item_versions.get_version(
        session=session, content_id=content_id, version=item.version
    )
    return _item_read(access, latest, View.DRAFT)


async def delete_item(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID, if_match: str | None
) -> None:
    """Deletes the item with its versions (and the progress recorded on it)."""
    access = await item_access.for_writing(
        session=session, principal=principal, content_id=content_id
    )
    if if_match is not None:
        item_access.check_version(access.item, if_match=if_match, body_version=None)
    await session.delete(access.item)
    await session.flush()
    await course_service.bump_revision(session=session, course=access.course)


async def publish_course_items(
    *, session: AsyncSession, course: Course, author_id: uuid.UUID
) -> int:
    """Publishes the latest version of every item of the course whose latest version is not
    the published one; returns how many. For the course's publish endpoint, which has checked
    access (and locked the course); bumps the course's revision when anything changed."""
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


def _unpublished_changes(item: ContentItem) -> bool:
    return item.published_version != item.version


def _item_read(access: ItemAccess, version: ContentVersion, view: View) -> ItemRead:
    """The item showing ``version``: in full for its editors, as a learner view otherwise."""
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
        all_skill_ids=[
            uuid.UUID(s) for s in item_versions.all_skill_ids(version.content, version.skill_ids)
        ],
        created_at=item.created_at,
        updated_at=item.updated_at,
        published_at=version.published_at,
    )
