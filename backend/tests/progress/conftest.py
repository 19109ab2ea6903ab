"""A course world for the progress API, built through the API: someone in every role, and a
published course of two modules (the second requires the first) with a lesson, a video, a quiz
and an optional link, and a second lesson."""

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import passwords
from learnwise.auth import service as auth_service
from learnwise.media.models import Media, MediaBlob
from learnwise.platform.models import OutboxEvent
from learnwise.platform.runtime import Runtime

API = "/api/v1"
PASSWORD = "correct horse battery staple"
ROLES = {
    "admin": "admin",
    "owner": "instructor",
    "other_instructor": "instructor",
    "learner": "learner",
    "outsider": "learner",
}
VIDEO_SECONDS = 300
LESSON_BODY = "# Loops\n\n" + "A `for` loop repeats its body once per element. " * 20

Account = Any  # tests/conftest.py's Account: .user_id, .headers


def lesson(body: str = LESSON_BODY) -> dict[str, Any]:
    return {"type": "lesson", "body": body}


def video(media_id: uuid.UUID) -> dict[str, Any]:
    return {"type": "video", "media_id": str(media_id), "duration_seconds": VIDEO_SECONDS}


def quiz(passing_score: float = 0.5, *, right: str = "a") -> dict[str, Any]:
    """Two single-choice questions: q1 (right answer ``right``) and q2 (right answer "b")."""
    options = [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}]
    return {
        "type": "quiz",
        "passing_score": passing_score,
        "questions": [
            {
                "id": "q1",
                "type": "single_choice",
                "prompt": "First?",
                "options": options,
                "correct": right,
                "explanation": "Because of the first reason.",
            },
            {
                "id": "q2",
                "type": "single_choice",
                "prompt": "Second?",
                "options": options,
                "correct": "b",
                "explanation": "Because of the second reason.",
            },
        ],
    }


def link() -> dict[str, Any]:
    return {"type": "link", "url": "https://example.org/reading"}


