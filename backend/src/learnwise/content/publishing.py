"""Publishing a whole course: its status, its modules and the latest version of every item, in
one transaction, reported as a ``content.published`` event."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.service import Principal
from learnwise.content import item_service, service
from learnwise.content.models import Course
from learnwise.content.service import Precondition
from learnwise.platform import events
from learnwise.platform.events import EventType


async def publish_course(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    precondition: Precondition | None,
) -> Course:
    course = await service.publish_course(
        session=session, principal=principal, course_id=course_id, precondition=precondition
    )
    items_published = await item_service.publish_course_items(
        session=session, course=course, author_id=principal.user_id
    )
    await events.record(
        session=session,
        type=EventType.CONTENT_PUBLISHED,
        user_id=principal.user_id,
        course_id=course.course_id,
        payload={
            "course_id": str(course.course_id),
            "items_published": items_published,
            "revision": course.revision,
        },
    )
    return course
