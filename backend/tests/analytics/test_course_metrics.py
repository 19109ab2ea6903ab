"""GET /analytics/course-metrics (the course's instructors and admins) and GET
/analytics/platform (admins): funnels, quizzes, learners at risk, cohorts with k-anonymity."""

import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.analytics.models import CourseLearner
from learnwise.db import utcnow
from learnwise.platform.runtime import Runtime

from .conftest import API, World, metrics, relayed


async def test_funnel_quizzes_and_enrollments(
    world: World, db_session: AsyncSession, runtime: Runtime
) -> None:
    await world.reported(world.lesson, time_spent_seconds=90, completed=True)
    attempt = await world.attempt({"q1": "a", "q2": "c"})
    assert attempt.status_code == 201, attempt.text
    await relayed(runtime)

    response = await metrics(world)

    assert response.status_code == 200, response.text
    body = response.json()
    today = utcnow().date().isoformat()
    assert body["enrollments_total"] == 1
    assert body["enrollments"] == [{"starts_on": today, "count": 1}]
    assert body["daily_active_learners"] == [{"starts_on": today, "count": 1}]
    assert [w["count"] for w in body["weekly_active_learners"]] == [1]
    items = {i["content_id"]: i for m in body["modules"] for i in m["items"]}
    assert items[world.lesson]["learners_started"] == 1
    assert items[world.lesson]["learners_completed"] == 1
    assert items[world.lesson]["completion_rate"] == 1.0
    assert items[world.lesson]["average_seconds"] == 90
    assert items[world.video]["learners_started"] == 0
    assert body["drop_off"][0] == {
        "content_id": world.video,
        "title": "Loops on video",
        "learners_lost": 1,
    }
    (quiz,) = body["quizzes"]
    assert (quiz["content_id"], quiz["attempts"], quiz["average_score"]) == (world.quiz, 1, 0.5)
    assert quiz["score_distribution"] == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    assert [(q["question_id"], q["correct"], q["correct_rate"]) for q in quiz["questions"]] == [
        ("q1", 1, 1.0),
        ("q2", 0, 0.0),
    ]
    assert body["at_risk"]["count"] == 0


async def test_inactive_learners_are_at_risk(
    world: World, db_session: AsyncSession, runtime: Runtime
) -> None:
    await world.reported(world.lesson, time_spent_seconds=30)
    await relayed(runtime)
    ten_days_ago = utcnow().date() - timedelta(days=10)
    await db_session.execute(
        update(CourseLearner)
        .where(CourseLearner.user_id == world.learner.user_id)
        .values(last_active_on=ten_days_ago)
    )
    await db_session.commit()

    at_risk = (await metrics(world)).json()["at_risk"]

    assert at_risk["method"] == "inactivity"
    assert at_risk["count"] == 1
    assert at_risk["learners"] == [
        {
            "user_id": str(world.learner.user_id),
            "last_active_on": ten_days_ago.isoformat(),
            "days_inactive": 10,
            "items_completed": 0,
        }
    ]


async def test_cohorts_smaller_than_k_are_suppressed(
    world: World, db_session: AsyncSession, runtime: Runtime, make_account
) -> None:
    for _ in range(4):
        await world.enroll(await make_account("learner"))
    await world.reported(world.lesson, time_spent_seconds=60, completed=True)
    await relayed(runtime)

    (cohort,) = (await metrics(world)).json()["cohorts"]
    assert cohort["cohort"] == utcnow().strftime("%Y-%m")
    assert (cohort["learners"], cohort["suppressed"]) == (5, False)
    assert cohort["average_items_completed"] == 0.2

    await db_session.execute(
        update(CourseLearner)
        .where(CourseLearner.user_id == world.learner.user_id)
        .values(enrolled_at=utcnow() - timedelta(days=62))
    )
    await db_session.commit()
    cohorts = (await metrics(world)).json()["cohorts"]

    assert len(cohorts) == 2
    for each in cohorts:
        assert each["suppressed"] is True
        assert each["learners"] is None
        assert each["completion_rate"] is each["average_items_completed"] is None
        assert each["average_quiz_score"] is each["average_minutes"] is None


async def test_who_may_see_course_metrics(world: World, db_session: AsyncSession) -> None:
    assert (await metrics(world)).status_code == 200
    assert (await metrics(world, by=world.admin)).status_code == 200
    other = await metrics(world, by=world.other_instructor)
    learner = await metrics(world, by=world.learner)
    anonymous = await world.client.get(
        f"{API}/analytics/course-metrics", params={"course_id": world.course_id}
    )
    unknown = await world.client.get(
        f"{API}/analytics/course-metrics",
        params={"course_id": str(uuid.uuid4())},
        headers=world.owner.headers,
    )
    missing = await world.client.get(f"{API}/analytics/course-metrics", headers=world.owner.headers)

    assert other.status_code == 403
    assert other.json()["code"] == "course-analytics-denied"
    assert learner.status_code == 403
    assert anonymous.status_code == 401
    assert unknown.status_code == 404
    assert missing.status_code == 422


async def test_platform_figures_for_admins_only(
    world: World, db_session: AsyncSession, runtime: Runtime
) -> None:
    await world.reported(world.lesson, time_spent_seconds=45, completed=True)
    await relayed(runtime)

    response = await world.client.get(f"{API}/analytics/platform", headers=world.admin.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["users"] >= 5
    assert body["courses"]["published"] >= 1
    assert body["enrollments"] >= 1
    assert body["active_users"]["today"] >= 1
    assert body["active_users"]["last_7_days"] >= 1
    today = body["days"][-1]
    assert (today["day"], today["seconds"] >= 45, today["items_completed"] >= 1) == (
        utcnow().date().isoformat(),
        True,
        True,
    )
    for who in (world.owner, world.learner):
        denied = await world.client.get(f"{API}/analytics/platform", headers=who.headers)
        assert denied.status_code == 403
    assert (await world.client.get(f"{API}/analytics/platform")).status_code == 401
