"""Server-side quiz grading: a pure function of the quiz (with its answer key) and the answers.

The progress service calls ``grade_quiz`` with the stored content of the version the learner
took. Answers are keyed by question id; their shape follows the question type:

- single_choice: an option id; multiple_choice: a list of option ids;
- true_false: a boolean; short_answer: a string;
- numeric: a number (or a string holding one, with a dot as decimal separator).

A missing answer, or one of the wrong shape, earns nothing; answers to unknown question ids
are ignored.
"""

import math
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from learnwise.content.content_types import (
    MultipleChoiceQuestion,
    NumericQuestion,
    QuizContent,
    ShortAnswerQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
    normalise_answer,
    parse_content,
)

# Floating-point slack, so that 0.1 + 0.2 is within a tolerance of 0 of 0.3.
_EPSILON = 1e-9


class QuestionResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    question_id: str
    answered: bool
    correct: bool
    points_awarded: float
    points_possible: float


class QuizGrade(BaseModel):
    model_config = ConfigDict(frozen=True)

    questions: list[QuestionResult]
    points: float
    max_points: float
    score: float  # points / max_points, from 0 to 1
    passed: bool  # score >= the quiz's passing_score


def grade_quiz(quiz_content: dict[str, Any] | QuizContent, answers: Mapping[str, Any]) -> QuizGrade:
    """Grades ``answers`` against the quiz: per-question correctness and points, the total, the
    score as a fraction of the points, and whether it passes."""
    quiz = quiz_content if isinstance(quiz_content, QuizContent) else parse_content(quiz_content)
    if not isinstance(quiz, QuizContent):
        raise TypeError(f"grade_quiz needs a quiz, not a {quiz.type}")
    results = [_grade(question, answers.get(question.id)) for question in quiz.questions]
    points = sum(r.points_awarded for r in results)
    max_points = quiz.max_points
    score = points / max_points if max_points else 0.0
    return QuizGrade(
        questions=results,
        points=points,
        max_points=max_points,
        score=score,
        passed=score + _EPSILON >= quiz.passing_score,
    )


def _grade(question: Any, answer: Any) -> QuestionResult:
    fraction = None if answer is None else _fraction_right(question, answer)
    earned = question.points * (fraction or 0.0)
    return QuestionResult(
        question_id=question.id,
        answered=fraction is not None,
        correct=fraction == 1.0,
        points_awarded=earned,
        points_possible=question.points,
    )


def _fraction_right(question: Any, answer: Any) -> float | None:
    """From 0 to 1; None when the answer has the wrong shape for the question."""
    match question:
        case SingleChoiceQuestion():
            if not isinstance(answer, str):
                return None
            return float(answer == question.correct)
        case TrueFalseQuestion():
            if not isinstance(answer, bool):
                return None
            return float(answer is question.correct)
        case MultipleChoiceQuestion():
            if not isinstance(answer, list | tuple) or not all(isinstance(a, str) for a in answer):
                return None
            return _multiple_choice(question, set(answer))
        case ShortAnswerQuestion():
            if not isinstance(answer, str):
                return None
            given = normalise_answer(answer, case_sensitive=question.case_sensitive)
            accepted = {
                normalise_answer(a, case_sensitive=question.case_sensitive)
                for a in question.accepted_answers
            }
            return float(given in accepted)
        case NumericQuestion():
            number = _number(answer)
            if number is None:
                return None
            return float(abs(number - question.answer) <= question.tolerance + _EPSILON)
    raise TypeError(f"unknown question type {type(question).__name__}")


def _multiple_choice(question: MultipleChoiceQuestion, picked: set[str]) -> float:
    correct = set(question.correct)
    if picked == correct:
        return 1.0
    if not question.partial_credit:
        return 0.0
    hits = len(picked & correct)
    misses = len(picked - correct)
    return max(0.0, (hits - misses) / len(correct))


def _number(answer: Any) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, int | float):
        value = float(answer)
    elif isinstance(answer, str):
        try:
            value = float(answer.strip())
        except ValueError:
            return None
    else:
        return None
    return value if math.isfinite(value) else None
