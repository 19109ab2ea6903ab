"""The platform's learner model: P(next answer right) by logistic knowledge tracing, P(skill
mastered) by BKT with forgetting, both fitted on the same responses.

Pure Python and numpy, usable without a database (the recommender's simulator drives it):

    model = Model().fit(responses)
    state = model.replay(history)                          # a learner's earlier answers
    model.predict(state, [("item-1", ("skill-a",))])       # P(right) of each next item
    model.mastery(state)                                   # per skill: SkillEstimate
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np

from learnwise.ai.learner_model.bkt import BKT
from learnwise.ai.learner_model.logistic import LogisticKT
from learnwise.ai.learner_model.responses import Response, Responses
from learnwise.ai.learner_model.state import LearnerState

# Pseudo-answers behind the uncertainty of a skill estimate: with none, it is that of a coin.
_PRIOR_STRENGTH = 2.0


@dataclass(frozen=True, slots=True)
class SkillEstimate:
    p_mastery: float
    p_correct_next: float
    # The standard deviation of the estimate (Beta posterior of the skill's success rate with
    # the model's prediction as its mean): it shrinks as answers accumulate.
    uncertainty: float
    attempts: int


class Model:
    name = "learner-model"

    def __init__(self, *, regularization: float = 1.0) -> None:
        self.correctness = LogisticKT(rich=True, regularization=regularization)
        self.mastery_model = BKT()
        self.fitted = False

    def fit(self, data: Responses) -> Self:
        self.correctness.fit(data)
        self.mastery_model.fit(data)
        self.fitted = True
        return self

    def predict_sequence(self, data: Responses) -> np.ndarray:
        """P(right) of every answer from the same learner's earlier answers only."""
        return self.correctness.predict_sequence(data)

    def replay(self, history: Iterable[Response]) -> LearnerState:
        """The state of a learner after these answers, in order."""
        state = LearnerState()
        for response in history:
            self.observe(state, response.item_id, response.skill_ids, response.correct)
        return state

    def observe(
        self, state: LearnerState, item_id: str, skill_ids: Sequence[str], correct: bool
    ) -> None:
        """Updates ``state`` with one more answer (the online update)."""
        for skill_id in skill_ids:
            counts = state.skill(skill_id)
            parameters = self.mastery_model.parameters(skill_id)
            before = counts.p_mastery if counts.p_mastery is not None else parameters.prior
            counts.p_mastery = parameters.update(before, correct)
        state.record(item_id, tuple(skill_ids), correct)

    def predict(
        self, state: LearnerState, items: Sequence[tuple[str, Sequence[str]]]
    ) -> np.ndarray:
        """P(right) of each (item id, skill ids) if the learner in ``state`` answered it next."""
        if not items:
            return np.zeros(0)
        return self.correctness.predict_next(state, items)

    def skill_estimate(self, state: LearnerState, skill_id: str) -> SkillEstimate:
        counts = state.skills.get(skill_id)
        parameters = self.mastery_model.parameters(skill_id)
        p_mastery = (
            counts.p_mastery
            if counts is not None and counts.p_mastery is not None
            else parameters.prior
        )
        # A question on the skill the model has never seen: the skill's own columns decide.
        p_correct = float(self.predict(state, [("", (skill_id,))])[0])
        attempts = counts.attempts if counts is not None else 0
        evidence = attempts + _PRIOR_STRENGTH
        uncertainty = math.sqrt(p_correct * (1 - p_correct) / (evidence + 1))
        return SkillEstimate(p_mastery, p_correct, uncertainty, attempts)

    def mastery(
        self, state: LearnerState, skill_ids: Iterable[str] = ()
    ) -> dict[str, SkillEstimate]:
        """Estimates of the skills the learner practised, and of ``skill_ids`` (from the prior
        when never practised)."""
        wanted = dict.fromkeys([*state.skills, *skill_ids])
        return {skill_id: self.skill_estimate(state, skill_id) for skill_id in wanted}

    def to_dict(self) -> dict[str, Any]:
        return {
            "correctness": self.correctness.to_dict(),
            "mastery": self.mastery_model.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        model = cls()
        model.correctness = LogisticKT.from_dict(data["correctness"])
        model.mastery_model = BKT.from_dict(data["mastery"])
        model.fitted = True
        return model

    @classmethod
    def untrained(cls) -> Self:
        """The model before any fit: BKT's default parameters, and a logistic model whose only
        evidence is the learner's own counts (more right answers, higher chances)."""
        model = cls()
        model.correctness = LogisticKT.prior()
        model.fitted = True
        return model
