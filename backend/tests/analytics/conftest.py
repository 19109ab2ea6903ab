"""The progress tests' course world (someone in every role, a published course with a lesson,
a video, a quiz, an optional link and a second module), plus helpers for the analytics API."""

import uuid
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.analytics.models import ActivityEvent
from learnwise.platform import relay
from learnwise.platform.runtime import Runtime
from tests.progress.conftest import (  # noqa: F401  (fixtures)
    World,
    cheap_passwords,
    world,
)

API = "/api/v1"


async def set_consent(client: httpx.AsyncClient, who: Any, consent: bool) -> None:
    response = await client.patch(
        f"{API}/users/me/settings", json={"analytics_consent": consent}, headers=who.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["analytics_consent"] is consent


def lesson_view(content_id: str, at: datetime, event_id: uuid.UUID | None = None) -> dict:
    return {
        "type": "lesson_view",
        "id": str(event_id or uuid.uuid4()),
        "occurred_at": at.isoformat(),
        "content_id": content_id,
    }


def seek_back(content_id: str, at: datetime) -> dict:
    return {
        "type": "video_seek",
        "id": str(uuid.uuid4()),
        "occurred_at": at.isoformat(),
        "content_id": content_id,
        "from_seconds": 120,
        "to_seconds": 30,
    }


async def send(client: httpx.AsyncClient, who: Any, events: list[dict]) -> httpx.Response:
    return await client.post(
        f"{API}/analytics/events", json={"events": events}, headers=who.headers
    )


async def client_events(session: AsyncSession, user_id: uuid.UUID | None = None) -> int:
    query = select(func.count()).select_from(ActivityEvent).where(ActivityEvent.source == "client")
    if user_id is not None:
        query = query.where(ActivityEvent.user_id == user_id)
    return int(await session.scalar(query) or 0)


async def metrics(of: World, *, by: Any | None = None, **params: Any) -> httpx.Response:
    """The course metrics of the world's course, as its owner (or ``by``) sees them."""
    return await of.client.get(
        f"{API}/analytics/course-metrics",
        params={"course_id": of.course_id, **params},
        headers=(by or of.owner).headers,
    )


async def relayed(runtime: Runtime) -> None:
    await relay.drain(runtime)
