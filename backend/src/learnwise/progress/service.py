"""Recording progress: reports of work on items, and instructors' resets.

Every write is a learner's own, on a published item of a course they are enrolled in (see
``access``). The writes of one learner in one course run one at a time (an advisory lock on
PostgreSQL; SQLite serialises writers anyway), so completion is judged on a consistent picture
and each "completed" event happens once. Completion only moves forward: percentages are maxima,
ranges are unions, the last access is the latest, and a completed item stays completed until an
instructor's audited reset. Quiz attempts are in ``quizzes``, offline queues in ``batch``.

Each change records its domain events in the same transaction (``platform.events``):

- ``progress.recorded``: every applied report (``kind: update``) and reset (``kind: reset``);
- ``quiz.submitted``: every graded attempt, with per-question correctness and skills;
- ``item.completed``, ``module.completed``, ``course.completed``: when each happens (again
  after a reset), by ``completion``'s rules.
"""

import hashlib
import math
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.service import Principal
from learnwise.content import item_access
from learnwise.content import service as content_service
from learnwise.content.content_types import LessonContent, QuizContent, VideoContent
from learnwise.content.item_exceptions import ItemNotFound
from learnwise.content.models import Course
from learnwise.content.schemas import CourseSettings, OutlineModule
from learnwise.db import utcnow
from learnwise.platform import events
from learnwise.platform.cache import Cache
from learnwise.platform.events import EventType
from learnwise.progress import completion
from learnwise.progress.access import (
    ItemRef,
    Target,
    course_for_instructor,
    ensure_learner,
    learner_access,
    shown_version,
)
from learnwise.progress.exceptions import InvalidProgress, ModuleLocked
from learnwise.progress.models import LearningDay, ProgressReset, UserProgress
from learnwise.progress.schemas import (
    ItemProgressRead,
    ProgressStatus,
    ProgressUpdate,
    ResetRequest,
)
from learnwise.progress.video import coverage_percentage, merge_ranges
from learnwise.users import service as users_service

# How far the client's clock may be ahead, and how old a queued report may be.
CLOCK_SKEW = timedelta(minutes=5)
MAX_REPORT_AGE = timedelta(days=30)


def occurred_at(reported: datetime | None, now: datetime) -> datetime:
    """When a report's work happened: as the client says, within bounds, or now."""
    if reported is None:
        return now
    if reported > now + CLOCK_SKEW:
        raise InvalidProgress("occurred_at is in the future; check the device's clock.")
    if reported < now - MAX_REPORT_AGE:
        raise InvalidProgress(
            f"occurred_at is more than {MAX_REPORT_AGE.days} days ago; such reports are dropped."
        )
    return reported


# ---------------------------------------------------------------------------------------------
# Shared steps of every write


async def lock_learner(*, session: AsyncSession, user_id: uuid.UUID, course_id: uuid.UUID) -> None:
    """Serialises the writes of one learner in one course until the transaction ends."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: every write transaction holds the database's one write lock
    digest = hashlib.blake2b(f"progress:{user_id}:{course_id}".encode(), digest_size=8).digest()
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:key)"),
        {"key": int.from_bytes(digest, "big", signed=True)},
    )


async def progress_row(
    *, session: AsyncSession, user_id: uuid.UUID, content_id: uuid.UUID, create: bool
) -> UserProgress | None:
    row = await session.scalar(
        select(UserProgress)
        .where(UserProgress.user_id == user_id, UserProgress.content_id == content_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None and create:
        row = UserProgress(
            user_id=user_id,
            content_id=content_id,
            status=ProgressStatus.NOT_STARTED,
            completion_percentage=0,
            time_spent_seconds=0,
            watched_ranges=[],
            attempts_count=0,
        )
        session.add(row)
        await session.flush()
    return row


async def course_state(
    *, session: AsyncSession, cache: Cache, course: Course, user_id: uuid.UUID
) -> tuple[list[OutlineModule], completion.CourseCompletion]:
    """The course's published outline and where the learner stands in it."""
    outline = await content_service.course_outline(
        session=session, cache=cache, course=course, view="published"
    )
    item_ids = [item.content_id for module in outline for item in module.items]
    completed = set(
        await session.scalars(
            select(UserProgress.content_id).where(
                UserProgress.user_id == user_id,
                UserProgress.status == ProgressStatus.COMPLETED,
                UserProgress.content_id.in_(item_ids),
            )
        )
    )
    settings = content_service.course_settings(course)
    return outline, completion.evaluate(
        outline, completed, enforce_prerequisites=settings.enforce_prerequisites
    )


