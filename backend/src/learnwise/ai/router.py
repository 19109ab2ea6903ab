"""The AI service's routes under /api/v1/ai."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from learnwise.ai.analysis import service as analysis
from learnwise.ai.analysis.schemas import CourseAnalysis, LearnerAnalysis
from learnwise.ai.learner_model import jobs as learner_model_jobs
from learnwise.auth.dependencies import CurrentPrincipal, RequirePermission
from learnwise.auth.permissions import Permission
from learnwise.auth.service import Principal
from learnwise.db import SessionDep
from learnwise.platform.jobs.schemas import JobRead
from learnwise.platform.runtime import RuntimeDep

router = APIRouter(prefix="/ai", tags=["ai"])


@router.get("/analyze/learners/{user_id}")
async def analyze_learner(
    user_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
    course_id: Annotated[
        uuid.UUID | None,
        Query(description="Within this course (required for another learner)."),
    ] = None,
) -> LearnerAnalysis:
    """A learner's mastery per skill, strengths and weaknesses, pace and at-risk score: for
    themself, or for the instructors of a course they took (and admins)."""
    return await analysis.analyze_learner(
        session=session,
        cache=runtime.cache,
        principal=principal,
        user_id=user_id,
        course_id=course_id,
    )


@router.get("/analyze/me")
async def analyze_me(
    principal: CurrentPrincipal,
    session: SessionDep,
    runtime: RuntimeDep,
    course_id: Annotated[uuid.UUID | None, Query(description="Within this course.")] = None,
) -> LearnerAnalysis:
    """The caller's own analysis."""
    return await analysis.analyze_learner(
        session=session,
        cache=runtime.cache,
        principal=principal,
        user_id=principal.user_id,
        course_id=course_id,
    )


@router.get("/analyze/courses/{course_id}")
async def analyze_course(
    course_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep, runtime: RuntimeDep
) -> CourseAnalysis:
    """Item difficulty and discrimination, questions that do not measure what they should,
    drop-off points and the skills the cohort struggles with (instructors and admins)."""
    return await analysis.analyze_course(
        session=session, cache=runtime.cache, principal=principal, course_id=course_id
    )


@router.post("/learner-model/fit", status_code=status.HTTP_202_ACCEPTED)
async def fit_learner_model(
    session: SessionDep, principal: Principal = RequirePermission(Permission.JOB_MANAGE)
) -> JobRead:
    """Refits the learner model on every graded answer, in the background (admins). Returns the
    ``ai.fit`` job (the one already queued or running, if any): follow it with
    GET /api/v1/jobs/{job_id} or the job.progress messages on the realtime channel."""
    job = await learner_model_jobs.request_fit(session=session, owner_id=principal.user_id)
    return JobRead.model_validate(job)
