"""Quiz attempts: answers graded on the server against the key of the version taken.

The learner sends the version of the quiz they were shown (``access.quiz_version`` decides if it
still counts) and their answers; ``content.grading`` grades them. The attempt is stored with
each response, its correctness, points and time; it passes when its score reaches the quiz's and
the course's passing score, and a passing attempt completes the quiz. The course's settings
limit the attempts and decide what feedback comes back (``show_feedback``,
``show_explanations``). Each attempt records ``quiz.submitted``.
"""

import math
import uuid

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learnwise.auth.service import Principal
from learnwise.content import grading, item_versions
from learnwise.content import service as content_service
from learnwise.content.content_types import QuizContent, parse_content
from learnwise.content.schemas import CourseSettings
from learnwise.db import utcnow
from learnwise.pagination import Page, PageParams
from learnwise.platform import events
from learnwise.platform.cache import Cache
from learnwise.platform.events import EventType
from learnwise.progress import completion
from learnwise.progress.access import Target, learner_access, quiz_version
from learnwise.progress.exceptions import AttemptLimitReached, InvalidAnswers, NotAQuiz
from learnwise.progress.models import QuizAttempt
from learnwise.progress.schemas import (
    AttemptRead,
    AttemptResult,
    AttemptSubmit,
    ProgressStatus,
    QuestionFeedback,
)
from learnwise.progress.service import (
    add_to_learning_day,
    item_progress_read,
    locked_progress,
    occurred_at,
    on_item_completed,
    touch,
)

SCORE_EPSILON = 1e-9


def feedback_shown(settings: CourseSettings, *, passed_ever: bool) -> bool:
    """Whether the learner sees which answers were right (CourseSettings.show_feedback)."""
    match settings.show_feedback:
        case "immediately":
            return True
        case "after_passing":
            return passed_ever
        case _:
            return False


def attempt_read(
    attempt: QuizAttempt, quiz: QuizContent, settings: CourseSettings, *, passed_ever: bool
) -> AttemptRead:
    """The attempt as the learner may see it: per-question correctness and explanations only
    as the course's settings allow."""
    shown = feedback_shown(settings, passed_ever=passed_ever)
    explained = shown and settings.show_explanations
    responses = {response["question_id"]: response for response in attempt.responses}
    questions = []
    for question in quiz.questions:
        response = responses.get(question.id, {})
        questions.append(
            QuestionFeedback(
                question_id=question.id,
                answered=response.get("answered", False),
                points_possible=question.points,
                correct=response.get("correct") if shown else None,
                points_awarded=response.get("points_awarded") if shown else None,
                explanation=(question.explanation or None) if explained else None,
            )
        )
    return AttemptRead(
        attempt_id=attempt.attempt_id,
        content_id=attempt.content_id,
        content_version=attempt.content_version,
        attempt_number=attempt.attempt_number,
        score=attempt.score,
        points=attempt.points,
        max_points=attempt.max_points,
        passed=attempt.passed,
        passing_score=completion.passing_fraction(quiz, settings),
        duration_seconds=attempt.duration_seconds,
        started_at=attempt.started_at,
        submitted_at=attempt.submitted_at,
        feedback_shown=shown,
        questions=questions,
    )


async def passed_ever(*, session: AsyncSession, user_id: uuid.UUID, content_id: uuid.UUID) -> bool:
    return bool(
        await session.scalar(
            select(
                exists().where(
                    QuizAttempt.user_id == user_id,
                    QuizAttempt.content_id == content_id,
                    QuizAttempt.passed.is_(True),
                )
            )
        )
    )