async def locked_progress(
    *, session: AsyncSession, cache: Cache, target: Target, user_id: uuid.UUID
) -> UserProgress:
    """The learner's progress on the item, under the learner's lock on the course; ModuleLocked
    while the course enforces prerequisites that are not complete."""
    await lock_learner(session=session, user_id=user_id, course_id=target.course.course_id)
    if target.settings.enforce_prerequisites:
        _, state = await course_state(
            session=session, cache=cache, course=target.course, user_id=user_id
        )
        module = state.module(target.access.module.module_id)
        if module is not None and not module.unlocked:
            raise ModuleLocked(
                "Complete the modules this one requires first.", module_id=str(module.module_id)
            )
    row = await progress_row(
        session=session, user_id=user_id, content_id=target.access.item.content_id, create=True
    )
    assert row is not None
    return row


def touch(progress: UserProgress, *, at: datetime, version: int, completed: bool) -> None:
    """Marks the item accessed at ``at`` (the latest access wins), started, and if
    ``completed``, completed then."""
    if progress.last_accessed is None or at > progress.last_accessed:
        progress.last_accessed = at
    progress.content_version = version
    if completed:
        progress.status = ProgressStatus.COMPLETED
        progress.completed_at = at
    elif progress.status == ProgressStatus.NOT_STARTED:
        progress.status = ProgressStatus.IN_PROGRESS


async def _learning_day(*, session: AsyncSession, user_id: uuid.UUID, at: datetime) -> date:
    """The day ``at`` falls on in the learner's own time zone."""
    settings = await users_service.get_settings(session=session, user_id=user_id)
    try:
        zone = ZoneInfo(settings.learning_preferences.get("time_zone") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return at.astimezone(zone).date()


async def add_to_learning_day(
    *, session: AsyncSession, user_id: uuid.UUID, at: datetime, seconds: int, completed: int
) -> None:
    if not seconds and not completed:
        return
    day = await _learning_day(session=session, user_id=user_id, at=at)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(LearningDay).values(
        user_id=user_id, day=day, seconds=seconds, items_completed=completed
    )
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=[LearningDay.user_id, LearningDay.day],
            set_={
                "seconds": LearningDay.seconds + insert.excluded.seconds,
                "items_completed": LearningDay.items_completed + insert.excluded.items_completed,
            },
        )
    )


async def on_item_completed(
    *,
    session: AsyncSession,
    cache: Cache,
    target: Target,
    progress: UserProgress,
    user_id: uuid.UUID,
    at: datetime,
) -> None:
    """The events of an item completed, and of its module and course when it completes them."""
    course_id = target.course.course_id
    await events.record(
        session=session,
        type=EventType.ITEM_COMPLETED,
        user_id=user_id,
        course_id=course_id,
        payload={
            **target.event_fields(),
            "is_required": target.access.item.is_required,
            "completed_at": at.isoformat(),
            "best_score": progress.best_score,
        },
    )
    if not target.access.item.is_required:
        return
    _, state = await course_state(
        session=session, cache=cache, course=target.course, user_id=user_id
    )
    module = state.module(target.access.module.module_id)
    if module is not None and module.completed:
        await events.record(
            session=session,
            type=EventType.MODULE_COMPLETED,
            user_id=user_id,
            course_id=course_id,
            payload={
                "module_id": str(module.module_id),
                "course_id": str(course_id),
                "completed_at": at.isoformat(),
            },
        )
    if state.completed:
        await events.record(
            session=session,
            type=EventType.COURSE_COMPLETED,
            user_id=user_id,
            course_id=course_id,
            payload={
                "course_id": str(course_id),
                "completed_at": at.isoformat(),
                "required_items": state.required_items,
            },
        )


