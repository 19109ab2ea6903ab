"""The server's domain events, stored and folded into the rollups, one event at a time.

Run by the relay consumer ``analytics`` exactly once per event (its receipt commits with these
writes). Every figure is an atomic increment, so relays on several instances may fold events
side by side. Learners' own days are days of their calendar (their time zone); courses' and
the platform's days are UTC days. Activity counts (active learners) follow each learner's
latest activity: an event older than the latest one (a late offline report) adds its time and
completions but does not make the learner active again on that older day.
"""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.analytics import counters
from learnwise.analytics.models import (
    ActivityEvent,
    CourseLearner,
    CoursePeriod,
    ItemStat,
    LearnerDay,
    LearnerItem,
    LearnerSummary,
    ModuleStat,
    PlatformDay,
    QuestionStat,
    ScoreBucket,
    SkillDay,
)
from learnwise.platform.events import EventType
from learnwise.platform.models import OutboxEvent
from learnwise.users import service as users_service

EVENT_TYPES = frozenset(
    {
        EventType.ENROLLED,
        EventType.PROGRESS_RECORDED,
        EventType.QUIZ_SUBMITTED,
        EventType.ITEM_COMPLETED,
        EventType.MODULE_COMPLETED,
        EventType.COURSE_COMPLETED,
    }
)


def week_start(day: date) -> date:
    """The Monday of the ISO week of ``day``."""
    return day - timedelta(days=day.weekday())


def _uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(str(value)) if value else None


def _when(event: OutboxEvent) -> datetime:
    """When it happened: the client's time of an (offline-queued) report, else the event's."""
    stated = event.payload.get("occurred_at")
    if isinstance(stated, str):
        parsed = datetime.fromisoformat(stated)
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
    return event.occurred_at.astimezone(UTC)


class _Fold:
    """The rollup writes of one event of one learner in one course."""

    def __init__(
        self, session: AsyncSession, event: OutboxEvent, user_id: uuid.UUID, course_id: uuid.UUID
    ) -> None:
        self.session = session
        self.event = event
        self.user_id = user_id
        self.course_id = course_id
        self.at = _when(event)
        self.utc_day = self.at.date()
        self.local_day = self.utc_day

    async def load_calendar(self) -> None:
        zone = await users_service.time_zone(session=self.session, user_id=self.user_id)
        self.local_day = self.at.astimezone(ZoneInfo(zone)).date()

    async def learner_day(self, **increments: int) -> None:
        await counters.add(
            self.session,
            LearnerDay,
            {"user_id": self.user_id, "day": self.local_day, "course_id": self.course_id},
            increments,
        )

    async def summary(self, **increments: int) -> None:
        await counters.add(self.session, LearnerSummary, {"user_id": self.user_id}, increments)

    async def course_learner(self, **increments: int | float) -> None:
        await counters.add(
            self.session,
            CourseLearner,
            {"course_id": self.course_id, "user_id": self.user_id},
            increments,
        )

    async def course_periods(self, **increments: int) -> None:
        for period, starts_on in (("day", self.utc_day), ("week", week_start(self.utc_day))):
            await counters.add(
                self.session,
                CoursePeriod,
                {"course_id": self.course_id, "period": period, "starts_on": starts_on},
                increments,
            )

    async def platform_day(self, **increments: int) -> None:
        await counters.add(self.session, PlatformDay, {"day": self.utc_day}, increments)

    async def mark_active(self) -> None:
        """Counts the learner active today in the course and on the platform (once a day, and
        once a week in the course), and moves their streak along."""
        await self.course_learner()
        previous = await self.session.scalar(
            select(CourseLearner.last_active_on)
            .where(CourseLearner.course_id == self.course_id, CourseLearner.user_id == self.user_id)
            .with_for_update()
        )
        if previous is None or previous < self.utc_day:
            await self.session.execute(
                update(CourseLearner)
                .where(
                    CourseLearner.course_id == self.course_id,
                    CourseLearner.user_id == self.user_id,
                )
                .values(last_active_on=self.utc_day)
            )
            new_week = previous is None or previous < week_start(self.utc_day)
            for period, starts_on, counts in (
                ("day", self.utc_day, True),
                ("week", week_start(self.utc_day), new_week),
            ):
                if counts:
                    await counters.add(
                        self.session,
                        CoursePeriod,
                        {"course_id": self.course_id, "period": period, "starts_on": starts_on},
                        {"active_learners": 1},
                    )
        await self._advance_streak()

    async def _advance_streak(self) -> None:
        await self.summary()
        summary = await self.session.scalar(
            select(LearnerSummary).where(LearnerSummary.user_id == self.user_id).with_for_update()
        )
        assert summary is not None
        last_seen = summary.last_active_at
        if last_seen is None or last_seen.date() < self.utc_day:
            await self.platform_day(active_users=1)
        if last_seen is None or last_seen < self.at:
            summary.last_active_at = self.at
        last_day = summary.last_active_day
        if last_day is not None and last_day >= self.local_day:
            return
        if last_day is not None and last_day == self.local_day - timedelta(days=1):
            summary.current_streak += 1
        else:
            summary.current_streak = 1
        summary.longest_streak = max(summary.longest_streak, summary.current_streak)
        summary.last_active_day = self.local_day
        await self.session.flush()


async def _learner_item_started(fold: _Fold, content_id: uuid.UUID) -> None:
    started = await counters.insert_new(
        fold.session,
        LearnerItem,
        {"content_id": content_id, "user_id": fold.user_id, "started_at": fold.at},
    )
    await _item(fold, content_id, learners_started=1 if started else 0)


async def _item(fold: _Fold, content_id: uuid.UUID, **increments: int | float) -> None:
    await counters.add(
        fold.session,
        ItemStat,
        {"content_id": content_id},
        increments,
        on_insert={"course_id": fold.course_id},
    )


