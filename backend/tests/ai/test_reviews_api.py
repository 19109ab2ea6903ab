"""Spaced-repetition reviews through the API: cards made from quiz attempts and completions by
the relay consumer, explicit reviews, the learner's own retention, and bad input."""

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.reviews import scheduling
from learnwise.ai.reviews.models import ReviewCard
from learnwise.ai.reviews.scheduling import ReviewRating
from learnwise.db import utcnow
from learnwise.platform import relay
from learnwise.platform.runtime import Runtime
from tests.progress.conftest import World, quiz

API = "/api/v1"


async def _skill(world: World, slug: str) -> str:
    response = await world.client.post(
        f"{API}/skills", json={"slug": slug, "name": slug.title()}, headers=world.owner.headers
    )
    assert response.status_code == 201, response.text
    return response.json()["skill_id"]


def _quiz_testing(skill_id: str) -> dict[str, Any]:
    content = quiz()
    for question in content["questions"]:
        question["skills"] = [skill_id]
    return content


async def _cards(session: AsyncSession, user_id: uuid.UUID) -> list[ReviewCard]:
    return list(
        await session.scalars(
            select(ReviewCard)
            .where(ReviewCard.user_id == user_id)
            .execution_options(populate_existing=True)
        )
    )


async def _make_all_due(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(
        update(ReviewCard)
        .where(ReviewCard.user_id == user_id)
        .values(due=utcnow() - timedelta(days=1), last_review=utcnow() - timedelta(days=10))
    )
    await session.commit()


async def test_a_quiz_attempt_reviews_the_quiz_and_its_skills(
    world: World, db_session: AsyncSession, runtime: Runtime
) -> None:
    skill_id = await _skill(world, "loops")
    skilled_quiz = await world.add_item(0, _quiz_testing(skill_id), title="Skilled quiz")
    submitted = await world.attempt({"q1": "a", "q2": "c"}, content_id=skilled_quiz)
    assert submitted.status_code in (200, 201), submitted.text
    assert await _cards(db_session, world.learner.user_id) == []

    assert await relay.drain(runtime) > 0
    cards = await _cards(db_session, world.learner.user_id)
    by_subject = {str(c.content_id or c.skill_id): c for c in cards}
    assert set(by_subject) == {skilled_quiz, skill_id}
    # Half right on a quiz passed at 0.5: a hard recall, due again later than now.
    for card in cards:
        assert card.reviews == 1
        assert card.last_review is not None
        assert card.due > card.last_review

    # Nothing is due yet; once due, the list names it with its probability of recall.
    assert (await world.get("/ai/reviews/due")).json()["total"] == 0
    await _make_all_due(db_session, world.learner.user_id)
    due = (await world.get("/ai/reviews/due")).json()
    assert due["total"] == 2
    titles = {entry["title"] for entry in due["items"]}
    assert titles == {"Skilled quiz", "Loops"}
    assert all(0 < entry["retrievability"] < 1 for entry in due["items"])
    # Another learner has nothing due.
    assert (await world.get("/ai/reviews/due", by=world.outsider)).json()["total"] == 0


async def test_a_completed_lesson_is_learned_once(
    world: World, db_session: AsyncSession, runtime: Runtime
) -> None:
    await world.reported(world.lesson, completed=True)
    await relay.drain(runtime)
    [card] = await _cards(db_session, world.learner.user_id)
    assert str(card.content_id) == world.lesson
    assert card.reviews == 1


async def test_explicit_reviews_reschedule_and_a_lapse_counts(
    world: World, client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    good = await client.post(
        f"{API}/ai/reviews",
        json={"content_id": world.lesson, "rating": "good"},
        headers=world.learner.headers,
    )
    assert good.status_code == 201, good.text
    first = good.json()
    assert first["reviews"] == 1 and first["lapses"] == 0
    again = await client.post(
        f"{API}/ai/reviews",
        json={"content_id": world.lesson, "rating": "easy"},
        headers=world.learner.headers,
    )
    assert again.json()["card_id"] == first["card_id"]
    assert again.json()["reviews"] == 2
    assert again.json()["due"] > first["due"]


async def test_higher_retention_means_sooner_reviews(
    world: World, client: httpx.AsyncClient
) -> None:
    async def interval_with(retention: float, account: Any) -> timedelta:
        response = await client.patch(
            f"{API}/users/me/settings",
            json={"learning_preferences": {"desired_retention": retention}},
            headers=account.headers,
        )
        assert response.status_code == 200, response.text
        for rating in ("good", "good", "good"):
            reviewed = await client.post(
                f"{API}/ai/reviews",
                json={"content_id": world.lesson, "rating": rating},
                headers=account.headers,
            )
            assert reviewed.status_code == 201, reviewed.text
        card = reviewed.json()
        return datetime.fromisoformat(card["due"]) - datetime.fromisoformat(card["last_review"])

    await world.enroll(world.outsider)
    assert await interval_with(0.97, world.learner) < await interval_with(0.75, world.outsider)


@pytest.mark.parametrize(
    "body",
    [
        {"rating": "good"},
        {"content_id": str(uuid.uuid4()), "skill_id": str(uuid.uuid4()), "rating": "good"},
        {"content_id": "not-a-uuid", "rating": "good"},
        {"content_id": str(uuid.uuid4()), "rating": "perfect"},
        {"content_id": str(uuid.uuid4()), "rating": "good", "extra": 1},
    ],
)
async def test_bad_reviews_are_422_and_change_nothing(
    world: World, client: httpx.AsyncClient, db_session: AsyncSession, body: dict[str, Any]
) -> None:
    response = await client.post(f"{API}/ai/reviews", json=body, headers=world.learner.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await _cards(db_session, world.learner.user_id) == []


async def test_reviews_of_what_one_may_not_see(
    world: World, client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    unknown = await client.post(
        f"{API}/ai/reviews",
        json={"content_id": str(uuid.uuid4()), "rating": "good"},
        headers=world.learner.headers,
    )
    assert unknown.status_code == 404
    unknown_skill = await client.post(
        f"{API}/ai/reviews",
        json={"skill_id": str(uuid.uuid4()), "rating": "good"},
        headers=world.learner.headers,
    )
    assert unknown_skill.status_code == 404
    # Not enrolled: told to enroll, and no card is made.
    outsider = await client.post(
        f"{API}/ai/reviews",
        json={"content_id": world.lesson, "rating": "good"},
        headers=world.outsider.headers,
    )
    assert outsider.status_code == 403, outsider.text
    assert await _cards(db_session, world.outsider.user_id) == []


async def test_who_may_use_reviews(world: World, client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{API}/ai/reviews/due")).status_code == 401
    anonymous = await client.post(
        f"{API}/ai/reviews", json={"content_id": world.lesson, "rating": "good"}
    )
    assert anonymous.status_code == 401
    for account in (world.admin, world.owner, world.learner):
        assert (await world.get("/ai/reviews/due", by=account)).status_code == 200
    # The course's instructor and an admin may review its items too.
    for account in (world.owner, world.admin):
        response = await client.post(
            f"{API}/ai/reviews",
            json={"content_id": world.lesson, "rating": "hard"},
            headers=account.headers,
        )
        assert response.status_code == 201, response.text


def test_ratings_from_scores() -> None:
    assert scheduling.rating_from_score(1.0, passed=True) == ReviewRating.EASY
    assert scheduling.rating_from_score(0.9, passed=True) == ReviewRating.GOOD
    assert scheduling.rating_from_score(0.6, passed=True) == ReviewRating.HARD
    assert scheduling.rating_from_score(0.9, passed=False) == ReviewRating.AGAIN
    assert scheduling.rating_from_score(0.2, passed=True) == ReviewRating.AGAIN