def item_progress_read(
    ref: ItemRef, settings: CourseSettings, progress: UserProgress | None
) -> ItemProgressRead:
    attempts = progress.attempts_count if progress is not None else 0
    limit = settings.max_quiz_attempts if ref.type == "quiz" else None
    return ItemProgressRead(
        content_id=ref.content_id,
        course_id=ref.course_id,
        module_id=ref.module_id,
        type=ref.type,
        status=ProgressStatus(progress.status) if progress else ProgressStatus.NOT_STARTED,
        completion_percentage=progress.completion_percentage if progress else 0,
        time_spent_seconds=progress.time_spent_seconds if progress else 0,
        last_accessed=progress.last_accessed if progress else None,
        completed_at=progress.completed_at if progress else None,
        content_version=progress.content_version if progress else None,
        watched_ranges=list(progress.watched_ranges) if progress else [],
        best_score=progress.best_score if progress else None,
        attempts_count=attempts,
        attempts_remaining=None if limit is None else max(0, limit - attempts),
    )


# ---------------------------------------------------------------------------------------------
# Progress reports


def _check_report_fits(target: Target, update: ProgressUpdate) -> None:
    kind = target.access.item.type
    if update.watched_ranges is not None and kind != "video":
        raise InvalidProgress(f"Only videos take watched ranges; this item is a {kind}.")
    if update.completion_percentage is not None and kind in ("video", "quiz"):
        raise InvalidProgress(
            "A video's completion comes from the ranges watched, a quiz's from its attempts: "
            "send watched_ranges or an attempt instead of completion_percentage."
        )
    if update.completed and kind not in completion.MARKABLE_TYPES:
        raise InvalidProgress(
            f"A {kind} cannot be marked complete: "
            + ("watch it." if kind == "video" else "pass it.")
        )


def _advance(target: Target, progress: UserProgress, update: ProgressUpdate) -> tuple[int, bool]:
    """The item's completion percentage after the report (before taking the maximum with the
    stored one), and whether the item is now complete."""
    reported = math.floor(update.completion_percentage or 0)
    match target.content:
        case VideoContent(duration_seconds=duration):
            if update.watched_ranges:
                progress.watched_ranges = merge_ranges(
                    [*progress.watched_ranges, *update.watched_ranges], duration=duration
                )
            percentage = coverage_percentage(progress.watched_ranges, duration=duration)
            return percentage, percentage >= completion.video_threshold(target.settings)
        case LessonContent(body=body):
            depth = max(progress.completion_percentage, reported)
            read = depth >= completion.LESSON_READ_DEPTH and (
                progress.time_spent_seconds
                >= completion.lesson_min_read_seconds(
                    body, target.version.metadata_.get("estimated_minutes")
                )
            )
            return (100, True) if update.completed or read else (depth, False)
        case QuizContent():
            return progress.completion_percentage, False
        case _:
            return (100, True) if update.completed else (reported, False)


