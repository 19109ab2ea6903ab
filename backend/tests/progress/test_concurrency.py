"""Exactly-once under real concurrency (real commits, many requests at once): a thousand
progress updates sent with random duplicates and retries have a thousand effects; a queue sent
twice at once has one; an attempt limit holds against simultaneous submissions."""

import asyncio
import random
import uuid
from collections import defaultdict
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from learnwise.platform import idempotency
from learnwise.platform.models import OutboxEvent
from learnwise.platform.runtime import Runtime
from learnwise.progress.models import LearningDay, QuizAttempt, UserProgress

from .conftest import API, World

UPDATES = 1000
AT_ONCE = 25


async def send_all(world: World, sends: list[tuple[str, str]]) -> dict[str, list[httpx.Response]]:
    """Sends (key, item) updates of one second each, AT_ONCE at a time."""
    answers: dict[str, list[httpx.Response]] = defaultdict(list)
    for start in range(0, len(sends), AT_ONCE):
        window = sends[start : start + AT_ONCE]
        responses = await asyncio.gather(
            *(world.report(item, key=key, time_spent_seconds=1) for key, item in window)
        )
        for (key, _), response in zip(window, responses, strict=True):
            answers[key].append(response)
    return answers


async def counted(runtime: Runtime, query: Any) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(query) or 0)


async def test_a_thousand_updates_with_duplicates_and_retries_have_a_thousand_effects(
    live_world: World, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A short lease: a request that dies mid-way (here, a connection refused under load) leaves
    # its key to the retries soon, as a crashed instance's would be after the real lease.
    monkeypatch.setattr(idempotency, "IN_FLIGHT_LEASE", timedelta(seconds=5))
    world = live_world
    rng = random.Random(20261125)
    items = [world.lesson, world.video, world.link, world.quiz]
    updates = [(f"update-{n}-{uuid.uuid4()}", rng.choice(items)) for n in range(UPDATES)]
    # Each update is sent once, and a third of them again (twice for some), in random order:
    # duplicates race the original in one window or come as retries in a later one.
    sends = list(updates)
    for update in updates:
        sends.extend([update] * rng.choice([0, 0, 1, 2]))
    rng.shuffle(sends)

    answers = await send_all(world, sends)
    # Clients retry what did not answer 200 (409 while in flight, or a server error).
    item_of = dict(updates)
    for _ in range(100):
        pending = [key for key, rs in answers.items() if all(r.status_code != 200 for r in rs)]
        if not pending:
            break
        await asyncio.sleep(0.2)
        retried = await send_all(world, [(key, item_of[key]) for key in pending])
        for key, responses in retried.items():
            answers[key].extend(responses)

    assert len(answers) == UPDATES
    for key, responses in answers.items():
        assert {r.status_code for r in responses} <= {200, 409, 500}, [r.text for r in responses]
        bodies = [r.json() for r in responses if r.status_code == 200]
        assert bodies and all(body == bodies[0] for body in bodies), key
        first_answers = [r for r in responses if r.status_code == 200]
        assert sum("Idempotent-Replayed" not in r.headers for r in first_answers) == 1
    learner = world.learner.user_id
    assert (
        await counted(
            runtime,
            select(func.sum(UserProgress.time_spent_seconds)).where(
                UserProgress.user_id == learner
            ),
        )
        == UPDATES
    )
    assert (
        await counted(
            runtime, select(func.sum(LearningDay.seconds)).where(LearningDay.user_id == learner)
        )
        == UPDATES
    )
    assert (
        await counted(
            runtime,
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.type == "progress.recorded", OutboxEvent.user_id == learner),
        )
        == UPDATES
    )


async def test_a_queue_sent_twice_at_once_has_one_effect(
    live_world: World, runtime: Runtime
) -> None:
    world = live_world
    queue = [
        {
            "kind": "progress",
            "idempotency_key": f"queued-{n}",
            "content_id": world.lesson,
            "time_spent_seconds": 2,
        }
        for n in range(30)
    ]

    async def send() -> httpx.Response:
        return await world.client.post(
            f"{API}/progress/batch", json={"events": queue}, headers=world.learner.headers
        )

    first, second = await asyncio.gather(send(), send())
    # What answered "in flight" is sent again, as a client does.
    again = await send()

    assert first.status_code == second.status_code == again.status_code == 200
    applied = first.json()["applied"] + second.json()["applied"] + again.json()["applied"]
    assert applied == 30
    assert again.json()["failed"] == 0
    assert (await world.item_progress(world.lesson))["time_spent_seconds"] == 60


async def test_an_attempt_limit_holds_against_simultaneous_attempts(
    live_world: World, runtime: Runtime
) -> None:
    world = live_world
    await world.set_settings(max_quiz_attempts=2)

    responses = await asyncio.gather(*(world.attempt({"q1": "c"}) for _ in range(8)))

    assert sorted(r.status_code for r in responses) == [201, 201] + [409] * 6
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {
        "attempt-limit-reached"
    }
    assert await counted(runtime, select(func.count()).select_from(QuizAttempt)) == 2
