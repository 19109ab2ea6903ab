"""/api/v1/ai/analyze: a learner's analysis (for themself, their course's instructors, admins)
and a course's (for its instructors and admins).

Access follows the progress reports: a learner sees only their own analysis; an instructor sees
the learners of the courses they teach (403 when they only see the course, 404 for a learner who
never enrolled); other courses are 404.
"""

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.ai.analysis import course as course_analysis
from learnwise.ai.analysis import learner as learner_analysis
from learnwise.ai.analysis.exceptions import CourseNeeded
from learnwise.ai.analysis.schemas import (
    CohortSkill,
    CourseAnalysis,
    LearnerAnalysis,
    QuestionAnalysis,
    SkillAnalysis,
)
from learnwise.ai.learner_model import history
from learnwise.ai.learner_model import service as learner_model
from learnwise.ai.learner_model.models import LearnerSkillState
from learnwise.auth.service import Principal
from learnwise.content import service as content_service
from learnwise.content.models import Course, Enrollment, Skill
from learnwise.content.schemas import OutlineItem
from learnwise.db import utcnow
from learnwise.platform.cache import Cache
from learnwise.progress import reports
from learnwise.progress.access import course_for_instructor, enrollment_of
from learnwise.progress.models import QuizAttempt

STRUGGLING_MASTERY = 0.5