async def submit_attempt(
    *,
    session: AsyncSession,
    cache: Cache,
    principal: Principal,
    content_id: uuid.UUID,
    submission: AttemptSubmit,
) -> AttemptResult:
    """Grades the caller's answers against the key of the version they were shown, stores the
    attempt, and completes the quiz when it passes."""
    now = utcnow()
    at = occurred_at(submission.occurred_at, now)
    access = await learner_access(session=session, principal=principal, content_id=content_id)
    if access.item.type != "quiz":
        raise NotAQuiz(f"This item is a {access.item.type}; only quizzes take attempts.")
    version = await quiz_version(
        session=session, access=access, version=submission.content_version, now=now
    )
    target = Target.of(access, version)
    quiz = target.content
    assert isinstance(quiz, QuizContent)
    question_ids = {question.id for question in quiz.questions}
    unknown = sorted((set(submission.answers) | set(submission.question_seconds)) - question_ids)
    if unknown:
        raise InvalidAnswers(
            f"Version {version.version} of this quiz has no question {', '.join(unknown)}.",
            unknown=unknown,
        )
    progress = await locked_progress(
        session=session, cache=cache, target=target, user_id=principal.user_id
    )
    limit = target.settings.max_quiz_attempts
    if limit is not None and progress.attempts_count >= limit:
        raise AttemptLimitReached(
            f"All {limit} attempts allowed on this quiz are used.", max_attempts=limit
        )
    grade = grading.grade_quiz(quiz, submission.answers)
    passed = grade.passed and (
        grade.score + SCORE_EPSILON >= completion.passing_fraction(quiz, target.settings)
    )
    last_number = await session.scalar(
        select(func.max(QuizAttempt.attempt_number)).where(
            QuizAttempt.user_id == principal.user_id, QuizAttempt.content_id == content_id
        )
    )
    attempt = QuizAttempt(
        user_id=principal.user_id,
        content_id=content_id,
        content_version=version.version,
        attempt_number=(last_number or 0) + 1,
        responses=[
            {
                "question_id": result.question_id,
                "answer": submission.answers.get(result.question_id),
                "answered": result.answered,
                "correct": result.correct,
                "points_awarded": result.points_awarded,
                "points_possible": result.points_possible,
                "seconds": submission.question_seconds.get(result.question_id),
            }
            for result in grade.questions
        ],
        score=grade.score,
        points=grade.points,
        max_points=grade.max_points,
        passed=passed,
        duration_seconds=submission.duration_seconds,
        started_at=submission.started_at,
        submitted_at=at,
    )
    session.add(attempt)
    was_completed = progress.status == ProgressStatus.COMPLETED
    progress.attempts_count += 1
    progress.best_score = max(progress.best_score or 0.0, grade.score)
    percentage = 100 if passed else math.floor(grade.score * 100 + SCORE_EPSILON)
    progress.completion_percentage = max(progress.completion_percentage, percentage)
    became_completed = passed and not was_completed
    touch(progress, at=at, version=version.version, completed=became_completed)
    await session.flush()
    await add_to_learning_day(
        session=session,
        user_id=principal.user_id,
        at=at,
        seconds=0,
        completed=int(became_completed),
    )
    skills = {question.id: question.skills for question in quiz.questions}
    await events.record(
        session=session,
        type=EventType.QUIZ_SUBMITTED,
        user_id=principal.user_id,
        course_id=target.course.course_id,
        payload={
            **target.event_fields(),
            "attempt_id": str(attempt.attempt_id),
            "content_version": version.version,
            "attempt_number": attempt.attempt_number,
            "score": grade.score,
            "points": grade.points,
            "max_points": grade.max_points,
            "passed": passed,
            "best_score": progress.best_score,
            "submitted_at": at.isoformat(),
            "responses": [
                {
                    "question_id": result.question_id,
                    "answered": result.answered,
                    "correct": result.correct,
                    "skill_ids": skills[result.question_id],
                }
                for result in grade.questions
            ],
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
    read = attempt_read(
        attempt,
        quiz,
        target.settings,
        passed_ever=passed
        or await passed_ever(session=session, user_id=principal.user_id, content_id=content_id),
    )
    return AttemptResult(
        **read.model_dump(), progress=item_progress_read(target.ref, target.settings, progress)
    )


async def list_attempts(
    *, session: AsyncSession, principal: Principal, content_id: uuid.UUID, page: PageParams
) -> Page[AttemptRead]:
    """The caller's attempts at a quiz, the latest first, with feedback as the course's
    settings allow today."""
    access = await learner_access(session=session, principal=principal, content_id=content_id)
    if access.item.type != "quiz":
        raise NotAQuiz(f"This item is a {access.item.type}; only quizzes take attempts.")
    mine = (QuizAttempt.user_id == principal.user_id) & (QuizAttempt.content_id == content_id)
    total = await session.scalar(select(func.count()).select_from(QuizAttempt).where(mine))
    attempts = list(
        await session.scalars(
            select(QuizAttempt)
            .where(mine)
            .order_by(QuizAttempt.attempt_number.desc())
            .offset(page.offset)
            .limit(page.limit)
        )
    )
    quizzes: dict[int, QuizContent] = {}
    for number in {attempt.content_version for attempt in attempts}:
        version = await item_versions.get_version(
            session=session, content_id=content_id, version=number
        )
        quiz = parse_content(version.content)
        assert isinstance(quiz, QuizContent)
        quizzes[number] = quiz
    settings = content_service.course_settings(access.course)
    passed = await passed_ever(session=session, user_id=principal.user_id, content_id=content_id)
    return Page(
        items=[
            attempt_read(attempt, quizzes[attempt.content_version], settings, passed_ever=passed)
            for attempt in attempts
        ],
        total=total or 0,
        offset=page.offset,
        limit=page.limit,
    )
