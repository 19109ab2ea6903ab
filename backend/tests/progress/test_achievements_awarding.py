"""Evaluating the rules on domain events against the database: metrics, awards made once, the
``achievement.awarded`` event, and streaks in the learner's own time zone."""

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.platform.events import EventType
from learnwise.platform.models import OutboxEvent
from learnwise.progress import achievement_service
from learnwise.progress.achievement_rules import RULES_BY_TYPE

from .rewards import (
    attempt,
    awarded_events,
    awards,
    complete,
    happened,
    learned_on,
    make_course,
    make_learner,
)

NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)


async def test_completing_a_first_lesson_awards_first_lesson_once(
    db_session: AsyncSession,
) -> None:
    learner = await make_learner(db_session)
    _, _, items = await make_course(db_session, learner.user_id, items=3)

    async def completed(item) -> list:
        await complete(db_session, learner.user_id, [item])
        event = await happened(
            db_session,
            EventType.ITEM_COMPLETED,
            learner.user_id,
            {"content_id": str(item.content_id), "item_type": item.type},
        )
        return await achievement_service.evaluate(session=db_session, event=event)

    assert items[0].type == "quiz"
    assert await completed(items[0]) == []  # not a lesson
    made = await completed(items[1])

    assert [a.type for a in made] == ["first_lesson"]
    assert made[0].xp == 10
    assert made[0].metadata_["content_id"] == str(items[1].content_id)
    assert made[0].metadata_["event_type"] == "item.completed"
    [told] = await awarded_events(db_session, learner.user_id)
    assert told.payload == {
        "achievement_id": str(made[0].achievement_id),
        "type": "first_lesson",
        "title": "First lesson",
        "description": RULES_BY_TYPE["first_lesson"].description,
        "xp": 10,
        "award_key": "",
    }
    assert made[0].metadata_["event_id"] != str(told.event_id)

    # The same event again (relayed twice), or the next lesson: nothing more, nobody told.
    event = await db_session.get(OutboxEvent, uuid.UUID(made[0].metadata_["event_id"]))
    assert event is not None
    assert await achievement_service.evaluate(session=db_session, event=event) == []
    items[2].type = "lesson"
    assert await completed(items[2]) == []
    assert await awards(db_session, learner.user_id) == {"first_lesson": [""]}
    assert len(await awarded_events(db_session, learner.user_id)) == 1


async def test_ten_completed_items(db_session: AsyncSession) -> None:
    learner = await make_learner(db_session)
    _, _, items = await make_course(db_session, learner.user_id, items=10)
    await complete(db_session, learner.user_id, items[:9])
    event = await happened(db_session, EventType.ITEM_COMPLETED, learner.user_id)
    await achievement_service.evaluate(session=db_session, event=event)
    assert "items_completed_10" not in await awards(db_session, learner.user_id)

    await complete(db_session, learner.user_id, items[9:])
    event = await happened(db_session, EventType.ITEM_COMPLETED, learner.user_id)
    made = await achievement_service.evaluate(session=db_session, event=event)
    assert [a.type for a in made] == ["items_completed_10"]


async def test_a_perfect_quiz(db_session: AsyncSession) -> None:
    learner = await make_learner(db_session)
    _, _, items = await make_course(db_session, learner.user_id, items=1)
    await attempt(db_session, learner.user_id, items[0], score=0.5)
    failed = await happened(
        db_session, EventType.QUIZ_SUBMITTED, learner.user_id, {"score": 0.5, "passed": False}
    )
    assert await achievement_service.evaluate(session=db_session, event=failed) == []

    await attempt(db_session, learner.user_id, items[0], score=1.0, number=2)
    perfect = await happened(
        db_session,
        EventType.QUIZ_SUBMITTED,
        learner.user_id,
        {"score": 1.0, "passed": True, "content_id": str(items[0].content_id), "attempt": 2},
    )
    made = await achievement_service.evaluate(session=db_session, event=perfect)
    assert {a.type for a in made} == {"first_quiz_passed", "perfect_quiz"}


async def test_five_perfect_quizzes(db_session: AsyncSession) -> None:
    learner = await make_learner(db_session)
    _, _, quizzes = await make_course(db_session, learner.user_id, items=5)
    payload = {"score": 1.0, "passed": True}
    for quiz in quizzes[:4]:
        await attempt(db_session, learner.user_id, quiz, score=1.0)
        # A quiz made perfect twice still counts once.
        await attempt(db_session, learner.user_id, quiz, score=1.0, number=2)
    event = await happened(db_session, EventType.QUIZ_SUBMITTED, learner.user_id, payload)
    await achievement_service.evaluate(session=db_session, event=event)
    assert "perfect_quizzes_5" not in await awards(db_session, learner.user_id)

    await attempt(db_session, learner.user_id, quizzes[4], score=1.0)
    event = await happened(db_session, EventType.QUIZ_SUBMITTED, learner.user_id, payload)
    made = await achievement_service.evaluate(session=db_session, event=event)
    assert [a.type for a in made] == ["perfect_quizzes_5"]


