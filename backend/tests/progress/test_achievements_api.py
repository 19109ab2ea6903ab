"""/api/v1/achievements: the rules, my achievements and progress, my summary; per role."""

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth import passwords
from learnwise.platform.events import EventType
from learnwise.progress import achievement_service
from learnwise.progress.achievement_rules import RULES

from .rewards import complete, happened, learned_on, make_course, set_time_zone

API = "/api/v1/achievements"


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        passwords,
        "password_hash",
        PasswordHash((Argon2Hasher(memory_cost=1024, time_cost=1, parallelism=1),)),
    )


def frozen_now(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(achievement_service, "utcnow", lambda: moment)


async def test_the_rules_are_public(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{API}/rules")
    assert response.status_code == 200
    rules = response.json()
    assert [rule["type"] for rule in rules] == [rule.type for rule in RULES]
    week = next(rule for rule in rules if rule["type"] == "streak_7_days")
    assert week["condition"] == {"where": {}, "metric": "streak_days", "gte": 7.0}
    assert week["event_types"] == ["item.completed", "progress.recorded", "quiz.submitted"]
    perfect = next(rule for rule in rules if rule["type"] == "perfect_quiz")
    assert perfect["condition"]["where"] == {"score": {"gte": 1.0}}
    course = next(rule for rule in rules if rule["type"] == "course_completed")
    assert course["award_key"] == "{course_id}"


@pytest.mark.parametrize("path", ["/me", "/me/summary"])
async def test_mine_need_a_sign_in(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(f"{API}{path}")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_new_learner_has_nothing_yet(client: httpx.AsyncClient, make_account) -> None:
    learner = await make_account("learner")
    mine = (await client.get(f"{API}/me", headers=learner.headers)).json()
    assert mine["earned"] == []
    assert len(mine["rules"]) == len(RULES)
    assert not any(rule["earned"] for rule in mine["rules"])
    streak = next(rule for rule in mine["rules"] if rule["type"] == "streak_3_days")
    assert streak["progress"] == {
        "metric": "streak_days",
        "current": 0.0,
        "target": 3.0,
        "fraction": 0.0,
    }
    module = next(rule for rule in mine["rules"] if rule["type"] == "module_completed")
    assert module["progress"] is None
    assert module["per_key"] is True

    summary = (await client.get(f"{API}/me/summary", headers=learner.headers)).json()
    assert summary | {"today": None} == {
        "xp": 0,
        "level": 1,
        "level_starts_at": 0,
        "next_level_at": 100,
        "current_streak_days": 0,
        "longest_streak_days": 0,
        "days_learned": 0,
        "hours_learned": 0.0,
        "items_completed": 0,
        "achievements_earned": 0,
        "time_zone": "UTC",
        "today": None,
    }


async def test_my_achievements_xp_and_progress(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    make_account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
    frozen_now(monkeypatch, now)
    learner = await make_account("learner")
    other = await make_account("learner")
    course, module, items = await make_course(db_session, learner.user_id, items=3)
    await complete(db_session, learner.user_id, items)
    learned = [now.date() - timedelta(days=n) for n in range(5)] + [date(2026, 1, 1)]
    await learned_on(db_session, learner.user_id, learned, seconds=1200)
    for event in (
        await happened(
            db_session, EventType.ITEM_COMPLETED, learner.user_id, {"item_type": "lesson"}, at=now
        ),
        await happened(
            db_session,
            EventType.MODULE_COMPLETED,
            learner.user_id,
            {"module_id": str(module.module_id)},
            course_id=course.course_id,
            at=now,
        ),
    ):
        await achievement_service.evaluate(session=db_session, event=event)
    await db_session.commit()

    mine = (await client.get(f"{API}/me", headers=learner.headers)).json()
    earned = {a["type"]: a for a in mine["earned"]}
    # 6 days of 20 minutes: two hours; five days in a row.
    assert set(earned) == {"first_lesson", "module_completed", "streak_3_days", "hours_learned_1"}
    assert earned["module_completed"]["award_key"] == str(module.module_id)
    assert earned["module_completed"]["title"] == "Module completed"
    assert earned["module_completed"]["details"]["course_id"] == str(course.course_id)
    rules = {rule["type"]: rule for rule in mine["rules"]}
    assert rules["streak_3_days"]["earned"] is True
    assert rules["streak_7_days"]["earned"] is False
    assert rules["streak_7_days"]["progress"]["current"] == 5
    assert rules["streak_7_days"]["progress"]["fraction"] == round(5 / 7, 4)
    assert rules["hours_learned_10"]["progress"]["current"] == 2.0
    assert rules["module_completed"]["times_earned"] == 1

    summary = (await client.get(f"{API}/me/summary", headers=learner.headers)).json()
    achievement_xp = sum(a["xp"] for a in mine["earned"])
    assert achievement_xp == 10 + 20 + 15 + 10
    assert summary["xp"] == achievement_xp + 3 * 10
    assert summary["level"] == 1  # 85 XP
    assert summary["current_streak_days"] == 5
    assert summary["longest_streak_days"] == 5
    assert summary["days_learned"] == 6
    assert summary["hours_learned"] == 2.0
    assert summary["items_completed"] == 3
    assert summary["achievements_earned"] == 4
    assert summary["today"] == "2026-03-11"

    # Nothing of it shows to another learner.
    assert (await client.get(f"{API}/me", headers=other.headers)).json()["earned"] == []
    theirs = (await client.get(f"{API}/me/summary", headers=other.headers)).json()
    assert theirs["xp"] == 0


async def test_the_summary_s_streak_is_in_the_learner_s_time_zone(
    client: httpx.AsyncClient,
    db_session: AsyncSession,
    make_account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Learned on 9 and 10 March of their own calendar; at 11:30 UTC on 11 March it is 12 March
    in Auckland (streak broken) and still 11 March in Los Angeles (streak of 2)."""
    frozen_now(monkeypatch, datetime(2026, 3, 11, 11, 30, tzinfo=UTC))
    auckland = await make_account("learner")
    los_angeles = await make_account("learner")
    await set_time_zone(db_session, auckland.user_id, "Pacific/Auckland")
    await set_time_zone(db_session, los_angeles.user_id, "America/Los_Angeles")
    for account in (auckland, los_angeles):
        await learned_on(db_session, account.user_id, [date(2026, 3, 9), date(2026, 3, 10)])
    await db_session.commit()

    in_auckland = (await client.get(f"{API}/me/summary", headers=auckland.headers)).json()
    assert in_auckland["time_zone"] == "Pacific/Auckland"
    assert in_auckland["today"] == "2026-03-12"
    assert in_auckland["current_streak_days"] == 0
    assert in_auckland["longest_streak_days"] == 2

    in_los_angeles = (await client.get(f"{API}/me/summary", headers=los_angeles.headers)).json()
    assert in_los_angeles["today"] == "2026-03-11"
    assert in_los_angeles["current_streak_days"] == 2
