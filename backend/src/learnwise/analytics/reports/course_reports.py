"""Reports on one course, for its instructors: learners' progress, and quiz item analysis."""

import statistics
import uuid
from collections import defaultdict

import numpy as np
from sqlalchemy import func, select

from learnwise.analytics.reports.anonymize import SUPPRESSED, small
from learnwise.analytics.reports.builders import BuildContext
from learnwise.analytics.reports.document import Chart, ReportDocument, Table
from learnwise.content import service as content_service
from learnwise.pagination import PageParams
from learnwise.progress import reports as progress_reports
from learnwise.progress.access import course_for_instructor
from learnwise.progress.models import QuizAttempt
from learnwise.progress.schemas import LearnerProgressSummary

_PAGE = 100
_BUCKETS = [(0, 0, "0%"), (0.01, 25, "1-25%"), (25.01, 50, "26-50%"), (50.01, 75, "51-75%")]
_BUCKETS += [(75.01, 99.99, "76-99%"), (100, 100, "100%")]


async def _learners(ctx: BuildContext, course_id: uuid.UUID) -> list[LearnerProgressSummary]:
    learners: list[LearnerProgressSummary] = []
    offset = 0
    while True:
        page = await progress_reports.learners_progress(
            session=ctx.session,
            cache=ctx.cache,
            principal=ctx.requester,
            course_id=course_id,
            status=None,
            page=PageParams(offset=offset, limit=_PAGE),
        )
        learners += page.items
        offset += _PAGE
        if offset >= page.total:
            return [learner for learner in learners if ctx.in_range(learner.enrolled_at)]


async def course_progress(ctx: BuildContext) -> ReportDocument:
    """Each learner's progress (enrolled in the period), cohorts by enrollment month, items."""
    assert ctx.report.course_id is not None
    course = await course_for_instructor(
        session=ctx.session, principal=ctx.requester, course_id=ctx.report.course_id
    )
    learners = await _learners(ctx, course.course_id)
    hidden = not ctx.identities and small(len(learners), ctx.k)
    note = f"Fewer than {ctx.k} learners: suppressed." if hidden else None

    people = Table(
        "Learners",
        [
            *ctx.who_columns(),
            "Enrollment",
            "Enrolled at",
            "Percent complete",
            "Required items completed",
            "Required items",
            "Completed",
            "Minutes spent",
            "Last activity",
        ],
        note=note,
    )
    if not hidden:
        for learner in sorted(learners, key=lambda each: each.enrolled_at):
            people.rows.append(
                [
                    *ctx.who(learner.user_id, learner.display_name, learner.email),
                    learner.enrollment_status,
                    learner.enrolled_at,
                    round(learner.percent_complete, 1),
                    learner.completed_required_items,
                    learner.required_items,
                    learner.completed,
                    round(learner.time_spent_seconds / 60, 1),
                    learner.last_activity_at,
                ]
            )

    cohorts = Table(
        "Cohorts by enrollment month",
        ["Month", "Learners", "Active", "Completed", "Average percent complete"],
    )
    by_month: dict[str, list[LearnerProgressSummary]] = defaultdict(list)
    for learner in learners:
        by_month[learner.enrolled_at.strftime("%Y-%m")].append(learner)
    for month, group in sorted(by_month.items()):
        if not ctx.identities and small(len(group), ctx.k):
            cohorts.rows.append([month, SUPPRESSED, None, None, None])
            cohorts.note = f"Cohorts of fewer than {ctx.k} learners are suppressed."
            continue
        cohorts.rows.append(
            [
                month,
                len(group),
                sum(1 for each in group if each.enrollment_status == "active"),
                sum(1 for each in group if each.completed),
                round(statistics.fmean(each.percent_complete for each in group), 1),
            ]
        )

    items = Table(
        "Items",
        [
            "Item",
            "Type",
            "Required",
            "Learners",
            "Started",
            "Completed",
            "Average completion %",
            "Average minutes",
            "Average best score",
            "Attempts",
        ],
        note=note,
    )
    if not hidden:
        summaries = await progress_reports.items_progress(
            session=ctx.session,
            cache=ctx.cache,
            principal=ctx.requester,
            course_id=course.course_id,
        )
        for item in summaries:
            best = item.average_best_score
            items.rows.append(
                [
                    item.title,
                    item.type,
                    item.is_required,
                    item.learners,
                    item.started,
                    item.completed,
                    round(item.average_completion_percentage, 1),
                    round(item.average_time_spent_seconds / 60, 1),
                    round(best, 3) if best is not None else None,
                    item.attempts,
                ]
            )

    charts = []
    if not hidden and learners:
        counts = [
            sum(1 for each in learners if low <= each.percent_complete <= high)
            for low, high, _ in _BUCKETS
        ]
        charts.append(
            Chart("Learners by progress", "bar", [label for *_, label in _BUCKETS], counts)
        )
    return ReportDocument(
        title=f"Course progress: {course.title}",
        facts=ctx.facts(("Course", course.title), ("Learners", str(len(learners)))),
        tables=[people, cohorts, items],
        charts=charts,
    )