@dataclass
class World:
    client: httpx.AsyncClient
    course_id: str
    modules: list[str]
    lesson: str
    video: str
    quiz: str
    link: str  # optional
    lesson2: str  # in the second module, which requires the first
    admin: Account
    owner: Account
    other_instructor: Account
    learner: Account  # enrolled
    outsider: Account  # a learner not enrolled
    media_id: uuid.UUID

    @property
    def course_url(self) -> str:
        return f"{API}/courses/{self.course_id}"

    async def report(
        self, content_id: str, *, by: Account | None = None, key: str | None = None, **body: Any
    ) -> httpx.Response:
        """POST /items/{id}/progress with a fresh Idempotency-Key unless one is given."""
        return await self.client.post(
            f"{API}/items/{content_id}/progress",
            json=body,
            headers={
                **(by or self.learner).headers,
                "Idempotency-Key": key or str(uuid.uuid4()),
            },
        )

    async def reported(self, content_id: str, **body: Any) -> dict[str, Any]:
        response = await self.report(content_id, **body)
        assert response.status_code == 200, response.text
        return response.json()

    async def attempt(
        self,
        answers: dict[str, Any],
        *,
        version: int = 1,
        by: Account | None = None,
        key: str | None = None,
        content_id: str | None = None,
        **extra: Any,
    ) -> httpx.Response:
        return await self.client.post(
            f"{API}/items/{content_id or self.quiz}/attempts",
            json={"content_version": version, "answers": answers, **extra},
            headers={
                **(by or self.learner).headers,
                "Idempotency-Key": key or str(uuid.uuid4()),
            },
        )

    async def get(self, path: str, *, by: Account | None = None) -> httpx.Response:
        return await self.client.get(f"{API}{path}", headers=(by or self.learner).headers)

    async def course_progress(self, *, by: Account | None = None) -> dict[str, Any]:
        response = await self.get(f"/courses/{self.course_id}/progress", by=by)
        assert response.status_code == 200, response.text
        return response.json()

    async def item_progress(self, content_id: str, *, by: Account | None = None) -> dict[str, Any]:
        response = await self.get(f"/items/{content_id}/progress", by=by)
        assert response.status_code == 200, response.text
        return response.json()

    async def set_settings(self, **settings: Any) -> None:
        read = await self.client.get(self.course_url, headers=self.owner.headers)
        response = await self.client.patch(
            self.course_url,
            json={"settings": settings},
            headers={**self.owner.headers, "If-Match": read.headers["ETag"]},
        )
        assert response.status_code == 200, response.text

    async def add_item(
        self, module: int, content: dict[str, Any], *, publish: bool = True, **fields: Any
    ) -> str:
        response = await self.client.post(
            f"{self.course_url}/modules/{self.modules[module]}/items",
            json={"title": fields.pop("title", f"Item {secrets.token_hex(3)}"), "content": content}
            | fields,
            headers=self.owner.headers,
        )
        assert response.status_code == 201, response.text
        content_id = response.json()["content_id"]
        if publish:
            await self.publish(content_id)
        return content_id

    async def publish(self, content_id: str) -> dict[str, Any]:
        response = await self.client.post(
            f"{API}/items/{content_id}/publish", headers=self.owner.headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def edit(self, content_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        read = await self.client.get(
            f"{API}/items/{content_id}?view=draft", headers=self.owner.headers
        )
        response = await self.client.patch(
            f"{API}/items/{content_id}",
            json=changes,
            headers={**self.owner.headers, "If-Match": read.headers["ETag"]},
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def enroll(self, who: Account) -> None:
        response = await self.client.post(f"{self.course_url}/enrollment", headers=who.headers)
        assert response.status_code in (200, 201), response.text


async def events_of(
    session: AsyncSession, type_: str, user_id: uuid.UUID | None = None
) -> list[OutboxEvent]:
    query = select(OutboxEvent).where(OutboxEvent.type == type_)
    if user_id is not None:
        query = query.where(OutboxEvent.user_id == user_id)
    return list(await session.scalars(query.order_by(OutboxEvent.occurred_at)))


async def add_video_media(session: AsyncSession, owner_id: uuid.UUID) -> uuid.UUID:
    """A video file record (its bytes are not needed here)."""
    checksum = secrets.token_hex(32)
    session.add(
        MediaBlob(
            checksum=checksum,
            storage_key=f"blobs/{checksum}",
            size_bytes=10,
            content_type="video/mp4",
        )
    )
    await session.flush()
    media = Media(
        owner_id=owner_id, checksum=checksum, kind="video", content_type="video/mp4", size_bytes=10
    )
    session.add(media)
    await session.flush()
    return media.media_id


async def build_world(
    client: httpx.AsyncClient, session: AsyncSession, accounts: dict[str, Account]
) -> World:
    owner = accounts["owner"]
    media_id = await add_video_media(session, owner.user_id)
    await session.commit()
    created = await client.post(
        f"{API}/courses", json={"title": "Python basics"}, headers=owner.headers
    )
    assert created.status_code == 201, created.text
    course_id = created.json()["course_id"]
    modules = []
    for title in ("Basics", "Advanced"):
        response = await client.post(
            f"{API}/courses/{course_id}/modules", json={"title": title}, headers=owner.headers
        )
        assert response.status_code == 201, response.text
        modules.append(response.json()["module_id"])
    response = await client.put(
        f"{API}/courses/{course_id}/modules/{modules[1]}/prerequisites",
        json={"module_ids": [modules[0]]},
        headers=owner.headers,
    )
    assert response.status_code == 200, response.text
    world = World(
        client=client,
        course_id=course_id,
        modules=modules,
        lesson="",
        video="",
        quiz="",
        link="",
        lesson2="",
        media_id=media_id,
        **accounts,
    )
    world.lesson = await world.add_item(0, lesson(), title="Loops")
    world.video = await world.add_item(0, video(media_id), title="Loops on video")
    world.quiz = await world.add_item(0, quiz(), title="Loops quiz")
    world.link = await world.add_item(0, link(), title="Further reading", is_required=False)
    world.lesson2 = await world.add_item(1, lesson("# Generators\n\nYield."), title="Generators")
    response = await client.post(f"{API}/courses/{course_id}/publish", headers=owner.headers)
    assert response.status_code == 200, response.text
    await world.enroll(world.learner)
    return world


@pytest.fixture
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    # Several accounts per test: cheap Argon2 parameters keep the suite fast.
    monkeypatch.setattr(
        passwords,
        "password_hash",
        PasswordHash((Argon2Hasher(memory_cost=1024, time_cost=1, parallelism=1),)),
    )


@pytest.fixture
async def world(
    client: httpx.AsyncClient, db_session: AsyncSession, make_account, cheap_passwords: None
) -> World:
    accounts = {name: await make_account(role) for name, role in ROLES.items()}
    return await build_world(client, db_session, accounts)


@dataclass
class LiveAccount:
    user_id: uuid.UUID
    email: str
    access_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def live_account(client: httpx.AsyncClient, runtime: Runtime, role: str) -> LiveAccount:
    email = f"live-{secrets.token_hex(4)}@example.org"
    async with runtime.sessionmaker() as session:
        user = await auth_service.create_user(
            session=session, email=email, display_name="Live", password=PASSWORD, roles=(role,)
        )
        await session.commit()
    response = await client.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return LiveAccount(user.user_id, email, response.json()["access_token"])


@pytest.fixture
async def live_world(
    live_client: httpx.AsyncClient, runtime: Runtime, cheap_passwords: None
) -> World:
    """The world with real commits, for concurrent requests (its tables are emptied after)."""
    accounts = {
        name: await live_account(live_client, runtime, role) for name, role in ROLES.items()
    }
    async with runtime.sessionmaker() as session:
        return await build_world(live_client, session, accounts)
