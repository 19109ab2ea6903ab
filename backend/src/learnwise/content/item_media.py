"""Media files in content items: checked when content starts pointing at them, readable by the
people who may see that content, and kept while content uses them.

The last two are the media service's hooks, registered when this module is imported:

- read grant: the instructors of a course may read every file any version of its items points
  at; its enrolled learners the files of the published versions of items in published modules;
- use check: a file the latest or the published version of an item points at is not deleted.

A reference is found by the file's id in the stored JSON, so a Markdown lesson that embeds a
file by its URL counts as well.
"""

import uuid

from sqlalchemy import String, cast, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.service import Principal
from learnwise.content.content_types import ItemContent, media_references
from learnwise.content.exceptions import UnknownMedia
from learnwise.content.models import (
    ContentItem,
    ContentVersion,
    Course,
    CourseInstructor,
    CourseStatus,
    Enrollment,
    Module,
)
from learnwise.media import service as media_service
from learnwise.media.exceptions import MediaKindMismatch, MediaNotFound
from learnwise.media.models import Media

LEARNER_VISIBLE_COURSES = (CourseStatus.PUBLISHED, CourseStatus.ARCHIVED)


async def check_new_media(
    *,
    session: AsyncSession,
    principal: Principal,
    content: ItemContent,
    already_used: set[uuid.UUID],
) -> None:
    """Each file the content points at, beyond ``already_used``, must exist, be readable by the
    caller and be of the right kind (a video for a video, WebVTT for captions)."""
    for reference in media_references(content):
        if reference.media_id in already_used:
            continue
        try:
            await media_service.get_attachable_media(
                session=session,
                principal=principal,
                media_id=reference.media_id,
                kinds=reference.kinds,
                content_types=reference.content_types,
            )
        except MediaNotFound as exc:
            raise UnknownMedia(
                f"{reference.field}: there is no media file {reference.media_id} you may use.",
                field=reference.field,
            ) from exc
        except MediaKindMismatch as exc:
            raise MediaKindMismatch(
                f"{reference.field}: {exc.detail}", field=reference.field
            ) from exc


def media_ids(content: ItemContent) -> set[uuid.UUID]:
    return {reference.media_id for reference in media_references(content)}


def _mentions(column: object, media_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """The content references the file in a typed media field (checked on write), not merely
    anywhere: an id typed into a lesson's text is JSON-escaped (\\"media_id\\": ...) and does
    not match, so it grants nobody access to someone else's file."""
    return cast(column, String).like(f'%"media_id": "{media_id}"%')


async def may_read_media(*, session: AsyncSession, principal: Principal, media: Media) -> bool:
    teaches = or_(
        Course.owner_id == principal.user_id,
        exists().where(
            CourseInstructor.course_id == Course.course_id,
            CourseInstructor.user_id == principal.user_id,
        ),
    )
    any_version_taught = (
        select(ContentVersion.version_id)
        .join(ContentItem, ContentItem.content_id == ContentVersion.content_id)
        .join(Module, Module.module_id == ContentItem.module_id)
        .join(Course, Course.course_id == Module.course_id)
        .where(teaches, _mentions(ContentVersion.content, media.media_id))
    )
    published_version_taken = (
        select(ContentVersion.version_id)
        .join(
            ContentItem,
            (ContentItem.content_id == ContentVersion.content_id)
            & (ContentItem.published_version == ContentVersion.version),
        )
        .join(Module, Module.module_id == ContentItem.module_id)
        .join(Course, Course.course_id == Module.course_id)
        .join(Enrollment, Enrollment.course_id == Course.course_id)
        .where(
            Enrollment.user_id == principal.user_id,
            Enrollment.status == "active",
            Course.status.in_(LEARNER_VISIBLE_COURSES),
            Module.status == "published",
            _mentions(ContentVersion.content, media.media_id),
        )
    )
    return bool(
        await session.scalar(
            select(or_(exists(any_version_taught), exists(published_version_taken)))
        )
    )


async def media_use(*, session: AsyncSession, media: Media) -> str | None:
    latest = select(ContentItem.type, ContentItem.title).where(
        _mentions(ContentItem.content, media.media_id)
    )
    published = (
        select(ContentItem.type, ContentItem.title)
        .join(
            ContentVersion,
            (ContentVersion.content_id == ContentItem.content_id)
            & (ContentVersion.version == ContentItem.published_version),
        )
        .where(_mentions(ContentVersion.content, media.media_id))
    )
    for query in (latest, published):
        row = (await session.execute(query.limit(1))).first()
        if row is not None:
            return f"the {row.type} item {row.title!r}"
    return None


media_service.register_read_grant(may_read_media)
media_service.register_use_check(media_use)