def _point_biserial(correct: list[float], rest: list[float]) -> float | None:
    """How well a question separates strong from weak learners: the correlation between
    answering it right and the score on the other questions (None without variance)."""
    if len(correct) < 2 or len(set(correct)) < 2 or len(set(rest)) < 2:
        return None
    return float(np.corrcoef(correct, rest)[0, 1])


async def quiz_item_analysis(ctx: BuildContext) -> ReportDocument:
    """Per quiz and per question, over each learner's first attempt in the period: difficulty
    (share right), discrimination (point-biserial against the rest of the quiz), time."""
    assert ctx.report.course_id is not None
    course = await course_for_instructor(
        session=ctx.session, principal=ctx.requester, course_id=ctx.report.course_id
    )
    outline = await content_service.course_outline(
        session=ctx.session, cache=ctx.cache, course=course, view="published"
    )
    quizzes = {
        item.content_id: item.title for m in outline for item in m.items if item.type == "quiz"
    }
    query = (
        select(QuizAttempt)
        .where(QuizAttempt.content_id.in_(list(quizzes)))
        .order_by(QuizAttempt.submitted_at, QuizAttempt.attempt_number)
    )
    if ctx.since is not None:
        query = query.where(QuizAttempt.submitted_at >= ctx.since)
    if ctx.until is not None:
        query = query.where(QuizAttempt.submitted_at < ctx.until)
    first: dict[tuple[uuid.UUID, uuid.UUID], QuizAttempt] = {}
    for attempt in await ctx.session.scalars(query):
        first.setdefault((attempt.content_id, attempt.user_id), attempt)
    by_quiz: dict[uuid.UUID, list[QuizAttempt]] = defaultdict(list)
    for (content_id, _), attempt in first.items():
        by_quiz[content_id].append(attempt)

    quiz_table = Table(
        "Quizzes",
        ["Quiz", "Learners", "Mean score", "Median score", "Pass rate", "All attempts"],
    )
    question_table = Table(
        "Questions",
        [
            "Quiz",
            "Question",
            "Learners",
            "Difficulty (share right)",
            "Discrimination",
            "Median seconds",
        ],
    )
    chart_labels: list[str] = []
    chart_values: list[float] = []
    all_attempts = await _attempt_counts(ctx, list(quizzes))
    for content_id, title in quizzes.items():
        attempts = by_quiz.get(content_id, [])
        if not ctx.identities and small(len(attempts), ctx.k):
            quiz_table.rows.append([title, SUPPRESSED, None, None, None, None])
            quiz_table.note = question_table.note = (
                f"Quizzes taken by fewer than {ctx.k} learners are suppressed."
            )
            continue
        scores = [attempt.score for attempt in attempts]
        quiz_table.rows.append(
            [
                title,
                len(attempts),
                round(statistics.fmean(scores), 3) if scores else None,
                round(statistics.median(scores), 3) if scores else None,
                round(sum(a.passed for a in attempts) / len(attempts), 3) if attempts else None,
                all_attempts.get(content_id, 0),
            ]
        )
        for number, (question_id, rows) in enumerate(_by_question(attempts).items(), start=1):
            correct = [1.0 if response.get("correct") else 0.0 for response, _ in rows]
            rest = [total - right for (_, total), right in zip(rows, correct, strict=True)]
            seconds = [
                r.get("seconds") for r, _ in rows if isinstance(r.get("seconds"), int | float)
            ]
            difficulty = sum(correct) / len(correct)
            discrimination = _point_biserial(correct, rest)
            question_table.rows.append(
                [
                    title,
                    f"Q{number} ({question_id})",
                    len(rows),
                    round(difficulty, 3),
                    round(discrimination, 3) if discrimination is not None else None,
                    statistics.median(seconds) if seconds else None,
                ]
            )
            chart_labels.append(f"{title[:12]} Q{number}")
            chart_values.append(round(difficulty, 3))
    charts = [Chart("Share of learners right, per question", "bar", chart_labels, chart_values)]
    return ReportDocument(
        title=f"Quiz item analysis: {course.title}",
        facts=ctx.facts(("Course", course.title), ("Quizzes", str(len(quizzes)))),
        tables=[quiz_table, question_table],
        charts=charts if chart_values else [],
    )


def _by_question(attempts: list[QuizAttempt]) -> dict[str, list[tuple[dict, float]]]:
    """Each question's responses, with the number of questions the learner got right."""
    rows: dict[str, list[tuple[dict, float]]] = defaultdict(list)
    for attempt in attempts:
        right = float(sum(1 for r in attempt.responses if r.get("correct")))
        for response in attempt.responses:
            rows[str(response.get("question_id"))].append((response, right))
    return dict(rows)


async def _attempt_counts(ctx: BuildContext, content_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    counts = await ctx.session.execute(
        select(QuizAttempt.content_id, func.count())
        .where(QuizAttempt.content_id.in_(content_ids))
        .group_by(QuizAttempt.content_id)
    )
    return {content_id: count for content_id, count in counts.all()}
