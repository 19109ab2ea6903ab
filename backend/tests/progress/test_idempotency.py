"""Idempotency-Key on the progress routes: a retry has one effect and the first answer; another
payload under the key is refused; a running request's key answers 409; a failed request frees its
key; and a failed request leaves neither changes nor events behind."""

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.db import utcnow
from learnwise.errors import Conflict
from learnwise.platform import events
from learnwise.platform.events import EventType
from learnwise.platform.idempotency import (
    IdempotencyClaimLost,
    IdempotencyClaims,
    fingerprint,
)
from learnwise.platform.models import IdempotencyRecord
from learnwise.platform.runtime import Runtime
from learnwise.progress import batch
from learnwise.progress.schemas import ProgressUpdate

from .conftest import World, events_of


async def test_a_retry_has_no_second_effect_and_gets_the_first_answer(
    world: World, db_session: AsyncSession
) -> None:
    first = await world.report(world.lesson, key="k-1", time_spent_seconds=30)
    retry = await world.report(world.lesson, key="k-1", time_spent_seconds=30)

    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert (await world.item_progress(world.lesson))["time_spent_seconds"] == 30
    assert len(await events_of(db_session, "progress.recorded")) == 1


async def test_a_quiz_attempt_is_replayed_with_its_status(
    world: World, db_session: AsyncSession
) -> None:
    first = await world.attempt({"q1": "a"}, key="attempt-1")
    retry = await world.attempt({"q1": "a"}, key="attempt-1")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert len(await events_of(db_session, "quiz.submitted")) == 1


async def test_the_same_key_with_another_payload_is_refused(world: World) -> None:
    await world.report(world.lesson, key="k-2", time_spent_seconds=30)

    other_amount = await world.report(world.lesson, key="k-2", time_spent_seconds=31)
    other_item = await world.report(world.link, key="k-2", time_spent_seconds=30)
    other_route = await world.attempt({"q1": "a"}, key="k-2")

    for response in (other_amount, other_item, other_route):
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "idempotency-key-reused"
    assert (await world.item_progress(world.lesson))["time_spent_seconds"] == 30
    assert (await world.item_progress(world.link))["status"] == "not_started"


async def test_a_payload_written_differently_is_the_same_payload(world: World) -> None:
    first = await world.report(
        world.lesson, key="k-3", completion_percentage=40, occurred_at=utcnow().isoformat()
    )
    offset = first.json()["last_accessed"].replace("Z", "+00:00")
    same = await world.client.post(
        f"/api/v1/items/{world.lesson}/progress",
        content=json.dumps({"completion_percentage": 40.0, "occurred_at": offset}, indent=1),
        headers={
            **world.learner.headers,
            "Idempotency-Key": "k-3",
            "Content-Type": "application/json",
        },
    )

    assert same.status_code == 200, same.text
    assert same.headers["Idempotent-Replayed"] == "true"


async def test_keys_belong_to_their_user(world: World) -> None:
    await world.enroll(world.outsider)

    mine = await world.report(world.lesson, key="shared", time_spent_seconds=5)
    theirs = await world.report(world.lesson, key="shared", time_spent_seconds=7, by=world.outsider)

    assert (mine.status_code, theirs.status_code) == (200, 200)
    assert theirs.json()["time_spent_seconds"] == 7
    assert "Idempotent-Replayed" not in theirs.headers


async def test_a_failed_request_frees_its_key(world: World) -> None:
    failed = await world.report(world.lesson, key="k-4", content_version=5)
    fixed = await world.report(world.lesson, key="k-4", time_spent_seconds=12)

    assert failed.status_code == 422
    assert fixed.status_code == 200, fixed.text
    assert "Idempotent-Replayed" not in fixed.headers
    assert fixed.json()["time_spent_seconds"] == 12


