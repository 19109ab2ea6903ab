"""Progress in courses: a learner's own (percent over required items, modules, next item, time,
last activity, prerequisites), their instructors' views per learner and per item, and audited
resets, for every role."""

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.progress.models import ProgressReset

from .conftest import API, VIDEO_SECONDS, World, events_of, lesson


async def complete_first_module(world: World) -> None:
    await world.reported(world.lesson, completed=True, time_spent_seconds=60)
    await world.reported(world.video, watched_ranges=[[0, VIDEO_SECONDS]], time_spent_seconds=300)
    response = await world.attempt({"q1": "a", "q2": "b"})
    assert response.status_code == 201, response.text


async def test_my_courses_progress_is_not_taken_for_a_course_id(world: World) -> None:
    await world.reported(world.lesson, completed=True)

    mine = await world.get("/courses/progress")
    outsiders = await world.get("/courses/progress", by=world.outsider)

    assert mine.status_code == 200, mine.text
    assert [c["course_id"] for c in mine.json()["items"]] == [world.course_id]
    assert mine.json()["items"][0]["completed_required_items"] == 1
    assert outsiders.json() == {"items": [], "total": 0, "offset": 0, "limit": 20}
    assert (await world.client.get(f"{API}/courses/progress")).status_code == 401


async def test_a_course_s_progress_is_over_its_required_items(world: World) -> None:
    fresh = await world.course_progress()
    await world.reported(world.lesson, completed=True, time_spent_seconds=40)
    await world.reported(world.link, completed=True, time_spent_seconds=5)  # optional
    await world.reported(world.video, watched_ranges=[[0, 100]], time_spent_seconds=100)
    await world.add_item(0, lesson(), publish=False)  # a draft counts for nobody

    progress = await world.course_progress()

    assert (fresh["percent_complete"], fresh["next_item"]["content_id"]) == (0.0, world.lesson)
    assert progress["required_items"] == 4
    assert progress["completed_required_items"] == 1
    assert progress["completed_items"] == 2
    assert progress["percent_complete"] == 25.0
    assert progress["next_item"] == {
        "content_id": world.video,
        "module_id": world.modules[0],
        "title": "Loops on video",
        "type": "video",
    }
    assert progress["time_spent_seconds"] == 145
    assert progress["last_activity_at"] is not None
    assert [(m["required_items"], m["completed_required_items"]) for m in progress["modules"]] == [
        (3, 1),
        (1, 0),
    ]
    assert (progress["completed"], progress["completed_modules"]) == (False, 0)


async def test_a_completed_course(world: World) -> None:
    await complete_first_module(world)
    await world.reported(world.lesson2, completed=True)

    progress = await world.course_progress()

    assert (progress["percent_complete"], progress["completed"]) == (100.0, True)
    assert progress["completed_modules"] == 2
    assert progress["completed_at"] is not None
    assert progress["next_item"] is None


async def test_enforced_prerequisites_lock_a_module_until_they_are_complete(
    world: World, db_session: AsyncSession
) -> None:
    await world.set_settings(enforce_prerequisites=True)

    locked = await world.report(world.lesson2, completed=True)
    before = await world.course_progress()
    await complete_first_module(world)
    unlocked = await world.report(world.lesson2, completed=True)
    after = await world.course_progress()

    assert locked.status_code == 403
    assert locked.json()["code"] == "module-locked"
    assert [m["unlocked"] for m in before["modules"]] == [True, False]
    assert before["next_item"]["content_id"] == world.lesson
    assert unlocked.status_code == 200, unlocked.text
    assert [m["unlocked"] for m in after["modules"]] == [True, True]
    assert after["completed"] is True


async def test_without_enforcement_modules_are_open(world: World) -> None:
    response = await world.report(world.lesson2, completed=True)

    assert response.status_code == 200
    assert [m["unlocked"] for m in (await world.course_progress())["modules"]] == [True, True]


async def test_a_course_s_progress_is_for_its_learners(world: World) -> None:
    draft = await world.client.post(
        f"{API}/courses", json={"title": "Draft"}, headers=world.owner.headers
    )
    cases: list[tuple[Any, str, int, str]] = [
        (world.outsider, world.course_id, 403, "enrollment-required"),
        (world.owner, world.course_id, 403, "enrollment-required"),
        (world.learner, draft.json()["course_id"], 404, "course-not-found"),
        (world.learner, str(uuid.uuid4()), 404, "course-not-found"),
    ]

    for who, course_id, status, code in cases:
        response = await world.get(f"/courses/{course_id}/progress", by=who)
        assert (response.status_code, response.json()["code"]) == (status, code)


