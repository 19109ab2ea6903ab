"""Progress on items through the API: lessons complete by reading or by a mark, videos by the
ranges actually watched, nothing ever moves backward, and every bad report changes nothing."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.progress.models import LearningDay

from .conftest import API, VIDEO_SECONDS, World, events_of, lesson


async def test_a_lesson_scrolled_to_its_end_too_fast_is_not_read(world: World) -> None:
    body = await world.reported(world.lesson, completion_percentage=100, time_spent_seconds=2)

    assert body["status"] == "in_progress"
    assert body["completion_percentage"] == 100
    assert body["completed_at"] is None


async def test_a_lesson_completes_once_read_to_the_end_after_its_reading_time(
    world: World,
) -> None:
    # About 180 words: three-tenths of their reading time is 17 seconds.
    first = await world.reported(world.lesson, completion_percentage=95, time_spent_seconds=10)
    second = await world.reported(world.lesson, time_spent_seconds=10)

    assert (first["status"], first["completion_percentage"]) == ("in_progress", 95)
    assert (second["status"], second["completion_percentage"]) == ("completed", 100)
    assert second["time_spent_seconds"] == 20
    assert second["completed_at"] is not None


async def test_a_lesson_read_half_way_for_long_is_not_read(world: World) -> None:
    body = await world.reported(world.lesson, completion_percentage=50, time_spent_seconds=600)

    assert (body["status"], body["completion_percentage"]) == ("in_progress", 50)


async def test_lessons_and_links_complete_when_marked(world: World) -> None:
    lesson_done = await world.reported(world.lesson, completed=True)
    link_done = await world.reported(world.link, completed=True, time_spent_seconds=3)

    assert (lesson_done["status"], lesson_done["completion_percentage"]) == ("completed", 100)
    assert (link_done["status"], link_done["time_spent_seconds"]) == ("completed", 3)


async def test_skipping_to_the_end_of_a_video_completes_nothing(world: World) -> None:
    body = await world.reported(world.video, watched_ranges=[[VIDEO_SECONDS - 10, VIDEO_SECONDS]])

    assert body["status"] == "in_progress"
    assert body["completion_percentage"] == 3
    assert body["watched_ranges"] == [[290.0, 300.0]]


async def test_a_video_counts_what_was_watched_once_and_completes_at_90_percent(
    world: World,
) -> None:
    first = await world.reported(world.video, watched_ranges=[[0, 100], [50, 150]])
    again = await world.reported(world.video, watched_ranges=[[0, 150]])
    gap = await world.reported(world.video, watched_ranges=[[200, 260]])
    done = await world.reported(world.video, watched_ranges=[[150, 200], [259.5, 270]])

    assert (first["completion_percentage"], first["watched_ranges"]) == (50, [[0.0, 150.0]])
    assert again["completion_percentage"] == 50
    assert gap["watched_ranges"] == [[0.0, 150.0], [200.0, 260.0]]
    assert (gap["status"], gap["completion_percentage"]) == ("in_progress", 70)
    assert done["watched_ranges"] == [[0.0, 270.0]]
    assert (done["status"], done["completion_percentage"]) == ("completed", 90)


async def test_89_percent_of_a_video_is_not_90(world: World) -> None:
    body = await world.reported(world.video, watched_ranges=[[0, 269.9]])

    assert (body["status"], body["completion_percentage"]) == ("in_progress", 89)


async def test_ranges_past_the_end_of_a_video_count_up_to_its_end(world: World) -> None:
    body = await world.reported(world.video, watched_ranges=[[280, 5000]])

    assert body["watched_ranges"] == [[280.0, 300.0]]


async def test_completion_never_moves_backward(world: World) -> None:
    await world.reported(world.lesson, completion_percentage=80)
    lower = await world.reported(world.lesson, completion_percentage=40)
    await world.reported(world.link, completed=True)
    after_completion = await world.reported(world.link, completion_percentage=10)
    await world.reported(world.video, watched_ranges=[[0, 120]])
    fewer_ranges = await world.reported(world.video, watched_ranges=[[0, 10]])

    assert (lower["status"], lower["completion_percentage"]) == ("in_progress", 80)
    assert (after_completion["status"], after_completion["completion_percentage"]) == (
        "completed",
        100,
    )
    assert fewer_ranges["completion_percentage"] == 40


async def test_an_older_report_never_moves_the_last_access_back(world: World) -> None:
    now = datetime.now(UTC)
    recent = await world.reported(world.lesson, occurred_at=now.isoformat())
    older = await world.reported(
        world.lesson, occurred_at=(now - timedelta(days=2)).isoformat(), time_spent_seconds=60
    )

    assert older["last_accessed"] == recent["last_accessed"]
    assert older["time_spent_seconds"] == 60


async def test_completion_keeps_the_time_the_work_was_done(world: World) -> None:
    then = datetime.now(UTC) - timedelta(hours=5)
    body = await world.reported(world.link, completed=True, occurred_at=then.isoformat())

    assert datetime.fromisoformat(body["completed_at"]) == then


@pytest.mark.parametrize(
    ("item", "report", "code"),
    [
        ("lesson", {"completion_percentage": 101}, "validation-failed"),
        ("lesson", {"completion_percentage": -1}, "validation-failed"),
        ("lesson", {"time_spent_seconds": -5}, "validation-failed"),
        ("lesson", {"time_spent_seconds": 10**6}, "validation-failed"),
        ("lesson", {"unknown": 1}, "validation-failed"),
        ("lesson", {"watched_ranges": [[0, 10]]}, "invalid-progress"),
        ("lesson", {"content_version": 9}, "invalid-progress"),
        ("lesson", {"occurred_at": "2026-01-01T10:00:00"}, "validation-failed"),
        ("lesson", {"occurred_at": "0001-01-01T00:00:00+05:00"}, "validation-failed"),
        ("lesson", {"occurred_at": "0001-01-01T00:00:00Z"}, "invalid-progress"),
        ("lesson", {"occurred_at": "+future"}, "invalid-progress"),
        ("lesson", {"occurred_at": "-40 days"}, "invalid-progress"),
        ("video", {"watched_ranges": [[10, 5]]}, "validation-failed"),
        ("video", {"watched_ranges": [[-1, 5]]}, "validation-failed"),
        ("video", {"watched_ranges": [[0, "NaN"]]}, "validation-failed"),
        ("video", {"completion_percentage": 100}, "invalid-progress"),
        ("video", {"completed": True}, "invalid-progress"),
        ("quiz", {"completed": True}, "invalid-progress"),
        ("quiz", {"completion_percentage": 100}, "invalid-progress"),
    ],
)
async def test_a_bad_report_is_refused_and_changes_nothing(
    world: World, db_session: AsyncSession, item: str, report: dict[str, Any], code: str
) -> None:
    if report.get("occurred_at") == "+future":
        report["occurred_at"] = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    elif report.get("occurred_at") == "-40 days":
        report["occurred_at"] = (datetime.now(UTC) - timedelta(days=40)).isoformat()
    content_id = getattr(world, item)

    response = await world.report(content_id, **{"time_spent_seconds": 30, **report})

    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    progress = await world.item_progress(content_id)
    assert (progress["status"], progress["time_spent_seconds"]) == ("not_started", 0)
    assert await events_of(db_session, "progress.recorded") == []


async def test_a_report_needs_an_idempotency_key(world: World) -> None:
    response = await world.client.post(
        f"{API}/items/{world.lesson}/progress", json={}, headers=world.learner.headers
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]


async def test_only_enrolled_learners_make_progress(world: World) -> None:
    anonymous = await world.client.post(
        f"{API}/items/{world.lesson}/progress",
        json={"completed": True},
        headers={"Idempotency-Key": "k"},
    )
    refusals = {
        name: await world.report(world.lesson, by=getattr(world, name), completed=True)
        for name in ("outsider", "owner", "other_instructor", "admin")
    }

    assert anonymous.status_code == 401
    for name, response in refusals.items():
        assert response.status_code == 403, name
        assert response.json()["code"] == "enrollment-required", name
    assert (await world.item_progress(world.lesson))["status"] == "not_started"


async def test_drafts_and_unknown_items_do_not_exist_for_learners(world: World) -> None:
    draft = await world.add_item(0, lesson(), publish=False)
    hidden_module = await world.client.post(
        f"{world.course_url}/modules", json={"title": "Later"}, headers=world.owner.headers
    )
    world.modules.append(hidden_module.json()["module_id"])
    in_draft_module = await world.add_item(2, lesson())

    for content_id in (draft, in_draft_module, str(uuid.uuid4())):
        response = await world.report(content_id, completed=True)
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "item-not-found"
        assert (await world.get(f"/items/{content_id}/progress")).status_code == 404


async def test_a_learner_who_dropped_out_makes_no_progress(world: World) -> None:
    await world.client.delete(f"{world.course_url}/enrollment", headers=world.learner.headers)

    response = await world.report(world.lesson, completed=True)

    assert response.status_code == 403
    assert response.json()["code"] == "enrollment-required"


async def test_time_is_added_to_the_learner_s_own_calendar_day(
    world: World, db_session: AsyncSession
) -> None:
    response = await world.client.patch(
        f"{API}/users/me/settings",
        json={"learning_preferences": {"time_zone": "Pacific/Kiritimati"}},  # UTC+14
        headers=world.learner.headers,
    )
    assert response.status_code == 200, response.text
    late_evening_utc = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - (
        timedelta(hours=2)
    )

    await world.reported(
        world.lesson, time_spent_seconds=40, occurred_at=late_evening_utc.isoformat()
    )
    await world.reported(world.link, completed=True, occurred_at=late_evening_utc.isoformat())
    await world.reported(world.video, time_spent_seconds=5)

    days = {
        day.day: (day.seconds, day.items_completed)
        for day in await db_session.scalars(
            select(LearningDay).where(LearningDay.user_id == world.learner.user_id)
        )
    }
    local_day: date = (late_evening_utc + timedelta(hours=14)).date()
    assert local_day != late_evening_utc.date()
    assert days[local_day][1] == 1
    assert sum(seconds for seconds, _ in days.values()) == 45
    assert days[local_day][0] >= 40


async def test_each_report_records_its_events_in_the_outbox(
    world: World, db_session: AsyncSession
) -> None:
    await world.reported(world.lesson, completion_percentage=30, time_spent_seconds=12)
    await world.reported(world.lesson, completed=True)

    recorded = await events_of(db_session, "progress.recorded", world.learner.user_id)
    completed = await events_of(db_session, "item.completed", world.learner.user_id)
    assert [e.payload["completion_percentage"] for e in recorded] == [30, 100]
    first = recorded[0]
    assert str(first.course_id) == world.course_id
    assert first.payload == {
        "content_id": world.lesson,
        "module_id": world.modules[0],
        "course_id": world.course_id,
        "item_type": "lesson",
        "kind": "update",
        "status": "in_progress",
        "completion_percentage": 30,
        "seconds_added": 12,
        "time_spent_seconds": 12,
        "content_version": 1,
        "occurred_at": first.payload["occurred_at"],
    }
    (done,) = completed
    assert done.payload["content_id"] == world.lesson
    assert done.payload["is_required"] is True
    assert await events_of(db_session, "module.completed") == []


async def test_modules_and_the_course_complete_once_with_their_last_required_item(
    world: World, db_session: AsyncSession
) -> None:
    await world.reported(world.lesson, completed=True)
    await world.reported(world.video, watched_ranges=[[0, VIDEO_SECONDS]])
    attempt = await world.attempt({"q1": "a", "q2": "b"})
    assert attempt.status_code == 201, attempt.text
    module_events = await events_of(db_session, "module.completed")
    await world.reported(world.link, completed=True)  # optional: completes nothing more
    await world.reported(world.lesson2, completed=True)
    await world.reported(world.lesson2, completed=True)

    modules = await events_of(db_session, "module.completed")
    courses = await events_of(db_session, "course.completed")
    assert [e.payload["module_id"] for e in module_events] == [world.modules[0]]
    assert [e.payload["module_id"] for e in modules] == world.modules
    (course,) = courses
    assert course.user_id == world.learner.user_id
    assert course.payload["course_id"] == world.course_id
    assert course.payload["required_items"] == 4
    assert len(await events_of(db_session, "item.completed")) == 5
