"""Learning paths through the API: planned to a course, a skill or free text; prerequisites
respected and what is done skipped; dated in the weekly budget; re-planned when the learner
progresses; per role, another learner's path, and bad goals."""

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from learnwise.ai.paths import nodes
from learnwise.ai.recommend import service as recommend_service
from learnwise.platform import relay
from learnwise.platform.runtime import Runtime
from tests.ai.test_recommend_api import LearnerModelDouble
from tests.progress.conftest import World

API = "/api/v1"


@pytest.fixture(autouse=True)
def fresh_catalog(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime.settings.recommend, "catalog_refresh_seconds", 0.0)


@pytest.fixture
def learner_model(monkeypatch: pytest.MonkeyPatch) -> LearnerModelDouble:
    double = LearnerModelDouble()
    monkeypatch.setattr(nodes, "learner_model", double)
    monkeypatch.setattr(recommend_service, "learner_model", double)
    return double


async def _create(
    world: World, goal: dict[str, Any], *, by: Any = None, **extra: Any
) -> httpx.Response:
    return await world.client.post(
        f"{API}/ai/paths", json={"goal": goal, **extra}, headers=(by or world.learner).headers
    )


async def test_a_path_to_a_course_in_order_and_dated(
    world: World, learner_model: LearnerModelDouble
) -> None:
    response = await _create(
        world,
        {"kind": "course", "value": world.course_id},
        weekly_minutes=20,
        start_on="2027-01-04",
    )
    assert response.status_code == 201, response.text
    path = response.json()
    assert path["title"] == "Complete Python basics"
    assert path["status"] == "active"
    ids = [step["content_id"] for step in path["steps"]]
    # The required items; the optional reading is not asked for.
    assert set(ids) == {world.lesson, world.video, world.quiz, world.lesson2}
    # The second module's lesson comes after the whole first module.
    assert ids.index(world.lesson2) > max(
        ids.index(i) for i in (world.lesson, world.video, world.quiz)
    )
    assert ids.index(world.lesson) < ids.index(world.video) < ids.index(world.quiz)
    # 20 minutes a week: each week holds at most 20 minutes (or one longer step).
    by_week: dict[int, list[int]] = {}
    for step in path["steps"]:
        by_week.setdefault(step["week"], []).append(step["minutes"])
        scheduled = date.fromisoformat(step["scheduled_for"])
        assert date(2027, 1, 4) + timedelta(weeks=step["week"]) <= scheduled
        assert scheduled < date(2027, 1, 4) + timedelta(weeks=step["week"] + 1)
        assert "Python basics" in step["explanation"]
    assert all(sum(minutes) <= 20 or len(minutes) == 1 for minutes in by_week.values())
    assert len(by_week) > 1
    assert path["total_minutes"] == sum(step["minutes"] for step in path["steps"])

    listed = (await world.get("/ai/paths")).json()
    assert [p["path_id"] for p in listed["items"]] == [path["path_id"]]
    assert (await world.get(f"/ai/paths/{path['path_id']}")).json()["steps"] == path["steps"]


async def test_progress_marks_steps_done_and_replans(
    world: World, runtime: Runtime, learner_model: LearnerModelDouble
) -> None:
    path = (await _create(world, {"kind": "course", "value": world.course_id})).json()
    await world.reported(world.lesson, completed=True)
    await relay.drain(runtime)
    again = (await world.get(f"/ai/paths/{path['path_id']}")).json()
    assert again["replans"] == 1
    assert again["steps_done"] == 1
    assert again["steps"][0]["content_id"] == world.lesson and again["steps"][0]["done"]
    assert next(s["content_id"] for s in again["steps"] if not s["done"]) == world.video

    # Re-planning on request: nothing changed, same steps.
    replanned = await world.client.post(
        f"{API}/ai/paths/{path['path_id']}/replan", headers=world.learner.headers
    )
    assert replanned.status_code == 200, replanned.text
    assert replanned.json()["replans"] == 2
    assert [s["content_id"] for s in replanned.json()["steps"]] == [
        s["content_id"] for s in again["steps"]
    ]


