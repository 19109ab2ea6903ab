"""Who may make and see progress, on what, and in which version of an item.

Progress is made by enrolled learners on the published items of published modules of their
courses; their courses' instructors (with the permission to see learners) and admins see it
and may reset it. Reports name the version of the item they were made on; quizzes are graded
against the key of that version, which must be the published one or one replaced recently.
"""

import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.content import item_access, item_versions
from learnwise.content import service as content_service
from learnwise.content.content_types import ItemContent, parse_content
from learnwise.content.item_access import ItemAccess
from learnwise.content.item_exceptions import EnrollmentRequired, VersionNotFound
from learnwise.content.models import ContentVersion, Course, Enrollment
from learnwise.content.schemas import CourseSettings
from learnwise.progress.exceptions import (
    InvalidProgress,
    LearnerNotFound,
    LearnerProgressDenied,
    QuizVersionOutdated,
    UnknownQuizVersion,
)

# A quiz version replaced by a newer one is still graded this long afterwards, so that whoever
# opened the quiz before the instructor republished it can hand it in.
QUIZ_VERSION_GRACE = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class ItemRef:
    """What a progress view says about the item it is on."""

    content_id: uuid.UUID
    module_id: uuid.UUID
    course_id: uuid.UUID
    type: str

    @classmethod
    def of(cls, access: ItemAccess) -> "ItemRef":
        return cls(
            access.item.content_id, access.item.module_id, access.course.course_id, access.item.type
        )


@dataclass(frozen=True, slots=True)
class Target:
    """An item a learner works on, in the version they were shown."""

    access: ItemAccess
    settings: CourseSettings
    version: ContentVersion
    content: ItemContent

    @classmethod
    def of(cls, access: ItemAccess, version: ContentVersion) -> "Target":
        return cls(
            access=access,
            settings=content_service.course_settings(access.course),
            version=version,
            content=parse_content(version.content),
        )

    @property
    def ref(self) -> ItemRef:
        return ItemRef.of(self.access)

    @property
    def course(self) -> Course:
        return self.access.course

    def event_fields(self) -> dict[str, Any]:
        """What every event about the item says of it."""
        return {
            "content_id": str(self.access.item.content_id),
            "module_id": str(self.access.item.module_id),
            "course_id": str(self.access.course.course_id),
            "item_type": self.access.item.type,
        }


async def learner_access(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID
) -> ItemAccess:
    """The item if the caller is an enrolled learner who may see it: EnrollmentRequired (403)
    in a course they may see but are not enrolled in; ItemNotFound (404) for drafts, items of
    unpublished modules and courses they may not see."""
    access = await item_access.for_enrolled_learner(
        session=session, principal=principal, content_id=content_id
    )
    if access is not None:
        return access
    access = await item_access.for_reading(
        session=session, principal=principal, content_id=content_id
    )
    if not await content_service.is_enrolled(
        session=session, user_id=principal.user_id, course=access.course
    ):
        raise EnrollmentRequired("Enroll in the course to make progress in it.")
    await item_access.ensure_learner_may_see(session=session, principal=principal, access=access)
    return access


async def course_for_instructor(
    *, session: AsyncSession, principal: Principal, course_id: uuid.UUID
) -> Course:
    """The course if the caller teaches it (with the permission to see its learners) or is an
    admin; LearnerProgressDenied (403) if they only see it, CourseNotFound (404) otherwise."""
    course = await content_service.get_course_for_read(
        session=session, principal=principal, course_id=course_id
    )
    if content_service.is_admin(principal):
        return course
    if principal.can(Permission.LEARNERS_READ) and await content_service.is_instructor(
        session=session, user_id=principal.user_id, course=course
    ):
        return course
    raise LearnerProgressDenied("Only the course's instructors and admins see its learners.")


async def enrollment_of(
    *, session: AsyncSession, user_id: uuid.UUID, course: Course
) -> Enrollment | None:
    """The user's enrollment in the course, active or dropped (dropped learners keep their
    progress, and their instructors still see it)."""
    return await session.scalar(
        select(Enrollment).where(
            Enrollment.user_id == user_id, Enrollment.course_id == course.course_id
        )
    )


async def ensure_learner(*, session: AsyncSession, user_id: uuid.UUID, course: Course) -> None:
    if await enrollment_of(session=session, user_id=user_id, course=course) is None:
        raise LearnerNotFound("This user never enrolled in the course.")


# Published versions, which never change once published (a new edit makes a new version): every
# progress report reads the one it was made on, so each process keeps the most recent ones.
_PUBLISHED_VERSIONS_HELD = 4096
_published_versions: OrderedDict[tuple[uuid.UUID, int], ContentVersion] = OrderedDict()


async def _version(
    *, session: AsyncSession, content_id: uuid.UUID, version: int
) -> ContentVersion | None:
    key = (content_id, version)
    held = _published_versions.get(key)
    if held is not None:
        _published_versions.move_to_end(key)
        return held
    try:
        found = await item_versions.get_version(
            session=session, content_id=content_id, version=version
        )
    except VersionNotFound:
        return None
    if found.published_at is not None:
        # Out of the session, so that its rollback cannot expire what other requests read.
        session.expunge(found)
        _published_versions[key] = found
        if len(_published_versions) > _PUBLISHED_VERSIONS_HELD:
            _published_versions.popitem(last=False)
    return found


async def shown_version(
    *, session: AsyncSession, access: ItemAccess, version: int | None
) -> ContentVersion:
    """The version a report was made on: the published one (by default), or one published
    before; InvalidProgress for a version learners never saw."""
    current = access.item.published_version
    assert current is not None  # learner_access lets only published items through
    number = current if version is None else version
    found = await _version(session=session, content_id=access.item.content_id, version=number)
    if found is None or (number != current and found.published_at is None):
        raise InvalidProgress(
            f"Version {number} of this item was never published; the current one is {current}.",
            current_version=current,
        )
    return found


async def quiz_version(
    *, session: AsyncSession, access: ItemAccess, version: int, now: datetime
) -> ContentVersion:
    """The version a quiz was taken in: the published one, or one published before and
    replaced less than QUIZ_VERSION_GRACE ago. UnknownQuizVersion (422) for a version never
    published; QuizVersionOutdated (409) for one replaced long ago."""
    content_id, current = access.item.content_id, access.item.published_version
    found = await _version(session=session, content_id=content_id, version=version)
    if found is not None and version == current:
        return found
    if found is None or found.published_at is None:
        raise UnknownQuizVersion(
            f"This quiz was never published in version {version}; the current one is "
            f"{current}. Reload the quiz.",
            current_version=current,
        )
    replaced_at = await session.scalar(
        select(func.min(ContentVersion.published_at)).where(
            ContentVersion.content_id == content_id,
            ContentVersion.published_at > found.published_at,
        )
    )
    if replaced_at is None or replaced_at < now - QUIZ_VERSION_GRACE:
        raise QuizVersionOutdated(
            f"Version {version} of this quiz was replaced by version {current}; "
            "reload the quiz and take it again.",
            current_version=current,
        )
    return found