async def _on_progress(fold: _Fold, payload: dict[str, Any]) -> None:
    if payload.get("kind") != "update":
        return  # an instructor's reset: kept as an event, it changes no figure
    seconds = max(0, int(payload.get("seconds_added") or 0))
    await fold.learner_day(seconds=seconds)
    await fold.summary(seconds=seconds)
    await fold.course_learner(seconds=seconds)
    await fold.course_periods(seconds=seconds)
    await fold.platform_day(seconds=seconds)
    content_id = _uuid(payload.get("content_id"))
    if content_id is not None:
        await _learner_item_started(fold, content_id)
        await _item(fold, content_id, seconds=seconds)
    await fold.mark_active()


async def _on_quiz(fold: _Fold, payload: dict[str, Any]) -> None:
    score = min(1.0, max(0.0, float(payload.get("score") or 0.0)))
    await fold.learner_day(quiz_attempts=1)
    await fold.course_learner(quiz_attempts=1, quiz_score_sum=score)
    content_id = _uuid(payload.get("content_id"))
    if content_id is not None:
        await _learner_item_started(fold, content_id)
        await _item(fold, content_id, quiz_attempts=1, quiz_score_sum=score)
        await counters.add(
            fold.session,
            ScoreBucket,
            {"content_id": content_id, "bucket": int(score * 10)},
            {"attempts": 1},
        )
    for response in payload.get("responses") or []:
        answered, correct = bool(response.get("answered")), bool(response.get("correct"))
        if content_id is not None and response.get("question_id"):
            await counters.add(
                fold.session,
                QuestionStat,
                {"content_id": content_id, "question_id": str(response["question_id"])[:64]},
                {"responses": 1, "answered": int(answered), "correct": int(correct)},
            )
        for skill_id in response.get("skill_ids") or []:
            await counters.add(
                fold.session,
                SkillDay,
                {
                    "user_id": fold.user_id,
                    "skill_id": uuid.UUID(str(skill_id)),
                    "day": fold.local_day,
                },
                {"answered": int(answered), "correct": int(correct)},
            )
    await fold.mark_active()


async def _on_item_completed(fold: _Fold, payload: dict[str, Any]) -> None:
    await fold.learner_day(items_completed=1)
    await fold.summary(items_completed=1)
    await fold.course_learner(items_completed=1)
    await fold.course_periods(items_completed=1)
    await fold.platform_day(items_completed=1)
    content_id = _uuid(payload.get("content_id"))
    if content_id is None:
        return
    await _learner_item_started(fold, content_id)
    # A learner completing an item again after an instructor's reset counts once.
    first = await fold.session.execute(
        update(LearnerItem)
        .where(
            LearnerItem.content_id == content_id,
            LearnerItem.user_id == fold.user_id,
            LearnerItem.completed_at.is_(None),
        )
        .values(completed_at=fold.at)
    )
    if first.rowcount:  # type: ignore[attr-defined]
        await _item(fold, content_id, learners_completed=1)


async def _on_module_completed(fold: _Fold, payload: dict[str, Any]) -> None:
    module_id = _uuid(payload.get("module_id"))
    if module_id is not None:
        await counters.add(
            fold.session,
            ModuleStat,
            {"module_id": module_id},
            {"completions": 1},
            on_insert={"course_id": fold.course_id},
        )


async def _on_course_completed(fold: _Fold, payload: dict[str, Any]) -> None:
    await fold.learner_day(courses_completed=1)
    await fold.course_learner()
    first = await fold.session.execute(
        update(CourseLearner)
        .where(
            CourseLearner.course_id == fold.course_id,
            CourseLearner.user_id == fold.user_id,
            CourseLearner.completed_at.is_(None),
        )
        .values(completed_at=fold.at)
    )
    if first.rowcount:  # type: ignore[attr-defined]
        await fold.summary(courses_completed=1)
        await fold.course_periods(course_completions=1)
        await fold.platform_day(course_completions=1)


async def _on_enrolled(fold: _Fold, payload: dict[str, Any]) -> None:
    await fold.course_learner()
    if payload.get("reactivated"):
        return  # back after dropping out: the same enrollment
    await fold.session.execute(
        update(CourseLearner)
        .where(
            CourseLearner.course_id == fold.course_id,
            CourseLearner.user_id == fold.user_id,
            CourseLearner.enrolled_at.is_(None),
        )
        .values(enrolled_at=fold.at)
    )
    await fold.course_periods(enrollments=1)
    await fold.platform_day(enrollments=1)


_FOLDS = {
    EventType.ENROLLED: _on_enrolled,
    EventType.PROGRESS_RECORDED: _on_progress,
    EventType.QUIZ_SUBMITTED: _on_quiz,
    EventType.ITEM_COMPLETED: _on_item_completed,
    EventType.MODULE_COMPLETED: _on_module_completed,
    EventType.COURSE_COMPLETED: _on_course_completed,
}


async def fold_event(*, session: AsyncSession, event: OutboxEvent) -> None:
    """Stores the domain event as an activity event and adds it to the rollups."""
    payload = event.payload or {}
    session.add(
        ActivityEvent(
            source="server",
            type=event.type,
            user_id=event.user_id,
            course_id=event.course_id,
            content_id=_uuid(payload.get("content_id")),
            occurred_at=_when(event),
            data=payload,
        )
    )
    await session.flush()
    fold_one = _FOLDS.get(EventType(event.type)) if event.type in _FOLDS else None
    if fold_one is None or event.user_id is None or event.course_id is None:
        return
    fold = _Fold(session, event, event.user_id, event.course_id)
    await fold.load_calendar()
    await fold_one(fold, payload)