async def record_progress(
    *,
    session: AsyncSession,
    cache: Cache,
    principal: Principal,
    content_id: uuid.UUID,
    update: ProgressUpdate,
) -> ItemProgressRead:
    """Applies one report of the caller's work on an item (see ``completion`` for when it
    completes the item)."""
    now = utcnow()
    at = occurred_at(update.occurred_at, now)
    access = await learner_access(session=session, principal=principal, content_id=content_id)
    version = await shown_version(session=session, access=access, version=update.content_version)
    target = Target.of(access, version)
    _check_report_fits(target, update)
    progress = await locked_progress(
        session=session, cache=cache, target=target, user_id=principal.user_id
    )
    was_completed = progress.status == ProgressStatus.COMPLETED
    progress.time_spent_seconds += update.time_spent_seconds
    percentage, done = _advance(target, progress, update)
    progress.completion_percentage = max(progress.completion_percentage, percentage)
    became_completed = done and not was_completed
    touch(progress, at=at, version=version.version, completed=became_completed)
    await session.flush()
    await add_to_learning_day(
        session=session,
        user_id=principal.user_id,
        at=at,
        seconds=update.time_spent_seconds,
        completed=int(became_completed),
    )
    await events.record(
        session=session,
        type=EventType.PROGRESS_RECORDED,
        user_id=principal.user_id,
        course_id=target.course.course_id,
        payload={
            **target.event_fields(),
            "kind": "update",
            "status": progress.status,
            "completion_percentage": progress.completion_percentage,
            "seconds_added": update.time_spent_seconds,
            "time_spent_seconds": progress.time_spent_seconds,
            "content_version": version.version,
            "occurred_at": at.isoformat(),
        },
    )
    if became_completed:
        await on_item_completed(
            session=session,
            cache=cache,
            target=target,
            progress=progress,
            user_id=principal.user_id,
            at=at,
        )
    return item_progress_read(target.ref, target.settings, progress)


# ---------------------------------------------------------------------------------------------
# Instructors' resets


def _snapshot(progress: UserProgress | None) -> dict[str, Any]:
    if progress is None:
        return {"status": ProgressStatus.NOT_STARTED}
    return {
        "status": progress.status,
        "completion_percentage": progress.completion_percentage,
        "time_spent_seconds": progress.time_spent_seconds,
        "watched_ranges": progress.watched_ranges,
        "best_score": progress.best_score,
        "attempts_count": progress.attempts_count,
        "content_version": progress.content_version,
        "last_accessed": progress.last_accessed.isoformat() if progress.last_accessed else None,
        "completed_at": progress.completed_at.isoformat() if progress.completed_at else None,
    }


async def reset_progress(
    *,
    session: AsyncSession,
    principal: Principal,
    course_id: uuid.UUID,
    user_id: uuid.UUID,
    content_id: uuid.UUID,
    reset: ResetRequest,
) -> ItemProgressRead:
    """Puts a learner's progress on an item back to the start (their time spent stays, and
    their quiz attempts stay on record but no longer count against the limit), audited with
    the reason and the state before."""
    course = await course_for_instructor(session=session, principal=principal, course_id=course_id)
    access = await item_access.for_reading(
        session=session, principal=principal, content_id=content_id
    )
    if access.course.course_id != course.course_id:
        raise ItemNotFound("No such content item in this course.")
    await ensure_learner(session=session, user_id=user_id, course=course)
    await lock_learner(session=session, user_id=user_id, course_id=course.course_id)
    progress = await progress_row(
        session=session, user_id=user_id, content_id=content_id, create=False
    )
    audit = ProgressReset(
        learner_id=user_id,
        content_id=content_id,
        actor_id=principal.user_id,
        reason=reset.reason,
        previous=_snapshot(progress),
    )
    session.add(audit)
    if progress is not None:
        progress.status = ProgressStatus.NOT_STARTED
        progress.completion_percentage = 0
        progress.watched_ranges = []
        progress.best_score = None
        progress.attempts_count = 0
        progress.completed_at = None
    await session.flush()
    ref = ItemRef.of(access)
    await events.record(
        session=session,
        type=EventType.PROGRESS_RECORDED,
        user_id=user_id,
        course_id=course.course_id,
        payload={
            "content_id": str(ref.content_id),
            "module_id": str(ref.module_id),
            "course_id": str(ref.course_id),
            "item_type": ref.type,
            "kind": "reset",
            "status": ProgressStatus.NOT_STARTED,
            "completion_percentage": 0,
            "reset_id": str(audit.reset_id),
            "actor_id": str(principal.user_id),
            "reason": reset.reason,
        },
    )
    return item_progress_read(ref, content_service.course_settings(course), progress)
