"""What the learner model remembers of one learner: counts per skill and overall.

The same state drives the offline models (rebuilt by replaying a learner's responses) and the
platform (stored per learner and skill, updated online from each graded quiz), so that both
predict from exactly the same evidence.
"""

import math
from dataclasses import dataclass, field

# Each new attempt on a skill multiplies the weight of the earlier ones by this: recent answers
# say more about what a learner knows now than old ones (the "decayed counts" of R-PFA).
DECAY = 0.7
# How many of the last answers make a learner's recent "pattern" (e.g. "101": right, wrong,
# right), a feature of its own: streaks and slips say more than counts do.
PATTERN_LENGTH = 3


def extend_pattern(pattern: str, correct: bool) -> str:
    return (pattern + ("1" if correct else "0"))[-PATTERN_LENGTH:]


@dataclass(slots=True)
class SkillCounts:
    correct: int = 0
    wrong: int = 0
    decayed_correct: float = 0.0
    decayed_wrong: float = 0.0
    # The last answer on the skill: True, False, or None before the first.
    last_correct: bool | None = None
    # P(the skill is mastered) after the last answer, from the BKT part of the model; None
    # until the model has seen an answer (the skill's prior then applies).
    p_mastery: float | None = None
    recent: str = ""

    @property
    def attempts(self) -> int:
        return self.correct + self.wrong

    def record(self, correct: bool) -> None:
        self.decayed_correct = self.decayed_correct * DECAY + (1.0 if correct else 0.0)
        self.decayed_wrong = self.decayed_wrong * DECAY + (0.0 if correct else 1.0)
        if correct:
            self.correct += 1
        else:
            self.wrong += 1
        self.last_correct = correct
        self.recent = extend_pattern(self.recent, correct)


@dataclass(slots=True)
class LearnerState:
    skills: dict[str, SkillCounts] = field(default_factory=dict)
    correct: int = 0
    wrong: int = 0
    last_correct: bool | None = None
    # Answers per item (an item answered before is easier the next time).
    item_attempts: dict[str, int] = field(default_factory=dict)
    recent: str = ""

    def skill(self, skill_id: str) -> SkillCounts:
        counts = self.skills.get(skill_id)
        if counts is None:
            counts = self.skills[skill_id] = SkillCounts()
        return counts

    def record(self, item_id: str, skill_ids: tuple[str, ...], correct: bool) -> None:
        for skill_id in skill_ids:
            self.skill(skill_id).record(correct)
        if correct:
            self.correct += 1
        else:
            self.wrong += 1
        self.last_correct = correct
        self.recent = extend_pattern(self.recent, correct)
        self.item_attempts[item_id] = self.item_attempts.get(item_id, 0) + 1


def smoothed_logit(
    correct: float, wrong: float, prior: float = 0.65, strength: float = 4.0
) -> float:
    """The log-odds of a success rate pulled toward ``prior`` by ``strength`` pseudo-answers,
    so that one or two answers do not swing it to the extremes."""
    rate = (correct + prior * strength) / (correct + wrong + strength)
    return math.log(rate / (1.0 - rate))
