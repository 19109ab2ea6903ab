"""Courses and modules: who may see and change them, and the changes themselves.

Other domains reach courses through the access checks here (``get_course_for_read``,
``get_course_for_write``, ``can_see_content``) and tell the course it changed with
``bump_revision``, whose number is the course's ETag and the key of its cache entries.
"""

import uuid

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.content.exceptions import (
    CourseAccessDenied,
    CourseNotFound,
    ModuleNotFound,
    PreconditionFailed,
)
from learnwise.content.models import Course, CourseInstructor, CourseStatus, Enrollment, Module

ACTIVE = "active"
DROPPED = "dropped"

# ---------------------------------------------------------------------------------------------
# Access


def is_admin(principal: Principal | None) -> bool:
    return principal is not None and principal.can(Permission.COURSE_WRITE_ANY)


async def is_instructor(*, session: AsyncSession, user_id: uuid.UUID, course: Course) -> bool:
    """Whether the user owns or co-teaches the course."""
    if course.owner_id == user_id:
        return True
    return bool(
        await session.scalar(
            select(
                exists().where(
                    CourseInstructor.course_id == course.course_id,
                    CourseInstructor.user_id == user_id,
                )
            )
        )
    )


async def is_enrolled(*, session: AsyncSession, user_id: uuid.UUID, course: Course) -> bool:
    """Whether the user holds an active enrollment in the course."""
    return bool(
        await session.scalar(
            select(
                exists().where(
                    Enrollment.course_id == course.course_id,
                    Enrollment.user_id == user_id,
                    Enrollment.status == ACTIVE,
                )
            )
        )
    )


async def _may_read(*, session: AsyncSession, principal: Principal | None, course: Course) -> bool:
    if course.status == CourseStatus.PUBLISHED:
        return True
    if principal is None:
        return False
    if is_admin(principal) or await is_instructor(
        session=session, user_id=principal.user_id, course=course
    ):
        return True
    return course.status == CourseStatus.ARCHIVED and await is_enrolled(
        session=session, user_id=principal.user_id, course=course
    )


async def get_course_for_read(
    *, session: AsyncSession, principal: Principal | None, course_id: uuid.UUID
) -> Course:
    """The course if the caller may see it: anyone a published course; enrolled learners an
    archived one; its instructors and admins any. Otherwise CourseNotFound, exactly as if it
    did not exist."""
    course = await session.get(Course, course_id)
    if course is None or not await _may_read(session=session, principal=principal, course=course):
        raise CourseNotFound("No such course.")
    return course


async def get_course_for_write(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID
) -> Course:
    """The course if the caller may change it (its owner, a co-instructor, or an admin).

    Others get CourseAccessDenied (403) when they can see the course, CourseNotFound otherwise.
    """
    course = await session.get(Course, course_id)
    if course is None:
        raise CourseNotFound("No such course.")
    if is_admin(principal):
        return course
    if principal.can(Permission.COURSE_WRITE) and await is_instructor(
        session=session, user_id=principal.user_id, course=course
    ):
        return course
    if await _may_read(session=session, principal=principal, course=course):
        raise CourseAccessDenied("Only the course's instructors and admins may change it.")
    raise CourseNotFound("No such course.")


async def can_see_content(
    *, session: AsyncSession, principal: Principal | None, course: Course
) -> bool:
    """Whether the caller may see the content of the course's items: its enrolled learners
    (published or archived course), its instructors and admins."""
    if principal is None:
        return False
    if is_admin(principal) or await is_instructor(
        session=session, user_id=principal.user_id, course=course
    ):
        return True
    return course.status in (CourseStatus.PUBLISHED, CourseStatus.ARCHIVED) and await is_enrolled(
        session=session, user_id=principal.user_id, course=course
    )


async def course_of_module(*, session: AsyncSession, module_id: uuid.UUID) -> Course:
    """The course a module belongs to (no access check: follow with one of the above)."""
    course = await session.scalar(
        select(Course)
        .join(Module, Module.course_id == Course.course_id)
        .where(Module.module_id == module_id)
    )
    if course is None:
        raise ModuleNotFound("No such module.")
    return course


async def bump_revision(
    *, session: AsyncSession, course: Course, expected: int | None = None
) -> int:
    """Records that the course or something in it changed; returns the new revision.

    With ``expected`` (the revision an If-Match named), raises PreconditionFailed unless the
    course is still at that revision. The increment is one conditional UPDATE, so of two
    concurrent writers holding the same revision exactly one succeeds.
    """
    condition = [Course.course_id == course.course_id]
    if expected is not None:
        condition.append(Course.revision == expected)
    revision = await session.scalar(
        update(Course)
        .where(*condition)
        .values(revision=Course.revision + 1)
        .returning(Course.revision)
        .execution_options(synchronize_session=False)
    )
    if revision is None:
        raise PreconditionFailed("The course changed since you read it; fetch it again and retry.")
    set_committed_value(course, "revision", revision)
    return revision