async def instructor_get(world: World, path: str, who: Any) -> httpx.Response:
    return await world.client.get(f"{world.course_url}/progress{path}", headers=who.headers)


async def test_instructors_see_their_learners_progress(world: World) -> None:
    await world.enroll(world.outsider)
    await complete_first_module(world)
    await world.reported(world.lesson, by=world.outsider, completion_percentage=30)

    first_page = await instructor_get(world, "/learners?limit=1", world.owner)
    everyone = await instructor_get(world, "/learners", world.admin)

    assert first_page.status_code == 200, first_page.text
    assert (first_page.json()["total"], len(first_page.json()["items"])) == (2, 1)
    by_user = {item["user_id"]: item for item in everyone.json()["items"]}
    mine = by_user[str(world.learner.user_id)]
    assert (mine["percent_complete"], mine["completed_required_items"]) == (75.0, 3)
    assert mine["time_spent_seconds"] == 360
    assert mine["enrollment_status"] == "active"
    assert by_user[str(world.outsider.user_id)]["percent_complete"] == 0.0


async def test_dropped_learners_are_listed_by_status(world: World) -> None:
    await world.reported(world.lesson, completed=True)
    await world.client.delete(f"{world.course_url}/enrollment", headers=world.learner.headers)

    dropped = await instructor_get(world, "/learners?status=dropped", world.owner)
    active = await instructor_get(world, "/learners?status=active", world.owner)
    detail = await instructor_get(world, f"/learners/{world.learner.user_id}", world.owner)

    assert [i["completed_required_items"] for i in dropped.json()["items"]] == [1]
    assert active.json()["total"] == 0
    assert detail.status_code == 200


async def test_one_learner_in_detail(world: World) -> None:
    await complete_first_module(world)

    response = await instructor_get(world, f"/learners/{world.learner.user_id}", world.owner)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["course"]["completed_modules"] == 1
    items = {item["content_id"]: item for item in body["items"]}
    assert list(items) == [world.lesson, world.video, world.quiz, world.link, world.lesson2]
    assert items[world.quiz]["best_score"] == 1.0
    assert items[world.video]["watched_ranges"] == [[0.0, 300.0]]
    assert (items[world.link]["is_required"], items[world.link]["status"]) == (
        False,
        "not_started",
    )


async def test_items_over_the_learners(world: World) -> None:
    await world.enroll(world.outsider)
    await complete_first_module(world)
    await world.reported(world.lesson, by=world.outsider, completion_percentage=30)
    await world.attempt({"q1": "c"}, by=world.outsider)

    response = await instructor_get(world, "/items", world.owner)

    assert response.status_code == 200, response.text
    items = {item["content_id"]: item for item in response.json()}
    assert (items[world.lesson]["learners"], items[world.lesson]["started"]) == (2, 2)
    assert items[world.lesson]["completed"] == 1
    assert items[world.lesson]["average_completion_percentage"] == 65.0
    assert items[world.quiz]["attempts"] == 2
    assert items[world.quiz]["average_best_score"] == 0.5
    assert items[world.lesson2]["started"] == 0
    assert items[world.lesson2]["average_best_score"] is None


async def test_only_the_course_s_instructors_and_admins_see_its_learners(world: World) -> None:
    paths = ("/learners", f"/learners/{world.learner.user_id}", "/items")
    refused = {path: await instructor_get(world, path, world.other_instructor) for path in paths}
    added = await world.client.post(
        f"{world.course_url}/instructors",
        json={"user_id": str(world.other_instructor.user_id)},
        headers=world.owner.headers,
    )
    assert added.status_code == 200, added.text

    for path in paths:
        assert refused[path].status_code == 403
        for who, status in (
            (world.learner, 403),
            (world.outsider, 403),
            (world.other_instructor, 200),  # now a co-instructor
            (world.owner, 200),
            (world.admin, 200),
        ):
            response = await instructor_get(world, path, who)
            assert response.status_code == status, (path, who.email, response.text)
            if status == 403:
                assert response.json()["code"] == "learner-progress-denied"
    anonymous = await world.client.get(f"{world.course_url}/progress/learners")
    stranger = await instructor_get(world, f"/learners/{world.outsider.user_id}", world.owner)
    assert anonymous.status_code == 401
    assert (stranger.status_code, stranger.json()["code"]) == (404, "learner-not-found")


