"""The analysis rules on their own: pace, risk and item statistics."""

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from learnwise.ai.analysis import course, learner
from learnwise.ai.analysis.schemas import SkillAnalysis

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def skill(name: str, p_mastery: float, p_correct: float, attempts: int = 3) -> SkillAnalysis:
    return SkillAnalysis(
        skill_id=uuid.uuid4(),
        name=name,
        p_mastery=p_mastery,
        p_correct_next=p_correct,
        uncertainty=0.1,
        attempts=attempts,
        last_practiced_at=NOW,
    )


def test_pace_projects_the_remaining_items_at_the_current_rate() -> None:
    pace = learner.pace(completed=4, required=10, enrolled_at=NOW - timedelta(weeks=2), now=NOW)
    assert pace.items_per_week == 2 and pace.remaining_items == 6
    assert pace.projected_completion == (NOW + timedelta(weeks=3)).date()
    done = learner.pace(completed=10, required=10, enrolled_at=NOW - timedelta(weeks=2), now=NOW)
    assert done.projected_completion == NOW.date()
    idle = learner.pace(completed=0, required=10, enrolled_at=NOW, now=NOW)
    assert idle.projected_completion is None


@given(st.integers(0, 60), st.integers(0, 60))
def test_risk_grows_with_idle_days(a: int, b: int) -> None:
    low, high = sorted((a, b))

    def score(days: int) -> float:
        return learner.risk(
            skills=[],
            last_activity_at=NOW - timedelta(days=days),
            now=NOW,
            course_pace=None,
            failed_attempts=0,
            attempts=0,
        ).score

    assert 0 <= score(low) <= score(high) <= 1


def test_risk_names_each_factor() -> None:
    skills = [skill("Loops", 0.9, 0.9), skill("Recursion", 0.1, 0.2)]
    result = learner.risk(
        skills=skills,
        last_activity_at=NOW - timedelta(days=20),
        now=NOW,
        course_pace=learner.pace(
            completed=0, required=5, enrolled_at=NOW - timedelta(weeks=4), now=NOW
        ),
        failed_attempts=3,
        attempts=4,
    )
    kinds = sorted(f.kind for f in result.factors)
    # Idle, slow; expected success 55% on practised skills, a weak skill, failed attempts.
    assert kinds.count("disengagement") == 2 and kinds.count("failure") == 3
    assert result.level == "high"
    calm = learner.risk(
        skills=skills[:1],
        last_activity_at=NOW,
        now=NOW,
        course_pace=None,
        failed_attempts=0,
        attempts=4,
    )
    assert calm.score == 0 and calm.level == "low" and calm.factors == []
    assert [s.name for s in learner.strengths(skills)] == ["Loops"]
    assert [s.name for s in learner.weaknesses(skills)] == ["Recursion"]


def test_a_question_that_agrees_with_the_quiz_is_not_flagged() -> None:
    attempts = [{"a": k >= 3, "b": k >= 3, "c": k >= 2} for k in range(6)]
    rows = course.question_analysis(
        content_id=uuid.uuid4(),
        quiz_title="Q",
        question_ids=["a", "b", "c"],
        first_attempts=attempts,
    )
    assert all(row.discrimination and row.discrimination > 0.5 for row in rows)
    assert all(row.flag is None for row in rows)
    few = course.question_analysis(
        content_id=uuid.uuid4(), quiz_title="Q", question_ids=["a"], first_attempts=attempts[:2]
    )
    assert few[0].discrimination is None and few[0].flag is None


def test_drop_off_points_are_where_learners_stop() -> None:
    ids = [uuid.uuid4() for _ in range(4)]
    points = course.drop_off(
        [(ids[0], "A", 10), (ids[1], "B", 9), (ids[2], "C", 3), (ids[3], "D", 3)]
    )
    assert [(p.title, p.lost) for p in points] == [("C", 6), ("B", 1)]
