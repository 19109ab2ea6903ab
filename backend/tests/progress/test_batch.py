"""The offline queue: events applied in order, each once per key (shared with the single
routes), with a result per event; an event that fails changes nothing and blocks nothing."""

import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.db import utcnow

from .conftest import API, World, events_of

BATCH = f"{API}/progress/batch"


def progress(content_id: str, key: str | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "progress",
        "idempotency_key": key or str(uuid.uuid4()),
        "content_id": content_id,
        **fields,
    }


def attempt(content_id: str, answers: dict[str, Any], key: str | None = None) -> dict[str, Any]:
    return {
        "kind": "quiz_attempt",
        "idempotency_key": key or str(uuid.uuid4()),
        "content_id": content_id,
        "content_version": 1,
        "answers": answers,
    }


async def send(world: World, events: list[dict[str, Any]], by: Any = None) -> httpx.Response:
    return await world.client.post(
        BATCH, json={"events": events}, headers=(by or world.learner).headers
    )


def offline_queue(world: World) -> list[dict[str, Any]]:
    start = utcnow() - timedelta(hours=3)
    return [
        progress(
            world.lesson,
            time_spent_seconds=10,
            completion_percentage=60,
            occurred_at=start.isoformat(),
        ),
        progress(
            world.video,
            time_spent_seconds=120,
            watched_ranges=[[0, 120]],
            occurred_at=(start + timedelta(minutes=5)).isoformat(),
        ),
        attempt(world.quiz, {"q1": "a", "q2": "b"}),
        progress(
            world.lesson,
            time_spent_seconds=15,
            completed=True,
            occurred_at=(start + timedelta(minutes=20)).isoformat(),
        ),
    ]


async def test_a_queue_is_applied_in_order_with_a_result_per_event(
    world: World, db_session: AsyncSession
) -> None:
    queue = offline_queue(world)

    response = await send(world, queue)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["applied"], body["replayed"], body["failed"]) == (4, 0, 0)
    results = body["results"]
    assert [r["index"] for r in results] == [0, 1, 2, 3]
    assert [r["idempotency_key"] for r in results] == [e["idempotency_key"] for e in queue]
    assert results[0]["progress"]["completion_percentage"] == 60
    assert results[1]["progress"]["completion_percentage"] == 40
    assert results[2]["attempt"]["passed"] is True
    assert results[3]["progress"]["status"] == "completed"
    assert results[3]["progress"]["time_spent_seconds"] == 25
    lesson = await world.item_progress(world.lesson)
    assert lesson["last_accessed"].startswith(queue[3]["occurred_at"][:19])
    assert len(await events_of(db_session, "progress.recorded")) == 3
    assert len(await events_of(db_session, "quiz.submitted")) == 1


async def test_a_queue_sent_twice_has_one_effect(world: World, db_session: AsyncSession) -> None:
    queue = offline_queue(world)

    first = await send(world, queue)
    second = await send(world, queue)

    assert second.status_code == 200
    again = second.json()
    assert (again["applied"], again["replayed"], again["failed"]) == (0, 4, 0)
    assert [r["outcome"] for r in again["results"]] == ["replayed"] * 4
    for before, after in zip(first.json()["results"], again["results"], strict=True):
        assert before["progress"] == after["progress"]
        assert before["attempt"] == after["attempt"]
    assert (await world.item_progress(world.lesson))["time_spent_seconds"] == 25
    assert (await world.item_progress(world.quiz))["attempts_count"] == 1
    assert len(await events_of(db_session, "progress.recorded")) == 3


async def test_a_failing_event_changes_nothing_and_blocks_nothing(
    world: World, db_session: AsyncSession
) -> None:
    bad = progress(world.lesson, key="bad", watched_ranges=[[0, 10]], time_spent_seconds=50)
    unknown = progress(str(uuid.uuid4()), completed=True)
    too_old = progress(
        world.link, completed=True, occurred_at=(utcnow() - timedelta(days=45)).isoformat()
    )
    good = progress(world.video, watched_ranges=[[0, 30]], time_spent_seconds=30)

    body = (await send(world, [bad, unknown, too_old, good])).json()
    fixed = (await send(world, [progress(world.lesson, key="bad", time_spent_seconds=50)])).json()

    assert [r["outcome"] for r in body["results"]] == ["failed", "failed", "failed", "applied"]
    errors = [r["error"] for r in body["results"][:3]]
    assert [(e["status"], e["code"]) for e in errors] == [
        (422, "invalid-progress"),
        (404, "item-not-found"),
        (422, "invalid-progress"),
    ]
    assert body["results"][0]["progress"] is None
    assert (await world.item_progress(world.link))["status"] == "not_started"
    assert fixed["results"][0]["outcome"] == "applied"
    assert (await world.item_progress(world.lesson))["time_spent_seconds"] == 50
    assert len(await events_of(db_session, "progress.recorded")) == 2


async def test_a_key_twice_in_one_queue(world: World) -> None:
    once = progress(world.lesson, key="twice", time_spent_seconds=5)
    other_payload = progress(world.lesson, key="twice", time_spent_seconds=6)

    body = (await send(world, [once, dict(once), other_payload])).json()

    assert [r["outcome"] for r in body["results"]] == ["applied", "replayed", "failed"]
    assert body["results"][1]["progress"] == body["results"][0]["progress"]
    assert body["results"][2]["error"]["code"] == "idempotency-key-reused"
    assert (await world.item_progress(world.lesson))["time_spent_seconds"] == 5


async def test_keys_are_shared_with_the_single_routes(world: World) -> None:
    single = await world.report(world.lesson, key="sent-online", time_spent_seconds=8)
    queued = progress(world.lesson, key="sent-online", time_spent_seconds=8)
    batch_first = attempt(world.quiz, {"q1": "a"}, key="queued-first")

    body = (await send(world, [queued, batch_first])).json()
    single_after = await world.attempt({"q1": "a"}, key="queued-first")

    assert body["results"][0]["outcome"] == "replayed"
    assert body["results"][0]["progress"] == single.json()
    assert single_after.status_code == 201
    assert single_after.headers["Idempotent-Replayed"] == "true"
    assert single_after.json() == body["results"][1]["attempt"]
    assert (await world.item_progress(world.lesson))["time_spent_seconds"] == 8


async def test_a_queue_of_someone_not_enrolled_fails_event_by_event(world: World) -> None:
    body = (await send(world, offline_queue(world), by=world.outsider)).json()

    assert body["failed"] == 4
    assert {r["error"]["code"] for r in body["results"]} == {"enrollment-required"}


async def test_malformed_queues_are_refused_whole(world: World) -> None:
    event = progress(world.lesson, time_spent_seconds=5)
    cases = [
        {"events": []},
        {"events": [event] * 501},
        {"events": [{**event, "kind": "teleport"}]},
        {"events": [{**event, "idempotency_key": ""}]},
        {"events": [{**event, "completion_percentage": 300}]},
    ]

    for payload in cases:
        response = await world.client.post(BATCH, json=payload, headers=world.learner.headers)
        assert response.status_code == 422, payload
    anonymous = await world.client.post(BATCH, json={"events": [event]})
    assert anonymous.status_code == 401
    assert (await world.item_progress(world.lesson))["time_spent_seconds"] == 0
