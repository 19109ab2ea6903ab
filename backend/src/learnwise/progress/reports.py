"""Reading progress: a learner's own, per item and per course, and the course's learners as
their instructors see them (per learner and per item).

A course's progress is over what its learners see (its published outline): the percentage over
its required items, its modules (complete, unlocked), the next item, the time spent and the last
activity, by ``completion``'s rules.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Literal

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.service import Principal
from learnwise.content import service as content_service
from learnwise.content.item_exceptions import EnrollmentRequired
from learnwise.content.models import Course, Enrollment
from learnwise.content.schemas import OutlineModule
from learnwise.pagination import Page, PageParams
from learnwise.platform.cache import Cache
from learnwise.progress import completion
from learnwise.progress.access import (
    ItemRef,
    course_for_instructor,
    enrollment_of,
    ensure_learner,
    learner_access,
)
from learnwise.progress.models import UserProgress
from learnwise.progress.schemas import (
    CourseProgressRead,
    ItemProgressRead,
    ItemProgressSummary,
    LearnerItemProgress,
    LearnerProgressDetail,
    LearnerProgressSummary,
    ModuleProgressRead,
    NextItemRead,
    ProgressStatus,
)
from learnwise.progress.service import item_progress_read


async def my_item_progress(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID
) -> ItemProgressRead:
    access = await learner_access(session=session, principal=principal, content_id=content_id)
    progress = await session.scalar(
        select(UserProgress).where(
            UserProgress.user_id == principal.user_id, UserProgress.content_id == content_id
        )
    )
    return item_progress_read(
        ItemRef.of(access), content_service.course_settings(access.course), progress
    )


def _item_ids(outline: Sequence[OutlineModule]) -> list[uuid.UUID]:
    return [item.content_id for module in outline for item in module.items]


async def _rows_by_user(
    *, session: AsyncSession, user_ids: Iterable[uuid.UUID], item_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[UserProgress]]:
    rows: dict[uuid.UUID, list[UserProgress]] = defaultdict(list)
    users = list(user_ids)
    if not users or not item_ids:
        return rows
    found = await session.scalars(
        select(UserProgress).where(
            UserProgress.user_id.in_(users), UserProgress.content_id.in_(item_ids)
        )
    )
    for row in found:
        rows[row.user_id].append(row)
    return rows


def _course_progress(
    course: Course, outline: Sequence[OutlineModule], rows: Sequence[UserProgress]
) -> CourseProgressRead:
    """A learner's progress in the course, from their progress on its items (``rows``)."""
    done = {row.content_id for row in rows if row.status == ProgressStatus.COMPLETED}
    state = completion.evaluate(
        outline,
        done,
        enforce_prerequisites=content_service.course_settings(course).enforce_prerequisites,
    )
    required = {item.content_id for module in outline for item in module.items if item.is_required}
    completed_at = (
        max(
            (r.completed_at for r in rows if r.content_id in required and r.completed_at),
            default=None,
        )
        if state.completed
        else None
    )
    next_item = state.next_item
    return CourseProgressRead(
        course_id=course.course_id,
        title=course.title,
        percent_complete=state.percent_complete,
        required_items=state.required_items,
        completed_required_items=state.completed_required_items,
        completed_items=len(done),
        completed=state.completed,
        completed_at=completed_at,
        completed_modules=sum(1 for m in state.modules if m.completed),
        modules=[
            ModuleProgressRead(
                module_id=m.module_id,
                title=m.title,
                required_items=m.required_items,
                completed_required_items=m.completed_required_items,
                completed=m.completed,
                unlocked=m.unlocked,
            )
            for m in state.modules
        ],
        next_item=NextItemRead(
            content_id=next_item.content_id,
            module_id=next_item.module_id,
            title=next_item.title,
            type=next_item.type,
        )
        if next_item is not None
        else None,
        time_spent_seconds=sum(row.time_spent_seconds for row in rows),
        last_activity_at=max((r.last_accessed for r in rows if r.last_accessed), default=None),
    )


async def _progress_of(
    *, session: AsyncSession, cache: Cache, course: Course, user_id: uuid.UUID
) -> tuple[list[OutlineModule], CourseProgressRead, list[UserProgress]]:
    outline = await content_service.course_outline(
        session=session, cache=cache, course=course, view="published"
    )
    rows = (await _rows_by_user(session=session, user_ids=[user_id], item_ids=_item_ids(outline)))[
        user_id
    ]
    return outline, _course_progress(course, outline, rows), rows


async def my_course_progress(
    *, session: AsyncSession, cache: Cache, principal: Principal, course_id: uuid.UUID
) -> CourseProgressRead:
    """The caller's progress in a course they are (or were) enrolled in."""
    course = await content_service.get_course_for_read(
        session=session, principal=principal, course_id=course_id
    )
    if await enrollment_of(session=session, user_id=principal.user_id, course=course) is None:
        raise EnrollmentRequired("Enroll in the course to make progress in it.")
    _, progress, _ = await _progress_of(
        session=session, cache=cache, course=course, user_id=principal.user_id
    )
    return progress


