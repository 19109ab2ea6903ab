"""GET /api/v1/ai/recommend through the API: each source of recommendations and its reason,
readiness from the learner model, new learners and new courses, who may call it, bad input."""

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.recommend import service as recommend_service
from learnwise.ai.reviews.models import ReviewCard
from learnwise.db import utcnow
from learnwise.platform import relay
from learnwise.platform.runtime import Runtime
from tests.progress.conftest import World

API = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_catalog(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every request sees the data the test just wrote.
    monkeypatch.setattr(runtime.settings.recommend, "catalog_refresh_seconds", 0.0)


class LearnerModelDouble:
    """Stands in for the learner model: fixed masteries and predicted successes."""

    def __init__(self) -> None:
        self.mastery: dict[uuid.UUID, float] = {}
        self.success: dict[uuid.UUID, float] = {}

    async def skill_mastery(self, *, session: Any, user_id: uuid.UUID, skill_ids: Any) -> dict:
        return {
            s: type("M", (), {"p_mastery": self.mastery[s]})()
            for s in skill_ids
            if s in self.mastery
        }

    async def predict_success(self, *, session: Any, user_id: uuid.UUID, item_ids: Any) -> dict:
        return {i: self.success[i] for i in item_ids if i in self.success}


@pytest.fixture
def learner_model(monkeypatch: pytest.MonkeyPatch) -> LearnerModelDouble:
    double = LearnerModelDouble()
    monkeypatch.setattr(recommend_service, "learner_model", double)
    return double


async def _recommend(world: World, *, by: Any = None, limit: int = 10) -> list[dict[str, Any]]:
    response = await world.get(f"/ai/recommend?limit={limit}", by=by)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["content_id"]: item for item in items}


async def test_an_enrolled_learner_gets_the_next_step_and_not_what_is_locked(
    world: World, learner_model: LearnerModelDouble
) -> None:
    items = await _recommend(world)
    first = items[0]
    assert first["content_id"] == world.lesson
    assert first["reason"] == "next step in Python basics"
    assert first["kind"] == "next_step"
    assert first["enrollment_required"] is False
    assert first["minutes"] > 0
    # The second module requires the first: its lesson is not offered yet.
    assert world.lesson2 not in _by_id(items)

    await world.reported(world.lesson, completed=True)
    items = _by_id(await _recommend(world))
    assert world.lesson not in items  # done
    assert items[world.video]["reason"] == "next step in Python basics"


async def test_a_new_learner_is_offered_new_and_popular_courses(
    world: World, learner_model: LearnerModelDouble
) -> None:
    items = await _recommend(world, by=world.outsider)
    assert items, "a learner with no history still gets recommendations"
    first = items[0]
    assert first["course_id"] == world.course_id
    assert first["enrollment_required"] is True
    assert "new: Python basics" in first["reasons"]


async def test_due_reviews_come_first(
    world: World, db_session: AsyncSession, runtime: Runtime, learner_model: LearnerModelDouble
) -> None:
    await world.reported(world.lesson, completed=True)
    await relay.drain(runtime)
    assert world.lesson not in _by_id(await _recommend(world))
    await db_session.execute(
        update(ReviewCard)
        .where(ReviewCard.user_id == world.learner.user_id)
        .values(due=utcnow() - timedelta(days=3))
    )
    await db_session.commit()
    first = (await _recommend(world))[0]
    assert first["content_id"] == world.lesson
    assert first["kind"] == "review"
    assert first["reason"] == "review: overdue by 3 days"


async def test_a_goal_course_is_named(
    world: World, client: httpx.AsyncClient, learner_model: LearnerModelDouble
) -> None:
    response = await client.patch(
        f"{API}/users/me/settings",
        json={"learning_preferences": {"goals": [{"kind": "course", "value": world.course_id}]}},
        headers=world.learner.headers,
    )
    assert response.status_code == 200, response.text
    first = (await _recommend(world))[0]
    assert first["content_id"] == world.lesson
    assert first["reason"] == "next step toward your goal: Python basics"


async def test_what_other_learners_did_next(
    world: World, make_account: Any, learner_model: LearnerModelDouble
) -> None:
    # Others who finished the lesson went on to the optional reading, skipping the video.
    for _ in range(3):
        other = await make_account("learner")
        await world.enroll(other)
        await world.reported(world.lesson, completed=True, by=other)
        await world.reported(world.link, completed=True, by=other)
    await world.reported(world.lesson, completed=True)
    items = _by_id(await _recommend(world))
    assert "learners who finished Loops also took this" in items[world.link]["reasons"]


async def test_readiness_from_the_learner_model(
    world: World, learner_model: LearnerModelDouble
) -> None:
    await world.reported(world.lesson, completed=True)
    # The video is predicted far too hard, the quiz right in the band.
    learner_model.success = {uuid.UUID(world.video): 0.1, uuid.UUID(world.quiz): 0.7}
    items = await _recommend(world)
    ids = [item["content_id"] for item in items]
    assert ids.index(world.quiz) < ids.index(world.video)
    quiz = _by_id(items)[world.quiz]
    assert quiz["predicted_success"] == pytest.approx(0.7)
    assert "a good challenge: you would likely get 70% right" in quiz["reasons"]


async def test_an_item_whose_skill_prerequisites_are_mastered_is_ready(
    world: World, client: httpx.AsyncClient, learner_model: LearnerModelDouble
) -> None:
    basics = await client.post(
        f"{API}/skills",
        json={"slug": "iteration", "name": "Iteration"},
        headers=world.owner.headers,
    )
    advanced = await client.post(
        f"{API}/skills",
        json={"slug": "generators", "name": "Generators", "prerequisites": ["iteration"]},
        headers=world.owner.headers,
    )
    assert basics.status_code == advanced.status_code == 201, advanced.text
    item = await world.add_item(
        0,
        {"type": "lesson", "body": "# Yield\n\nGenerators yield."},
        title="Yield",
        skills=["generators"],
    )
    response = await client.patch(
        f"{API}/users/me/settings",
        json={
            "learning_preferences": {
                "goals": [{"kind": "skill", "value": advanced.json()["skill_id"]}]
            }
        },
        headers=world.learner.headers,
    )
    assert response.status_code == 200, response.text
    learner_model.mastery = {uuid.UUID(basics.json()["skill_id"]): 0.9}
    reasons = _by_id(await _recommend(world, limit=20))[item]["reasons"]
    assert reasons == [
        "teaches Generators, one of your goals",
        "you're ready: its prerequisites are mastered",
    ]
    # Without the prerequisite, the same item is ranked down and not called ready.
    learner_model.mastery = {uuid.UUID(basics.json()["skill_id"]): 0.2}
    gap = _by_id(await _recommend(world, limit=20))[item]
    assert gap["reasons"] == ["teaches Generators, one of your goals"]


async def test_who_may_ask(world: World, client: httpx.AsyncClient) -> None:
    anonymous = await client.get(f"{API}/ai/recommend")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    for account in (world.admin, world.owner, world.learner):
        assert (await world.get("/ai/recommend", by=account)).status_code == 200


@pytest.mark.parametrize("limit", ["0", "51", "ten"])
async def test_a_bad_limit_is_422(world: World, limit: str) -> None:
    response = await world.get(f"/ai/recommend?limit={limit}")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
