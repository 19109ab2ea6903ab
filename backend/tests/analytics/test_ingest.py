"""POST /analytics/events: validated, deduplicated, rate limited, stored only with consent."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.analytics.models import ActivityEvent
from learnwise.db import utcnow
from learnwise.platform.runtime import Runtime

from .conftest import (
    World,
    client_events,
    lesson_view,
    metrics,
    relayed,
    seek_back,
    send,
    set_consent,
)


async def test_without_consent_nothing_is_stored(world: World, db_session: AsyncSession) -> None:
    response = await send(world.client, world.learner, [lesson_view(world.lesson, utcnow())])

    assert response.status_code == 200, response.text
    assert response.json() == {
        "received": 1,
        "stored": 0,
        "duplicates": 0,
        "not_stored_without_consent": 1,
    }
    assert await client_events(db_session) == 0


async def test_with_consent_events_are_stored_once(world: World, db_session: AsyncSession) -> None:
    await set_consent(world.client, world.learner, True)
    now = utcnow()
    view = lesson_view(world.lesson, now)
    batch = [view, view, seek_back(world.video, now), lesson_view(world.lesson, now)]

    first = await send(world.client, world.learner, batch)
    replayed = await send(world.client, world.learner, batch)

    assert first.status_code == replayed.status_code == 200
    assert first.json() == {
        "received": 4,
        "stored": 3,
        "duplicates": 1,
        "not_stored_without_consent": 0,
    }
    assert replayed.json()["stored"] == 0
    assert replayed.json()["duplicates"] == 4
    assert await client_events(db_session, world.learner.user_id) == 3
    seek = await db_session.scalar(select(ActivityEvent).where(ActivityEvent.type == "video_seek"))
    assert seek is not None
    assert (str(seek.course_id), str(seek.content_id)) == (world.course_id, world.video)
    assert seek.data == {"from_seconds": 120.0, "to_seconds": 30.0}
    body = (await metrics(world)).json()
    items = {i["content_id"]: i for m in body["modules"] for i in m["items"]}
    assert items[world.lesson]["views"] == 2
    assert items[world.video]["replays"] == 1
    assert body["most_replayed"] == [
        {"content_id": world.video, "title": "Loops on video", "replays": 1}
    ]


async def test_withdrawn_consent_applies_to_the_next_request(
    world: World, db_session: AsyncSession
) -> None:
    await set_consent(world.client, world.learner, True)
    assert (await send(world.client, world.learner, [lesson_view(world.lesson, utcnow())])).json()[
        "stored"
    ] == 1
    await set_consent(world.client, world.learner, False)

    after = await send(world.client, world.learner, [lesson_view(world.lesson, utcnow())])

    assert after.json()["not_stored_without_consent"] == 1
    assert await client_events(db_session, world.learner.user_id) == 1


async def test_without_consent_the_events_the_service_needs_are_still_kept(
    world: World, db_session: AsyncSession, runtime: Runtime
) -> None:
    await set_consent(world.client, world.learner, False)
    refused = await send(world.client, world.learner, [lesson_view(world.lesson, utcnow())])
    await world.reported(world.lesson, time_spent_seconds=40, completed=True)
    await relayed(runtime)

    assert refused.json()["not_stored_without_consent"] == 1
    assert await client_events(db_session, world.learner.user_id) == 0
    kept = await db_session.scalars(
        select(ActivityEvent.type).where(
            ActivityEvent.user_id == world.learner.user_id, ActivityEvent.source == "server"
        )
    )
    assert {"progress.recorded", "item.completed"} <= set(kept)
    items = {
        i["content_id"]: i for m in (await metrics(world)).json()["modules"] for i in m["items"]
    }
    assert (items[world.lesson]["learners_completed"], items[world.lesson]["views"]) == (1, 0)


async def test_the_same_event_id_of_two_users_is_two_events(
    world: World, db_session: AsyncSession
) -> None:
    shared = uuid.uuid4()
    for who in (world.learner, world.outsider):
        await set_consent(world.client, who, True)
        response = await send(world.client, who, [lesson_view(world.lesson, utcnow(), shared)])
        assert response.json()["stored"] == 1
    assert await client_events(db_session) == 2


def _bad_batches(world: World) -> dict[str, tuple[list | dict, int, str]]:
    now = utcnow()
    good = lesson_view(world.lesson, now)
    return {
        "future": ([lesson_view(world.lesson, now + timedelta(hours=1))], 422, "event-time"),
        "distant past": ([lesson_view(world.lesson, now - timedelta(days=30))], 422, "event-time"),
        "naive time": ([good | {"occurred_at": now.replace(tzinfo=None).isoformat()}], 422, "val"),
        "unknown type": ([good | {"type": "mouse_move"}], 422, "validation-failed"),
        "extra field": ([good | {"email": "x@example.org"}], 422, "validation-failed"),
        "missing id": ([{k: v for k, v in good.items() if k != "id"}], 422, "validation"),
        "bad speed": (
            [good | {"type": "video_speed", "position_seconds": 3, "rate": 16}],
            422,
            "validation-failed",
        ),
        "another user": ([good | {"user_id": str(world.outsider.user_id)}], 403, "event-user"),
        "unknown item": ([lesson_view(str(uuid.uuid4()), now)], 422, "unknown-event-content"),
        "empty": ([], 422, "validation-failed"),
        "not a list": ({"type": "lesson_view"}, 422, "validation-failed"),
    }


async def test_bad_batches_are_refused_whole(world: World, db_session: AsyncSession) -> None:
    await set_consent(world.client, world.learner, True)
    for name, (events, status, code) in _bad_batches(world).items():
        batch = (
            [lesson_view(world.lesson, utcnow()), *events] if isinstance(events, list) else events
        )
        if name == "empty":
            batch = []
        response = await world.client.post(
            "/api/v1/analytics/events", json={"events": batch}, headers=world.learner.headers
        )
        assert response.status_code == status, (name, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"].startswith(code), (name, response.json())
    assert await client_events(db_session) == 0


async def test_malformed_json_is_a_400(world: World, db_session: AsyncSession) -> None:
    response = await world.client.post(
        "/api/v1/analytics/events",
        content=b'{"events": [',
        headers={**world.learner.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed-json"


async def test_a_huge_batch_is_refused(
    world: World, db_session: AsyncSession, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await set_consent(world.client, world.learner, True)
    monkeypatch.setattr(runtime.settings.analytics, "max_batch_events", 3)
    now = utcnow()

    response = await send(world.client, world.learner, [lesson_view(world.lesson, now)] * 4)

    assert response.status_code == 413
    assert response.json()["code"] == "event-batch-too-large"
    assert await client_events(db_session) == 0


async def test_batches_are_rate_limited_per_user(
    world: World, db_session: AsyncSession, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.settings.analytics, "ingest_rate_per_user", "2/minute")
    statuses = [
        (await send(world.client, world.learner, [lesson_view(world.lesson, utcnow())])).status_code
        for _ in range(3)
    ]
    other = await send(world.client, world.outsider, [lesson_view(world.lesson, utcnow())])

    assert statuses == [200, 200, 429]
    assert other.status_code == 200


async def test_anonymous_callers_may_not_send_events(world: World) -> None:
    response = await world.client.post(
        "/api/v1/analytics/events", json={"events": [lesson_view(world.lesson, utcnow())]}
    )
    assert response.status_code == 401


async def test_instructors_and_admins_send_their_own_events_too(
    world: World, db_session: AsyncSession
) -> None:
    for who in (world.owner, world.admin):
        await set_consent(world.client, who, True)
        response = await send(world.client, who, [lesson_view(world.lesson, utcnow())])
        assert response.status_code == 200, response.text
        assert response.json()["stored"] == 1
        assert await client_events(db_session, who.user_id) == 1
    assert await client_events(db_session) == 2
