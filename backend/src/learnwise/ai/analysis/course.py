"""A course's analysis from its learners' first quiz attempts and item progress: pure functions.

Difficulty is the share of wrong first answers; discrimination, the correlation of a question's
answers with the learner's score on the rest of the same quiz (the corrected item-total
correlation of classical test theory). A question that good learners miss as often as weak ones
(discrimination below 0.1), or more often (below 0), does not measure what the quiz measures:
its key, wording or skill tags deserve a look.
"""

import itertools
import uuid

import numpy as np

from learnwise.ai.analysis.schemas import DropOff, QuestionAnalysis

LOW_DISCRIMINATION = 0.1
# Fewer answers than this give no reliable correlation.
MIN_LEARNERS = 5


def question_analysis(
    *,
    content_id: uuid.UUID,
    quiz_title: str,
    question_ids: list[str],
    first_attempts: list[dict[str, bool]],
) -> list[QuestionAnalysis]:
    """One row per question from each learner's first attempt (question id -> right)."""
    rows = []
    for question_id in question_ids:
        answered = [a for a in first_attempts if question_id in a]
        difficulty = (
            round(1 - float(np.mean([a[question_id] for a in answered])), 3) if answered else None
        )
        discrimination = _item_rest_correlation(question_id, answered)
        rows.append(
            QuestionAnalysis(
                content_id=content_id,
                question_id=question_id,
                quiz_title=quiz_title,
                learners=len(answered),
                difficulty=difficulty,
                discrimination=discrimination,
                flag=_flag(discrimination, difficulty, len(answered)),
            )
        )
    return rows


def _item_rest_correlation(question_id: str, answered: list[dict[str, bool]]) -> float | None:
    if len(answered) < MIN_LEARNERS:
        return None
    item = np.array([float(a[question_id]) for a in answered])
    rest = np.array(
        [np.mean([v for q, v in a.items() if q != question_id] or [0.0]) for a in answered]
    )
    if item.std() == 0 or rest.std() == 0:
        return None
    return round(float(np.corrcoef(item, rest)[0, 1]), 3)


def _flag(discrimination: float | None, difficulty: float | None, learners: int) -> str | None:
    if discrimination is not None and discrimination < 0:
        return (
            "Learners who do well on the rest of the quiz miss it more often than others: "
            "check its answer key and wording."
        )
    if discrimination is not None and discrimination < LOW_DISCRIMINATION:
        return "It does not separate learners who know the material from those who do not."
    if learners >= MIN_LEARNERS and difficulty is not None and difficulty in (0.0, 1.0):
        return "Every learner answers it the same way: it tells nothing about them."
    return None


def drop_off(items: list[tuple[uuid.UUID, str, int]]) -> list[DropOff]:
    """The items, in course order, that learners who started the previous one did not start,
    largest losses first. ``items``: (content id, title, learners who started it)."""
    points = []
    for (_, _, before), (content_id, title, started) in itertools.pairwise(items):
        lost = before - started
        if lost > 0 and before > 0:
            points.append(
                DropOff(
                    content_id=content_id,
                    title=title,
                    started=started,
                    lost=lost,
                    lost_share=round(lost / before, 3),
                )
            )
    return sorted(points, key=lambda p: (-p.lost_share, -p.lost))