async def test_a_skill_goal_plans_its_prerequisites_and_skips_what_is_mastered(
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
    assert basics.status_code == advanced.status_code == 201
    teach_basics = await world.add_item(
        0, {"type": "lesson", "body": "# For\n\nLoops."}, title="For loops", skills=["iteration"]
    )
    teach_advanced = await world.add_item(
        0, {"type": "lesson", "body": "# Yield\n\nYield."}, title="Yield", skills=["generators"]
    )
    goal = {"kind": "skill", "value": advanced.json()["skill_id"]}
    steps = (await _create(world, goal)).json()["steps"]
    ids = [s["content_id"] for s in steps]
    assert ids.index(teach_basics) < ids.index(teach_advanced)
    assert (
        "teaches Generators, one of your goals" in steps[ids.index(teach_advanced)]["explanation"]
    )

    learner_model.mastery = {uuid.UUID(basics.json()["skill_id"]): 0.99}
    steps = (await _create(world, goal)).json()["steps"]
    assert teach_basics not in [s["content_id"] for s in steps]


async def test_a_free_text_goal_is_matched_by_name(
    world: World, learner_model: LearnerModelDouble
) -> None:
    response = await _create(world, {"kind": "text", "value": "I want to learn python"})
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "Complete Python basics"


@pytest.mark.parametrize(
    "goal",
    [
        {"kind": "text", "value": "underwater basket weaving"},
        {"kind": "course", "value": "no-such-course"},
        {"kind": "skill", "value": str(uuid.uuid4())},
    ],
)
async def test_a_goal_no_content_covers_is_a_clear_422(
    world: World, learner_model: LearnerModelDouble, goal: dict[str, str]
) -> None:
    response = await _create(world, goal)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "goal-not-covered"
    assert (await world.get("/ai/paths")).json()["total"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"goal": {"kind": "planet", "value": "x"}},
        {"goal": {"kind": "text", "value": "  "}},
        {"goal": {"kind": "text", "value": "python"}, "weekly_minutes": -5},
        {"goal": {"kind": "text", "value": "python"}, "start_on": "soon"},
    ],
)
async def test_bad_requests_are_422(
    world: World, learner_model: LearnerModelDouble, body: dict[str, Any]
) -> None:
    response = await world.client.post(f"{API}/ai/paths", json=body, headers=world.learner.headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_no_time_budget_is_a_clear_422(
    world: World, learner_model: LearnerModelDouble
) -> None:
    response = await _create(world, {"kind": "course", "value": world.course_id}, weekly_minutes=0)
    assert response.status_code == 422
    assert response.json()["code"] == "no-time-budget"


async def test_another_learners_path_is_not_found(
    world: World, learner_model: LearnerModelDouble
) -> None:
    path = (await _create(world, {"kind": "course", "value": world.course_id})).json()
    url = f"/ai/paths/{path['path_id']}"
    for account in (world.outsider, world.owner, world.admin):
        assert (await world.get(url, by=account)).status_code == 404
        deleted = await world.client.delete(f"{API}{url}", headers=account.headers)
        assert deleted.status_code == 404
        replanned = await world.client.post(f"{API}{url}/replan", headers=account.headers)
        assert replanned.status_code == 404
    assert (await world.get("/ai/paths", by=world.outsider)).json()["total"] == 0
    deleted = await world.client.delete(f"{API}{url}", headers=world.learner.headers)
    assert deleted.status_code == 204
    assert (await world.get(url)).status_code == 404


async def test_who_may_plan(world: World, learner_model: LearnerModelDouble) -> None:
    anonymous = await world.client.post(
        f"{API}/ai/paths", json={"goal": {"kind": "course", "value": world.course_id}}
    )
    assert anonymous.status_code == 401
    assert (await world.client.get(f"{API}/ai/paths")).status_code == 401
    for account in (world.admin, world.owner, world.learner):
        response = await _create(world, {"kind": "course", "value": world.course_id}, by=account)
        assert response.status_code == 201, response.text