async def _skill_names(
    *, session: AsyncSession, skill_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    ids = set(skill_ids)
    if not ids:
        return {}
    rows = await session.execute(select(Skill.skill_id, Skill.name).where(Skill.skill_id.in_(ids)))
    return {row.skill_id: row.name for row in rows}


async def _course_items(
    *, session: AsyncSession, cache: Cache, course: Course
) -> list[OutlineItem]:
    outline = await content_service.course_outline(
        session=session, cache=cache, course=course, view="published"
    )
    return [item for module in outline for item in module.items]


async def analyze_learner(
    *,
    session: AsyncSession,
    cache: Cache,
    principal: Principal,
    user_id: uuid.UUID,
    course_id: uuid.UUID | None,
) -> LearnerAnalysis:
    """Mastery per skill (the course's, or every skill practised), strengths, weaknesses, pace
    and projected completion (with a course), and the at-risk score with its factors."""
    now = utcnow()
    if user_id != principal.user_id and course_id is None:
        raise CourseNeeded("Give the course_id of a course you teach to see its learners.")
    progress = pace = None
    skill_ids: set[uuid.UUID] | None = None
    quiz_ids: list[uuid.UUID] | None = None
    if course_id is not None:
        if user_id == principal.user_id:
            progress = await reports.my_course_progress(
                session=session, cache=cache, principal=principal, course_id=course_id
            )
        else:
            detail = await reports.learner_progress(
                session=session,
                cache=cache,
                principal=principal,
                course_id=course_id,
                user_id=user_id,
            )
            progress = detail.course
        course = await content_service.get_course_for_read(
            session=session, principal=principal, course_id=course_id
        )
        enrollment = await enrollment_of(session=session, user_id=user_id, course=course)
        items = await _course_items(session=session, cache=cache, course=course)
        quiz_ids = [i.content_id for i in items if i.type == "quiz"]
        skill_ids = await _skills_of(session=session, content_ids=[i.content_id for i in items])
        pace = learner_analysis.pace(
            completed=progress.completed_required_items,
            required=progress.required_items,
            enrolled_at=enrollment.enrolled_at if enrollment else None,
            now=now,
        )
    estimates = await learner_model.skill_mastery(
        session=session, user_id=user_id, skill_ids=skill_ids
    )
    if skill_ids is None:
        estimates = {k: v for k, v in estimates.items() if v.attempts > 0}
    names = await _skill_names(session=session, skill_ids=estimates)
    skills = sorted(
        (SkillAnalysis(**e.model_dump(), name=names.get(k, "")) for k, e in estimates.items()),
        key=lambda s: s.name,
    )
    attempts, failed = await _attempt_counts(session=session, user_id=user_id, quiz_ids=quiz_ids)
    practiced = [s.last_practiced_at for s in skills if s.last_practiced_at]
    last_activity = progress.last_activity_at if progress else max(practiced, default=None)
    return LearnerAnalysis(
        user_id=user_id,
        course_id=course_id,
        skills=skills,
        strengths=learner_analysis.strengths(skills),
        weaknesses=learner_analysis.weaknesses(skills),
        pace=pace,
        risk=learner_analysis.risk(
            skills=skills,
            last_activity_at=last_activity,
            now=now,
            course_pace=pace,
            failed_attempts=failed,
            attempts=attempts,
        ),
        analyzed_at=now,
    )


async def _skills_of(*, session: AsyncSession, content_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    items = await history.item_questions(session=session, content_ids=content_ids)
    return {uuid.UUID(s) for parts in items.values() for _, skills in parts for s in skills}


async def _attempt_counts(
    *, session: AsyncSession, user_id: uuid.UUID, quiz_ids: list[uuid.UUID] | None
) -> tuple[int, int]:
    """The learner's quiz attempts (in these quizzes) and how many failed."""
    query = select(QuizAttempt.passed).where(QuizAttempt.user_id == user_id)
    if quiz_ids is not None:
        query = query.where(QuizAttempt.content_id.in_(quiz_ids))
    passed = list(await session.scalars(query))
    return len(passed), sum(1 for p in passed if not p)


async def analyze_course(
    *, session: AsyncSession, cache: Cache, principal: Principal, course_id: uuid.UUID
) -> CourseAnalysis:
    """Item difficulty and discrimination, flagged questions, drop-off points and the skills
    the cohort struggles with (for the course's instructors and admins)."""
    course = await course_for_instructor(session=session, principal=principal, course_id=course_id)
    outline_items = await _course_items(session=session, cache=cache, course=course)
    learners = list(
        await session.scalars(
            select(Enrollment.user_id).where(Enrollment.course_id == course.course_id)
        )
    )
    questions: list[QuestionAnalysis] = []
    quizzes = [i for i in outline_items if i.type == "quiz"]
    for quiz in quizzes:
        first: dict[uuid.UUID, dict[str, bool]] = {}
        rows = await session.execute(
            select(QuizAttempt.user_id, QuizAttempt.responses)
            .where(QuizAttempt.content_id == quiz.content_id, QuizAttempt.user_id.in_(learners))
            .order_by(QuizAttempt.user_id, QuizAttempt.attempt_number)
        )
        for row in rows:
            if row.user_id not in first:
                first[row.user_id] = {
                    str(r["question_id"]): bool(r.get("correct"))
                    for r in row.responses
                    if r.get("answered")
                }
        question_ids = sorted({q for answers in first.values() for q in answers})
        questions += course_analysis.question_analysis(
            content_id=quiz.content_id,
            quiz_title=quiz.title,
            question_ids=question_ids,
            first_attempts=list(first.values()),
        )
    summaries = await reports.items_progress(
        session=session, cache=cache, principal=principal, course_id=course_id
    )
    started = {s.content_id: s.started for s in summaries}
    drop_off = course_analysis.drop_off(
        [(i.content_id, i.title, started.get(i.content_id, 0)) for i in outline_items]
    )
    skill_ids = await _skills_of(session=session, content_ids=[i.content_id for i in outline_items])
    return CourseAnalysis(
        course_id=course_id,
        learners=len(learners),
        questions=questions,
        flagged_questions=[q for q in questions if q.flag],
        drop_off=drop_off,
        struggling_skills=await _cohort_skills(
            session=session, learners=learners, skill_ids=skill_ids
        ),
        analyzed_at=utcnow(),
    )


async def _cohort_skills(
    *, session: AsyncSession, learners: list[uuid.UUID], skill_ids: set[uuid.UUID]
) -> list[CohortSkill]:
    if not learners or not skill_ids:
        return []
    rows = list(
        await session.scalars(
            select(LearnerSkillState).where(
                LearnerSkillState.user_id.in_(learners), LearnerSkillState.skill_id.in_(skill_ids)
            )
        )
    )
    names = await _skill_names(session=session, skill_ids=skill_ids)
    by_skill: dict[uuid.UUID, list[LearnerSkillState]] = {}
    for row in rows:
        by_skill.setdefault(row.skill_id, []).append(row)
    result = []
    for skill_id, states in by_skill.items():
        mastery = [s.p_mastery for s in states if s.p_mastery is not None]
        answers = sum(s.correct + s.wrong for s in states)
        mean = sum(mastery) / len(mastery) if mastery else 0.0
        if mean < STRUGGLING_MASTERY:
            result.append(
                CohortSkill(
                    skill_id=skill_id,
                    name=names.get(skill_id, ""),
                    learners=len(states),
                    mean_p_mastery=round(mean, 3),
                    wrong_share=round(sum(s.wrong for s in states) / answers, 3)
                    if answers
                    else 0.0,
                )
            )
    return sorted(result, key=lambda s: s.mean_p_mastery)
