"""A learner's analysis from their skill estimates and course progress: pure functions.

The at-risk score is a noisy-or of plain factors (each a probability-like weight from 0 to 1),
so that every factor that adds to it can be named and explained, and none hides another.
"""

from datetime import date, datetime, timedelta

from learnwise.ai.analysis.schemas import Pace, Risk, RiskFactor, SkillAnalysis

STRONG_MASTERY = 0.8
WEAK_SUCCESS = 0.6
# A week without learning starts to count; four weigh fully.
IDLE_GRACE_DAYS = 7
IDLE_FULL_DAYS = 28
SLOW_ITEMS_PER_WEEK = 1.0
RISK_LEVELS = ((0.6, "high"), (0.3, "medium"), (0.0, "low"))


def strengths(skills: list[SkillAnalysis]) -> list[SkillAnalysis]:
    """Practised skills most probably mastered, best first."""
    strong = [s for s in skills if s.attempts > 0 and s.p_mastery >= STRONG_MASTERY]
    return sorted(strong, key=lambda s: -s.p_mastery)


def weaknesses(skills: list[SkillAnalysis]) -> list[SkillAnalysis]:
    """Practised skills where the next answer is more likely wrong than it should be."""
    weak = [s for s in skills if s.attempts > 0 and s.p_correct_next < WEAK_SUCCESS]
    return sorted(weak, key=lambda s: s.p_correct_next)


def pace(*, completed: int, required: int, enrolled_at: datetime | None, now: datetime) -> Pace:
    remaining = max(required - completed, 0)
    weeks = max((now - enrolled_at).total_seconds() / (7 * 86400), 1 / 7) if enrolled_at else 0
    per_week = completed / weeks if weeks else 0.0
    projected: date | None = None
    if remaining == 0:
        projected = now.date()
    elif per_week > 0:
        projected = (now + timedelta(weeks=remaining / per_week)).date()
    return Pace(
        items_per_week=round(per_week, 2), remaining_items=remaining, projected_completion=projected
    )


def risk(
    *,
    skills: list[SkillAnalysis],
    last_activity_at: datetime | None,
    now: datetime,
    course_pace: Pace | None,
    failed_attempts: int,
    attempts: int,
) -> Risk:
    factors: list[RiskFactor] = []
    if last_activity_at is not None:
        idle_days = (now - last_activity_at).days
        if idle_days >= IDLE_GRACE_DAYS:
            weight = min((idle_days - IDLE_GRACE_DAYS) / (IDLE_FULL_DAYS - IDLE_GRACE_DAYS), 1.0)
            factors.append(
                RiskFactor(
                    kind="disengagement",
                    weight=round(max(weight, 0.1), 3),
                    explanation=f"No learning activity for {idle_days} days.",
                )
            )
    slow = course_pace is not None and course_pace.items_per_week < SLOW_ITEMS_PER_WEEK
    if course_pace is not None and course_pace.remaining_items and slow:
        weight = 0.4 * (1 - course_pace.items_per_week / SLOW_ITEMS_PER_WEEK)
        factors.append(
            RiskFactor(
                kind="disengagement",
                weight=round(max(weight, 0.05), 3),
                explanation=(
                    f"Completes {course_pace.items_per_week:g} items a week, with "
                    f"{course_pace.remaining_items} still to go."
                ),
            )
        )
    practised = [s for s in skills if s.attempts > 0]
    if practised:
        mean_success = sum(s.p_correct_next for s in practised) / len(practised)
        if mean_success < WEAK_SUCCESS:
            factors.append(
                RiskFactor(
                    kind="failure",
                    weight=round((WEAK_SUCCESS - mean_success) / WEAK_SUCCESS + 0.1, 3),
                    explanation=(
                        f"Expected to answer {mean_success:.0%} of questions right on the skills "
                        "practised so far."
                    ),
                )
            )
        weak = weaknesses(skills)
        if weak:
            names = ", ".join(s.name for s in weak[:3])
            factors.append(
                RiskFactor(
                    kind="failure",
                    weight=round(min(0.1 * len(weak), 0.3), 3),
                    explanation=f"Struggles with {len(weak)} skill(s): {names}.",
                )
            )
    if attempts >= 2 and failed_attempts / attempts >= 0.5:
        factors.append(
            RiskFactor(
                kind="failure",
                weight=round(0.5 * failed_attempts / attempts, 3),
                explanation=f"Failed {failed_attempts} of {attempts} quiz attempts.",
            )
        )
    survive = 1.0
    for factor in factors:
        survive *= 1 - min(factor.weight, 1.0)
    score = round(1 - survive, 3)
    level = next(name for threshold, name in RISK_LEVELS if score >= threshold)
    return Risk(score=score, level=level, factors=sorted(factors, key=lambda f: -f.weight))
