"""/api/v1: progress on items, quiz attempts, offline queues, and progress in courses.

    POST /items/{content_id}/progress              report work on an item (Idempotency-Key)
    GET  /items/{content_id}/progress              my progress on the item
    POST /items/{content_id}/attempts              submit a quiz attempt (Idempotency-Key)
    GET  /items/{content_id}/attempts              my attempts
    POST /progress/batch                           an offline queue of the above, each once
    GET  /courses/progress                         my progress in each of my courses
    GET  /courses/{course_id}/progress             my progress in a course
    GET  /courses/{course_id}/progress/learners    the learners' progress (instructors)
    GET  /courses/{course_id}/progress/learners/{user_id}
    GET  /courses/{course_id}/progress/items       per item, over the learners (instructors)
    POST /courses/{course_id}/progress/learners/{user_id}/items/{content_id}/reset

Every write takes an Idempotency-Key (the batch, one per event): a retry has no second effect
and gets the first answer.
"""

import uuid

from fastapi import APIRouter

from learnwise.auth.dependencies import CurrentPrincipal
from learnwise.db import SessionDep
from learnwise.pagination import Page, PageParamsDep
from learnwise.platform.idempotency import IdempotencyClaimsDep, IdempotencyDep
from learnwise.platform.runtime import RuntimeDep
from learnwise.progress import batch, quizzes, reports, service
from learnwise.progress.dependencies import EnrollmentStatusQuery, Learner
from learnwise.progress.schemas import (
    AttemptRead,
    AttemptResult,
    AttemptSubmit,
    BatchResult,
    CourseProgressRead,
    ItemProgressRead,
    ItemProgressSummary,
    LearnerProgressDetail,
    LearnerProgressSummary,
    ProgressBatch,
    ProgressUpdate,
    ResetRequest,
)

router = APIRouter(tags=["progress"])


@router.post("/items/{content_id}/progress", status_code=batch.PROGRESS_STATUS)
async def record_progress(
    idempotency: IdempotencyDep,
    content_id: uuid.UUID,
    update: ProgressUpdate,
    principal: Learner,
    session: SessionDep,
    runtime: RuntimeDep,
) -> ItemProgressRead:
    """Time spent, a lesson's scroll depth, a video's watched ranges, or "mark complete"."""
    return await idempotency.run(
        session=session,
        response_model=ItemProgressRead,
        request_hash=batch.progress_fingerprint(content_id, update),
        action=lambda: service.record_progress(
            session=session,
            cache=runtime.cache,
            principal=principal,
            content_id=content_id,
            update=update,
        ),
    )


@router.get("/items/{content_id}/progress")
async def read_item_progress(
    content_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> ItemProgressRead:
    return await reports.my_item_progress(
        session=session, principal=principal, content_id=content_id
    )


@router.post("/items/{content_id}/attempts", status_code=batch.ATTEMPT_STATUS)
async def submit_attempt(
    idempotency: IdempotencyDep,
    content_id: uuid.UUID,
    submission: AttemptSubmit,
    principal: Learner,
    session: SessionDep,
    runtime: RuntimeDep,
) -> AttemptResult:
    """Grades the answers against the version of the quiz that was shown."""
    return await idempotency.run(
        session=session,
        response_model=AttemptResult,
        request_hash=batch.attempt_fingerprint(content_id, submission),
        action=lambda: quizzes.submit_attempt(
            session=session,
            cache=runtime.cache,
            principal=principal,
            content_id=content_id,
            submission=submission,
        ),
    )


@router.get("/items/{content_id}/attempts")
async def list_attempts(
    content_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, page: PageParamsDep
) -> Page[AttemptRead]:
    return await quizzes.list_attempts(
        session=session, principal=principal, content_id=content_id, page=page
    )


@router.post("/progress/batch")
async def apply_batch(
    claims: IdempotencyClaimsDep,
    queue: ProgressBatch,
    principal: Learner,
    session: SessionDep,
    runtime: RuntimeDep,
) -> BatchResult:
    """Applies an offline queue in order; each event once per its idempotency_key."""
    return await batch.apply_batch(
        session=session, cache=runtime.cache, principal=principal, claims=claims, batch=queue
    )


@router.get("/courses/progress")
async def my_courses_progress(
    principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep, page: PageParamsDep
) -> Page[CourseProgressRead]:
    return await reports.my_courses_progress(
        session=session, cache=runtime.cache, principal=principal, page=page
    )


@router.get("/courses/{course_id}/progress")
async def my_course_progress(
    course_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> CourseProgressRead:
    return await reports.my_course_progress(
        session=session, cache=runtime.cache, principal=principal, course_id=course_id
    )


@router.get("/courses/{course_id}/progress/learners")
async def learners_progress(
    course_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
    page: PageParamsDep,
    status: EnrollmentStatusQuery = None,
) -> Page[LearnerProgressSummary]:
    return await reports.learners_progress(
        session=session,
        cache=runtime.cache,
        principal=principal,
        course_id=course_id,
        status=status,
        page=page,
    )


@router.get("/courses/{course_id}/progress/learners/{user_id}")
async def learner_progress(
    course_id: uuid.UUID,
    user_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
) -> LearnerProgressDetail:
    return await reports.learner_progress(
        session=session,
        cache=runtime.cache,
        principal=principal,
        course_id=course_id,
        user_id=user_id,
    )


@router.get("/courses/{course_id}/progress/items")
async def items_progress(
    course_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> list[ItemProgressSummary]:
    return await reports.items_progress(
        session=session, cache=runtime.cache, principal=principal, course_id=course_id
    )


@router.post("/courses/{course_id}/progress/learners/{user_id}/items/{content_id}/reset")
async def reset_progress(
    idempotency: IdempotencyDep,
    course_id: uuid.UUID,
    user_id: uuid.UUID,
    content_id: uuid.UUID,
    reset: ResetRequest,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> ItemProgressRead:
    """Puts a learner's progress on an item back to the start, audited with the reason."""
    return await idempotency.run(
        session=session,
        response_model=ItemProgressRead,
        action=lambda: service.reset_progress(
            session=session,
            principal=principal,
            course_id=course_id,
            user_id=user_id,
            content_id=content_id,
            reset=reset,
        ),
    )
