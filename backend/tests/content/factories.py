"""Factories for the courses API tests: courses built through the API (content items, another
domain's API, are written straight to the database as the items service would)."""

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.content import service as content_service
from learnwise.content.models import ContentItem, ContentVersion, Course

API = "/api/v1"
COURSES = f"{API}/courses"

Account = Any  # tests/conftest.py's Account: .user_id, .headers


@dataclass
class People:
    admin: Account
    owner: Account
    co_instructor: Account
    other_instructor: Account
    learner: Account  # enrolled in the course under test, once a test enrolls them
    outsider: Account  # a learner never enrolled


def headers(account: Account | None, **extra: str) -> dict[str, str]:
    return {**(account.headers if account is not None else {}), **extra}


class Courses:
    """Builds courses through the API, asserting each step worked."""

    def __init__(self, client: httpx.AsyncClient, session: AsyncSession) -> None:
        self.client = client
        self.session = session

    async def create(self, who: Account, **fields: Any) -> dict[str, Any]:
        fields.setdefault("title", f"Course {uuid.uuid4().hex[:8]}")
        response = await self.client.post(COURSES, json=fields, headers=headers(who))
        assert response.status_code == 201, response.text
        return response.json()

    async def get(self, who: Account | None, course_id: Any) -> httpx.Response:
        return await self.client.get(f"{COURSES}/{course_id}", headers=headers(who))

    async def read(self, who: Account | None, course_id: Any) -> dict[str, Any]:
        response = await self.get(who, course_id)
        assert response.status_code == 200, response.text
        return response.json()

    async def etag(self, who: Account, course_id: Any) -> str:
        response = await self.get(who, course_id)
        assert response.status_code == 200, response.text
        return response.headers["ETag"]

    async def patch(
        self, who: Account | None, course_id: Any, changes: dict[str, Any], etag: str | None = None
    ) -> httpx.Response:
        extra = {"If-Match": etag} if etag is not None else {}
        return await self.client.patch(
            f"{COURSES}/{course_id}", json=changes, headers=headers(who, **extra)
        )

    async def action(self, who: Account | None, course_id: Any, name: str) -> httpx.Response:
        return await self.client.post(f"{COURSES}/{course_id}/{name}", headers=headers(who))

    async def publish(self, who: Account, course_id: Any) -> dict[str, Any]:
        response = await self.action(who, course_id, "publish")
        assert response.status_code == 200, response.text
        return response.json()

    async def module(self, who: Account, course_id: Any, title: str = "Module") -> dict[str, Any]:
        response = await self.client.post(
            f"{COURSES}/{course_id}/modules", json={"title": title}, headers=headers(who)
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def add_co_instructor(self, who: Account, course_id: Any, user_id: Any) -> None:
        response = await self.client.post(
            f"{COURSES}/{course_id}/instructors",
            json={"user_id": str(user_id)},
            headers=headers(who),
        )
        assert response.status_code == 200, response.text

    async def enroll(self, who: Account, course_id: Any) -> httpx.Response:
        return await self.client.post(f"{COURSES}/{course_id}/enrollment", headers=headers(who))

    async def item(
        self,
        course_id: Any,
        module_id: Any,
        title: str,
        *,
        sequence_number: int,
        published: bool = True,
        author: Account | None = None,
    ) -> uuid.UUID:
        """A lesson written straight to the database (version 1, published or not), as the
        items service would, bumping the course's revision."""
        item = ContentItem(
            module_id=uuid.UUID(str(module_id)),
            title=title,
            sequence_number=sequence_number,
            type="lesson",
            content={"type": "lesson", "body": f"Secret body of {title}"},
            metadata_={},
            version=1,
            published_version=1 if published else None,
        )
        self.session.add(item)
        await self.session.flush()
        self.session.add(
            ContentVersion(
                content_id=item.content_id,
                version=1,
                type="lesson",
                title=title,
                content=item.content,
                metadata_={},
                author_id=author.user_id if author else None,
            )
        )
        course = await self.session.get(Course, uuid.UUID(str(course_id)))
        assert course is not None
        await content_service.bump_revision(session=self.session, course=course)
        await self.session.commit()
        return item.content_id

    async def outline(self, who: Account | None, course_id: Any) -> list[dict[str, Any]]:
        return (await self.read(who, course_id))["modules"]


@dataclass
class Taught:
    """A course with a co-instructor, two modules and items; published or not."""

    course_id: str
    module_ids: list[str]
