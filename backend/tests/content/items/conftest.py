"""A course world for the items API: one course with a module, and someone in every role."""

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.content.models import Course, CourseInstructor, Enrollment, Module
from learnwise.media.models import Media, MediaBlob

from .samples import FILE_ID, VIDEO_ID, VTT_ID

API = "/api/v1"

Account = Any  # tests/conftest.py's Account: .user_id, .headers


@dataclass
class World:
    course_id: uuid.UUID
    module_id: uuid.UUID
    admin: Account
    owner: Account
    co_instructor: Account
    other_instructor: Account
    learner: Account  # enrolled
    outsider: Account  # a learner not enrolled

    @property
    def items_url(self) -> str:
        return f"{API}/courses/{self.course_id}/modules/{self.module_id}/items"


async def add_course(
    session: AsyncSession, owner_id: uuid.UUID, *, status: str = "published"
) -> tuple[Course, Module]:
    course = Course(
        slug=f"course-{secrets.token_hex(4)}", title="Python", owner_id=owner_id, status=status
    )
    session.add(course)
    await session.flush()
    module = Module(
        course_id=course.course_id, title="Basics", sequence_number=1, status="published"
    )
    session.add(module)
    await session.flush()
    return course, module


async def add_media(
    session: AsyncSession,
    owner_id: uuid.UUID,
    kind: str,
    content_type: str,
    media_id: str | None = None,
) -> Media:
    """A media file record (its bytes are not needed by the items API)."""
    checksum = secrets.token_hex(32)
    session.add(
        MediaBlob(
            checksum=checksum,
            storage_key=f"blobs/{checksum}",
            size_bytes=10,
            content_type=content_type,
        )
    )
    await session.flush()  # no relationship orders the two inserts
    media = Media(
        media_id=uuid.UUID(media_id) if media_id else uuid.uuid4(),
        owner_id=owner_id,
        checksum=checksum,
        kind=kind,
        content_type=content_type,
        size_bytes=10,
    )
    session.add(media)
    await session.flush()
    return media


@pytest.fixture
async def world(make_account, db_session: AsyncSession) -> World:
    admin = await make_account("admin")
    owner = await make_account("instructor")
    co_instructor = await make_account("instructor")
    other_instructor = await make_account("instructor")
    learner = await make_account("learner")
    outsider = await make_account("learner")
    course, module = await add_course(db_session, owner.user_id)
    db_session.add(CourseInstructor(course_id=course.course_id, user_id=co_instructor.user_id))
    db_session.add(Enrollment(user_id=learner.user_id, course_id=course.course_id))
    await add_media(db_session, owner.user_id, "video", "video/mp4", VIDEO_ID)
    await add_media(db_session, owner.user_id, "text", "text/vtt", VTT_ID)
    await add_media(db_session, owner.user_id, "document", "application/pdf", FILE_ID)
    await db_session.commit()
    return World(
        course.course_id,
        module.module_id,
        admin,
        owner,
        co_instructor,
        other_instructor,
        learner,
        outsider,
    )


async def create_item(
    client: httpx.AsyncClient,
    world: World,
    content: dict[str, Any],
    *,
    by: Account | None = None,
    title: str = "An item",
    **fields: Any,
) -> dict[str, Any]:
    response = await client.post(
        world.items_url,
        json={"title": title, "content": content, **fields},
        headers=(by or world.owner).headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def patch_item(
    client: httpx.AsyncClient,
    content_id: str,
    changes: dict[str, Any],
    *,
    by: Account,
    version: int | None,
) -> httpx.Response:
    headers = dict(by.headers)
    if version is not None:
        headers["If-Match"] = f'W/"{version}"'
    return await client.patch(f"{API}/items/{content_id}", json=changes, headers=headers)


async def publish(client: httpx.AsyncClient, content_id: str, *, by: Account) -> dict[str, Any]:
    response = await client.post(f"{API}/items/{content_id}/publish", headers=by.headers)
    assert response.status_code == 200, response.text
    return response.json()