async def my_courses_progress(
    *, session: AsyncSession, cache: Cache, principal: Principal, page: PageParams
) -> Page[CourseProgressRead]:
    """The caller's progress in each course they are enrolled in, most recent first."""
    enrolled, total = await content_service.my_courses(
        session=session, principal=principal, offset=page.offset, limit=page.limit
    )
    items = []
    for entry in enrolled:
        course = await content_service.get_course_for_read(
            session=session, principal=principal, course_id=entry.course.course_id
        )
        _, progress, _ = await _progress_of(
            session=session, cache=cache, course=course, user_id=principal.user_id
        )
        items.append(progress)
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)


async def learners_progress(
    *,
    session: AsyncSession,
    cache: Cache,
    principal: Principal,
    course_id: uuid.UUID,
    status: Literal["active", "dropped"] | None,
    page: PageParams,
) -> Page[LearnerProgressSummary]:
    """The course's learners, by name, with their progress (for its instructors)."""
    course = await course_for_instructor(session=session, principal=principal, course_id=course_id)
    learners, total = await content_service.course_learners(
        session=session,
        principal=principal,
        course_id=course.course_id,
        status=status,
        offset=page.offset,
        limit=page.limit,
    )
    outline = await content_service.course_outline(
        session=session, cache=cache, course=course, view="published"
    )
    rows = await _rows_by_user(
        session=session,
        user_ids=[learner.user_id for learner in learners],
        item_ids=_item_ids(outline),
    )
    summaries = []
    for learner in learners:
        progress = _course_progress(course, outline, rows.get(learner.user_id, []))
        summaries.append(
            LearnerProgressSummary(
                user_id=learner.user_id,
                display_name=learner.display_name,
                email=learner.email,
                enrollment_status=learner.status,
                enrolled_at=learner.enrolled_at,
                percent_complete=progress.percent_complete,
                required_items=progress.required_items,
                completed_required_items=progress.completed_required_items,
                completed=progress.completed,
                time_spent_seconds=progress.time_spent_seconds,
                last_activity_at=progress.last_activity_at,
            )
        )
    return Page(items=summaries, total=total, offset=page.offset, limit=page.limit)


async def learner_progress(
    *,
    session: AsyncSession,
    cache: Cache,
    principal: Principal,
    course_id: uuid.UUID,
    user_id: uuid.UUID,
) -> LearnerProgressDetail:
    """One learner's progress in the course and on each of its items (for its instructors)."""
    course = await course_for_instructor(session=session, principal=principal, course_id=course_id)
    await ensure_learner(session=session, user_id=user_id, course=course)
    outline, progress, rows = await _progress_of(
        session=session, cache=cache, course=course, user_id=user_id
    )
    settings = content_service.course_settings(course)
    by_item = {row.content_id: row for row in rows}
    items = []
    for module in outline:
        for item in module.items:
            ref = ItemRef(item.content_id, module.module_id, course.course_id, item.type)
            read = item_progress_read(ref, settings, by_item.get(item.content_id))
            items.append(
                LearnerItemProgress(
                    **read.model_dump(), title=item.title, is_required=item.is_required
                )
            )
    return LearnerProgressDetail(user_id=user_id, course=progress, items=items)


async def items_progress(
    *, session: AsyncSession, cache: Cache, principal: Principal, course_id: uuid.UUID
) -> list[ItemProgressSummary]:
    """Each item of the course over its active learners (for its instructors): how many
    started and completed it, and the averages (learners who never opened it count as 0)."""
    course = await course_for_instructor(session=session, principal=principal, course_id=course_id)
    outline = await content_service.course_outline(
        session=session, cache=cache, course=course, view="published"
    )
    active = and_(
        Enrollment.course_id == course.course_id,
        Enrollment.status == content_service.ACTIVE,
    )
    learners = await session.scalar(select(func.count()).select_from(Enrollment).where(active))
    started = UserProgress.status != ProgressStatus.NOT_STARTED
    completed = UserProgress.status == ProgressStatus.COMPLETED
    totals = {
        row.content_id: row
        for row in await session.execute(
            select(
                UserProgress.content_id,
                func.sum(case((started, 1), else_=0)).label("started"),
                func.sum(case((completed, 1), else_=0)).label("completed"),
                func.sum(UserProgress.completion_percentage).label("percentage"),
                func.sum(UserProgress.time_spent_seconds).label("seconds"),
                func.avg(UserProgress.best_score).label("best_score"),
                func.sum(UserProgress.attempts_count).label("attempts"),
            )
            .join(
                Enrollment,
                and_(Enrollment.user_id == UserProgress.user_id, active),
            )
            .where(UserProgress.content_id.in_(_item_ids(outline)))
            .group_by(UserProgress.content_id)
        )
    }
    count = learners or 0
    summaries = []
    for module in outline:
        for item in module.items:
            row = totals.get(item.content_id)
            summaries.append(
                ItemProgressSummary(
                    content_id=item.content_id,
                    module_id=module.module_id,
                    title=item.title,
                    type=item.type,
                    is_required=item.is_required,
                    learners=count,
                    started=int(row.started) if row else 0,
                    completed=int(row.completed) if row else 0,
                    average_completion_percentage=round(row.percentage / count, 1)
                    if row and count
                    else 0.0,
                    average_time_spent_seconds=round(row.seconds / count, 1)
                    if row and count
                    else 0.0,
                    average_best_score=float(row.best_score)
                    if row and row.best_score is not None
                    else None,
                    attempts=int(row.attempts) if row else 0,
                )
            )
    return summaries
