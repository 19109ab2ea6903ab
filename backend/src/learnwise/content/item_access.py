"""Who may see and change a content item, and the version precondition of its edits.

Access is the course's (through the course service): its instructors and admins edit items
and see drafts and history; its enrolled learners see published items of published modules;
anyone else who may see the course is told to enroll; for everyone else the item does not exist.

Writers lock the course row first (the course service does, for every change to a course) and
then the item row, always in that order, so concurrent edits of one course queue up instead of
deadlocking, and a version compared under the lock stays current until commit.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.content import service as course_service
from learnwise.content.exceptions import (
    CourseNotFound,
    ModuleNotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from learnwise.content.item_exceptions import DraftAccessDenied, EnrollmentRequired, ItemNotFound
from learnwise.content.models import (
    ContentItem,
    Course,
    CourseInstructor,
    CourseStatus,
    Enrollment,
    Module,
)
from learnwise.content.versioning import etag, parse_if_match

PUBLISHED = "published"  # the status of a module learners see


@dataclass(frozen=True, slots=True)
class ItemAccess:
    item: ContentItem
    module: Module
    course: Course
    can_edit: bool


async def _load(
    *, session: AsyncSession, content_id: uuid.UUID, lock: bool = False
) -> tuple[ContentItem, Module]:
    query = (
        select(ContentItem, Module)
        .join(Module, Module.module_id == ContentItem.module_id)
        .where(ContentItem.content_id == content_id)
    )
    if lock:
        # populate_existing: the values read under the lock, not those the session held.
        query = query.with_for_update(of=ContentItem).execution_options(populate_existing=True)
    row = (await session.execute(query)).one_or_none()
    if row is None:
        raise ItemNotFound("No such content item.")
    return row[0], row[1]


async def for_reading(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID
) -> ItemAccess:
    """The item if the caller may see its course (ItemNotFound otherwise), and whether they may
    edit it. What they may see of it is up to the caller (``ensure_learner_may_see``)."""
    item, module = await _load(session=session, content_id=content_id)
    try:
        course = await course_service.get_course_for_read(
            session=session, principal=principal, course_id=module.course_id
        )
    except CourseNotFound as exc:
        raise ItemNotFound("No such content item.") from exc
    viewer = await course_service.viewer_of(session=session, principal=principal, course=course)
    return ItemAccess(item, module, course, viewer.can_edit)


async def for_enrolled_learner(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID
) -> ItemAccess | None:
    """The item, in one query, when the caller is an enrolled learner of its published or
    archived course and the item and its module are published: what ``for_reading`` and
    ``ensure_learner_may_see`` let through, for the hot path of learners' progress reports.
    None in every other case; those two then say why (or let an instructor or admin through)."""
    enrolled = exists().where(
        Enrollment.course_id == Course.course_id,
        Enrollment.user_id == principal.user_id,
        Enrollment.status == course_service.ACTIVE,
    )
    co_teaches = exists().where(
        CourseInstructor.course_id == Course.course_id,
        CourseInstructor.user_id == principal.user_id,
    )
    row = (
        await session.execute(
            select(ContentItem, Module, Course, enrolled, co_teaches)
            .join(Module, Module.module_id == ContentItem.module_id)
            .join(Course, Course.course_id == Module.course_id)
            .where(ContentItem.content_id == content_id)
        )
    ).one_or_none()
    if row is None:
        return None
    item, module, course, is_enrolled, is_co_instructor = row
    if (
        not is_enrolled
        or course.status not in (CourseStatus.PUBLISHED, CourseStatus.ARCHIVED)
        or item.published_version is None
        or module.status != PUBLISHED
    ):
        return None
    instructor = course.owner_id == principal.user_id or is_co_instructor
    can_edit = course_service.is_admin(principal) or (
        instructor and principal.can(Permission.COURSE_WRITE)
    )
    return ItemAccess(item, module, course, can_edit)


async def for_writing(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID
) -> ItemAccess:
    """The item, locked, if the caller may change its course: CourseAccessDenied (403) when
    they may only see the course, ItemNotFound when not even that."""
    _, module = await _load(session=session, content_id=content_id)
    try:
        course = await course_service.get_course_for_write(
            session=session, principal=principal, course_id=module.course_id
        )
    except CourseNotFound as exc:
        raise ItemNotFound("No such content item.") from exc
    item, module = await _load(session=session, content_id=content_id, lock=True)
    return ItemAccess(item, module, course, True)


async def for_history(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID
) -> ItemAccess:
    """The item if the caller may see its drafts and history (its course's instructors)."""
    access = await for_reading(session=session, principal=principal, content_id=content_id)
    if not access.can_edit:
        await ensure_learner_may_see(session=session, principal=principal, access=access)
        raise DraftAccessDenied("Only the course's instructors may see an item's history.")
    return access


async def ensure_learner_may_see(
    *, session: AsyncSession, principal: Principal, access: ItemAccess
) -> None:
    """Lets through only enrolled learners, and only to published items of published modules."""
    if not await course_service.can_see_content(
        session=session, principal=principal, course=access.course
    ):
        raise EnrollmentRequired("Enroll in the course to see its content.")
    if access.item.published_version is None or access.module.status != PUBLISHED:
        raise ItemNotFound("No such content item.")


async def module_in_course(
    *, session: AsyncSession, course: Course, module_id: uuid.UUID, learner: bool = False
) -> Module:
    """The module if it belongs to the course (and for a learner, is published)."""
    module = await session.get(Module, module_id)
    if (
        module is None
        or module.course_id != course.course_id
        or (learner and module.status != PUBLISHED)
    ):
        raise ModuleNotFound("No such module in this course.")
    return module


async def module_for_writing(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID, module_id: uuid.UUID
) -> tuple[Course, Module]:
    course = await course_service.get_course_for_write(
        session=session, principal=principal, course_id=course_id
    )
    return course, await module_in_course(session=session, course=course, module_id=module_id)


def check_version(item: ContentItem, *, if_match: str | None, body_version: int | None) -> None:
    """The optimistic-concurrency check: the edit must name the item's latest version, in
    If-Match or in the body's ``version`` (when both are given, both must)."""
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
