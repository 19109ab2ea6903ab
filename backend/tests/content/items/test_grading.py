"""grade_quiz: per-question correctness and points, normalisation, tolerance, partial credit."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnwise.content.grading import grade_quiz

from .samples import all_questions, quiz

RIGHT = {"q1": "a", "q2": ["c", "a"], "q3": True, "q4": "paris,   FRANCE", "q5": 3.1449}


def by_id(grade) -> dict[str, tuple[bool, float]]:
    return {r.question_id: (r.correct, r.points_awarded) for r in grade.questions}


def test_all_right() -> None:
    grade = grade_quiz(quiz(), RIGHT)
    assert all(r.correct and r.answered for r in grade.questions)
    assert (grade.points, grade.max_points, grade.score, grade.passed) == (6, 6, 1.0, True)


def test_nothing_answered() -> None:
    grade = grade_quiz(quiz(), {})
    assert not any(r.answered or r.correct for r in grade.questions)
    assert (grade.points, grade.score, grade.passed) == (0, 0.0, False)


@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        (3.14, True),
        (3.145, True),  # on the edge of the tolerance
        (3.135, True),
        (3.146, False),
        ("3.14", True),  # numbers may come as strings
        (" 3.1400 ", True),
        ("3,14", False),
        ("pi", False),
        (float("nan"), False),
        (True, False),  # a boolean is not a number
    ],
)
def test_numeric_tolerance(answer: object, correct: bool) -> None:
    grade = grade_quiz(quiz(all_questions()[4]), {"q5": answer})
    assert grade.questions[0].correct is correct
    assert grade.questions[0].points_awarded == (2 if correct else 0)


def test_zero_tolerance_still_absorbs_float_rounding() -> None:
    question = {**all_questions()[4], "answer": 0.3, "tolerance": 0}
    assert grade_quiz(quiz(question), {"q5": 0.1 + 0.2}).questions[0].correct


@pytest.mark.parametrize(
    ("answer", "correct"),
    [("Paris", True), ("  paris ", True), ("PARIS, france", True), ("Lyon", False), ("", False)],
)
def test_short_answer_normalisation(answer: str, correct: bool) -> None:
    assert grade_quiz(quiz(all_questions()[3]), {"q4": answer}).questions[0].correct is correct


def test_case_sensitive_short_answer() -> None:
    question = {**all_questions()[3], "accepted_answers": ["NaCl"], "case_sensitive": True}
    assert grade_quiz(quiz(question), {"q4": " NaCl"}).questions[0].correct
    assert not grade_quiz(quiz(question), {"q4": "nacl"}).questions[0].correct


@pytest.mark.parametrize(
    ("picked", "points", "correct"),
    [
        (["a", "c"], 1.0, True),
        (["a"], 0.5, False),  # one of two right
        (["a", "b"], 0.0, False),  # one right, one wrong
        (["a", "c", "b"], 0.5, False),
        (["b"], 0.0, False),
        ([], 0.0, False),
    ],
)
def test_multiple_choice_partial_credit(picked: list[str], points: float, correct: bool) -> None:
    result = grade_quiz(quiz(all_questions()[1]), {"q2": picked}).questions[0]
    assert (result.points_awarded, result.correct) == (points, correct)


def test_multiple_choice_all_or_nothing_by_default() -> None:
    question = {**all_questions()[1], "partial_credit": False}
    assert grade_quiz(quiz(question), {"q2": ["a"]}).questions[0].points_awarded == 0


@pytest.mark.parametrize(
    "answers",
    [{"q1": ["a"]}, {"q1": 1}, {"q3": "true"}, {"q3": 1}, {"q2": "a"}, {"q4": ["Paris"]}],
)
def test_answers_of_the_wrong_shape_earn_nothing(answers: dict) -> None:
    grade = grade_quiz(quiz(), answers)
    assert grade.points == 0
    assert not any(r.answered for r in grade.questions)


def test_unknown_question_ids_are_ignored() -> None:
    assert grade_quiz(quiz(), {**RIGHT, "q99": "a"}).score == 1.0


def test_passing_score_is_a_fraction_of_the_points() -> None:
    # q5 is worth 2 of 6 points: 4/6 passes at 0.6, fails at 0.7.
    answers = {"q1": "a", "q2": ["a", "c"], "q3": True, "q4": "Paris"}
    assert grade_quiz(quiz(passing_score=0.6), answers).passed
    assert not grade_quiz(quiz(passing_score=0.7), answers).passed
    assert grade_quiz(quiz(passing_score=4 / 6), answers).passed


def test_grading_anything_but_a_quiz_is_a_bug() -> None:
    with pytest.raises(TypeError):
        grade_quiz({"type": "lesson", "body": "x"}, {})


answer_values = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.lists(st.sampled_from(["a", "b", "c", "z"]), max_size=4),
)


@settings(deadline=None)
@given(st.dictionaries(st.sampled_from(["q1", "q2", "q3", "q4", "q5", "q9"]), answer_values))
def test_scores_stay_between_zero_and_one(answers: dict) -> None:
    grade = grade_quiz(quiz(), answers)
    assert 0 <= grade.score <= 1
    assert grade.points == pytest.approx(sum(r.points_awarded for r in grade.questions))
    for result in grade.questions:
        assert 0 <= result.points_awarded <= result.points_possible
        assert result.correct == (result.points_awarded == result.points_possible)