async def test_modules_and_courses_are_awarded_once_each(db_session: AsyncSession) -> None:
    learner = await make_learner(db_session)
    courses = [await make_course(db_session, learner.user_id) for _ in range(3)]

    for course, module, _ in courses:
        for _ in range(2):  # relayed twice
            event = await happened(
                db_session,
                EventType.MODULE_COMPLETED,
                learner.user_id,
                {"module_id": str(module.module_id)},
                course_id=course.course_id,
            )
            await achievement_service.evaluate(session=db_session, event=event)
            event = await happened(
                db_session,
                EventType.COURSE_COMPLETED,
                learner.user_id,
                {},
                course_id=course.course_id,
            )
            await achievement_service.evaluate(session=db_session, event=event)

    earned = await awards(db_session, learner.user_id)
    assert sorted(earned["module_completed"]) == sorted(str(m.module_id) for _, m, _ in courses)
    assert sorted(earned["course_completed"]) == sorted(str(c.course_id) for c, _, _ in courses)
    # The third course's own event makes the third award, then counts it.
    assert earned["courses_completed_3"] == [""]
    assert len(await awarded_events(db_session, learner.user_id)) == 3 + 3 + 1


async def test_an_event_of_nobody_awards_nothing(db_session: AsyncSession) -> None:
    event = await happened(db_session, EventType.COURSE_COMPLETED, None, {})  # type: ignore[arg-type]
    assert await achievement_service.evaluate(session=db_session, event=event) == []


async def test_streaks_of_3_7_and_30_days(db_session: AsyncSession) -> None:
    learner = await make_learner(db_session)
    today = NOW.date()
    days = [today - timedelta(days=n) for n in range(30)]

    async def evaluate_after(learned: list[date]) -> set[str]:
        await learned_on(db_session, learner.user_id, learned)
        event = await happened(db_session, EventType.PROGRESS_RECORDED, learner.user_id, at=NOW)
        made = await achievement_service.evaluate(session=db_session, event=event)
        return {a.type for a in made if a.type.startswith("streak_")}

    assert await evaluate_after(days[:2]) == set()
    assert await evaluate_after(days[2:3]) == {"streak_3_days"}
    assert await evaluate_after(days[3:7]) == {"streak_7_days"}
    assert await evaluate_after(days[7:29]) == set()
    assert await evaluate_after(days[29:30]) == {"streak_30_days"}


async def test_a_broken_streak_awards_nothing(db_session: AsyncSession) -> None:
    learner = await make_learner(db_session)
    today = NOW.date()
    # Two days, a gap, two days: never three in a row.
    learned = [today, today - timedelta(days=1), today - timedelta(days=3), today - timedelta(4)]
    await learned_on(db_session, learner.user_id, learned)
    event = await happened(db_session, EventType.PROGRESS_RECORDED, learner.user_id, at=NOW)
    made = await achievement_service.evaluate(session=db_session, event=event)
    assert not [a for a in made if a.type.startswith("streak_")]


async def test_a_streak_is_counted_on_the_learner_s_calendar(db_session: AsyncSession) -> None:
    """Learning on 8, 9 and 10 March of their own calendars. At 11:30 UTC on 11 March it is
    already 12 March, 00:30 in Auckland (UTC+13): a whole day without learning has passed there,
    the streak is broken. In Los Angeles (UTC-7) it is still 04:30 on 11 March: yesterday
    counts, the streak holds. Half an hour earlier, it is 23:30 on 11 March in Auckland."""
    auckland = await make_learner(db_session, time_zone="Pacific/Auckland")
    los_angeles = await make_learner(db_session, time_zone="America/Los_Angeles")
    learned = [date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)]
    for learner in (auckland, los_angeles):
        await learned_on(db_session, learner.user_id, learned)

    async def streak_awarded(learner_id, at: datetime) -> bool:
        event = await happened(db_session, EventType.PROGRESS_RECORDED, learner_id, at=at)
        made = await achievement_service.evaluate(session=db_session, event=event)
        return any(a.type == "streak_3_days" for a in made)

    after_auckland_midnight = datetime(2026, 3, 11, 11, 30, tzinfo=UTC)
    assert not await streak_awarded(auckland.user_id, after_auckland_midnight)
    assert await streak_awarded(los_angeles.user_id, after_auckland_midnight)
    before_auckland_midnight = datetime(2026, 3, 11, 10, 30, tzinfo=UTC)
    assert await streak_awarded(auckland.user_id, before_auckland_midnight)


async def test_the_day_in_a_time_zone() -> None:
    midnight_utc = datetime(2026, 3, 11, 0, 30, tzinfo=UTC)
    assert achievement_service.day_in("Pacific/Auckland", midnight_utc) == date(2026, 3, 11)
    assert achievement_service.day_in("America/Los_Angeles", midnight_utc) == date(2026, 3, 10)
    assert achievement_service.day_in("UTC", midnight_utc) == date(2026, 3, 11)


async def test_hours_learned(db_session: AsyncSession) -> None:
    learner = await make_learner(db_session)
    # Scattered days, no streak: 59 minutes, then 10 hours in all.
    await learned_on(db_session, learner.user_id, [date(2025, 1, 1)], seconds=59 * 60)
    event = await happened(db_session, EventType.PROGRESS_RECORDED, learner.user_id, at=NOW)
    assert await achievement_service.evaluate(session=db_session, event=event) == []

    await learned_on(
        db_session, learner.user_id, [date(2025, 2, 1), date(2025, 3, 1)], seconds=16_230
    )
    event = await happened(db_session, EventType.PROGRESS_RECORDED, learner.user_id, at=NOW)
    made = await achievement_service.evaluate(session=db_session, event=event)
    assert {a.type for a in made} == {"hours_learned_1", "hours_learned_10"}
    assert {a.metadata_["value"] for a in made} == {10.0}