def reset_url(world: World, content_id: str, user_id: Any = None) -> str:
    learner = user_id or world.learner.user_id
    return f"{world.course_url}/progress/learners/{learner}/items/{content_id}/reset"


async def reset(
    world: World, content_id: str, *, by: Any = None, reason: Any = "Retake", key: str = ""
) -> httpx.Response:
    return await world.client.post(
        reset_url(world, content_id),
        json={"reason": reason},
        headers={**(by or world.owner).headers, "Idempotency-Key": key or str(uuid.uuid4())},
    )


async def test_an_instructor_s_reset_is_audited_and_gives_attempts_back(
    world: World, db_session: AsyncSession
) -> None:
    await world.set_settings(max_quiz_attempts=1)
    failed = await world.attempt({"q1": "c"})
    assert failed.json()["progress"]["attempts_remaining"] == 0

    response = await reset(world, world.quiz, reason="  Had a power cut  ", key="reset-1")
    again = await reset(world, world.quiz, reason="  Had a power cut  ", key="reset-1")
    retake = await world.attempt({"q1": "a", "q2": "b"})

    assert response.status_code == 200, response.text
    assert again.json() == response.json()
    after = response.json()
    assert (after["status"], after["attempts_count"], after["attempts_remaining"]) == (
        "not_started",
        0,
        1,
    )
    assert retake.status_code == 201, retake.text
    assert retake.json()["attempt_number"] == 2
    (audit,) = (await db_session.scalars(select(ProgressReset))).all()
    assert audit.reason == "Had a power cut"
    assert audit.actor_id == world.owner.user_id
    assert (audit.previous["status"], audit.previous["attempts_count"]) == ("in_progress", 1)
    assert audit.previous["best_score"] == 0.0
    resets = [
        e for e in await events_of(db_session, "progress.recorded") if e.payload["kind"] == "reset"
    ]
    assert [e.payload["reset_id"] for e in resets] == [str(audit.reset_id)]


async def test_a_completed_item_goes_back_only_by_a_reset(
    world: World, db_session: AsyncSession
) -> None:
    await world.reported(world.lesson, completed=True, time_spent_seconds=30)

    response = await reset(world, world.lesson)
    redone = await world.reported(world.lesson, completed=True)

    assert (response.json()["status"], response.json()["completion_percentage"]) == (
        "not_started",
        0,
    )
    assert response.json()["time_spent_seconds"] == 30
    assert redone["status"] == "completed"
    assert len(await events_of(db_session, "item.completed")) == 2


async def test_only_the_course_s_instructors_reset_and_with_a_reason(
    world: World, db_session: AsyncSession
) -> None:
    await world.reported(world.lesson, completed=True)
    other_course = await world.client.post(
        f"{API}/courses", json={"title": "Other"}, headers=world.owner.headers
    )
    module = await world.client.post(
        f"{API}/courses/{other_course.json()['course_id']}/modules",
        json={"title": "M"},
        headers=world.owner.headers,
    )
    elsewhere = await world.client.post(
        f"{API}/courses/{other_course.json()['course_id']}/modules/"
        f"{module.json()['module_id']}/items",
        json={"title": "L", "content": lesson()},
        headers=world.owner.headers,
    )

    refusals = [
        (await reset(world, world.lesson, by=world.learner), 403),
        (await reset(world, world.lesson, by=world.other_instructor), 403),
        (await reset(world, world.lesson, reason=""), 422),
        (await reset(world, world.lesson, reason="x" * 501), 422),
        (await reset(world, elsewhere.json()["content_id"]), 404),
        (await reset(world, str(uuid.uuid4())), 404),
    ]
    stranger = await world.client.post(
        reset_url(world, world.lesson, world.outsider.user_id),
        json={"reason": "r"},
        headers={**world.owner.headers, "Idempotency-Key": "s"},
    )
    by_admin = await reset(world, world.lesson, by=world.admin)

    assert [r.status_code for r, _ in refusals] == [s for _, s in refusals]
    assert stranger.status_code == 404
    assert by_admin.status_code == 200
    assert len((await db_session.scalars(select(ProgressReset))).all()) == 1