async def record(
    session: AsyncSession,
    world: World,
    key: str,
    update: ProgressUpdate,
    *,
    age: timedelta = timedelta(0),
    response: dict | None = None,
) -> None:
    created = utcnow() - age
    session.add(
        IdempotencyRecord(
            user_id=world.learner.user_id,
            key=key,
            request_hash=batch.progress_fingerprint(uuid.UUID(world.lesson), update),
            status_code=200 if response is not None else None,
            response_body=response,
            created_at=created,
            expires_at=created + timedelta(hours=24),
        )
    )
    await session.commit()


async def test_a_key_still_in_flight_answers_409(world: World, db_session: AsyncSession) -> None:
    await record(db_session, world, "k-5", ProgressUpdate(time_spent_seconds=9))

    response = await world.report(world.lesson, key="k-5", time_spent_seconds=9)

    assert response.status_code == 409
    assert response.json()["code"] == "request-in-flight"
    assert response.headers["Retry-After"] == "1"
    assert (await world.item_progress(world.lesson))["time_spent_seconds"] == 0


async def test_a_key_left_in_flight_by_a_crash_is_taken_over(
    world: World, db_session: AsyncSession
) -> None:
    await record(
        db_session, world, "k-6", ProgressUpdate(time_spent_seconds=9), age=timedelta(minutes=10)
    )

    response = await world.report(world.lesson, key="k-6", time_spent_seconds=9)
    retry = await world.report(world.lesson, key="k-6", time_spent_seconds=9)

    assert response.status_code == 200, response.text
    assert retry.json() == response.json()
    assert response.json()["time_spent_seconds"] == 9


async def test_a_key_is_forgotten_after_24_hours(world: World, db_session: AsyncSession) -> None:
    stale = {"stale": True}
    await record(
        db_session,
        world,
        "k-7",
        ProgressUpdate(time_spent_seconds=9),
        age=timedelta(hours=25),
        response=stale,
    )

    response = await world.report(world.lesson, key="k-7", time_spent_seconds=9)

    assert response.status_code == 200, response.text
    assert response.json()["time_spent_seconds"] == 9
    stored = await db_session.scalar(
        select(IdempotencyRecord)
        .where(IdempotencyRecord.key == "k-7")
        .execution_options(populate_existing=True)
    )
    assert stored is not None and stored.response_body != stale


async def test_a_completion_after_a_takeover_is_refused(
    world: World, db_session: AsyncSession, runtime: Runtime
) -> None:
    claims = IdempotencyClaims(runtime=runtime, user_id=world.learner.user_id)
    claim = await claims.claim(key="k-8", request_hash=fingerprint("x"))
    record_ = await db_session.get(IdempotencyRecord, (world.learner.user_id, "k-8"))
    assert record_ is not None
    record_.created_at = utcnow() + timedelta(seconds=1)  # another request took it over
    await db_session.flush()

    with pytest.raises(IdempotencyClaimLost):
        await claims.complete(session=db_session, claim=claim, body={}, status_code=200)


class Boom(Conflict):
    code = "boom"


async def test_a_failed_request_leaves_no_change_and_no_event(
    world: World, db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = events.record

    async def record_then_fail(**kwargs: object) -> object:
        event = await recorded(**kwargs)  # type: ignore[arg-type]
        if kwargs["type"] == EventType.ITEM_COMPLETED:
            raise Boom("The request fails after its events were recorded.")
        return event

    monkeypatch.setattr(events, "record", record_then_fail)
    failed = await world.report(world.lesson, key="k-9", completed=True, time_spent_seconds=20)
    monkeypatch.setattr(events, "record", recorded)
    retried = await world.report(world.lesson, key="k-9", completed=True, time_spent_seconds=20)

    assert failed.status_code == 409
    assert failed.json()["code"] == "boom"
    assert retried.status_code == 200, retried.text
    assert retried.json()["time_spent_seconds"] == 20
    assert len(await events_of(db_session, "progress.recorded")) == 1
    assert len(await events_of(db_session, "item.completed")) == 1
