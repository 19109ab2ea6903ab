"""Bayesian Knowledge Tracing with forgetting (Corbett & Anderson 1995; Khajah et al. 2016).

Per skill, a two-state hidden Markov model: the learner knows the skill or not; they answer right
with probability 1 - slip when they know it and guess when they do not; between two answers
they learn it (``learn``) or forget it (``forget``). Parameters are fitted per skill by
expectation-maximisation (Baum-Welch), vectorised over every learner's sequence of a skill at
once. Guess and slip are capped, as is usual, so that "knowing" keeps its meaning.
"""

from dataclasses import asdict, dataclass
from typing import Any, Self

import numpy as np

from learnwise.ai.learner_model.responses import Responses

MAX_GUESS = 0.4
MAX_SLIP = 0.3
MAX_FORGET = 0.2
# Sequences longer than this are cut for fitting: later answers add little to the parameters.
FIT_SEQUENCE_LIMIT = 200
_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class SkillParameters:
    prior: float = 0.4
    learn: float = 0.15
    forget: float = 0.02
    guess: float = 0.2
    slip: float = 0.1

    def p_correct(self, p_known: float) -> float:
        return p_known * (1 - self.slip) + (1 - p_known) * self.guess

    def update(self, p_known: float, correct: bool) -> float:
        """P(known) after this answer and the transition to the next one."""
        if correct:
            right = p_known * (1 - self.slip)
            posterior = right / max(right + (1 - p_known) * self.guess, _EPS)
        else:
            wrong = p_known * self.slip
            posterior = wrong / max(wrong + (1 - p_known) * (1 - self.guess), _EPS)
        return posterior * (1 - self.forget) + (1 - posterior) * self.learn


class BKT:
    name = "bkt"

    def __init__(self, *, iterations: int = 25) -> None:
        self.iterations = iterations
        self.skills: dict[str, SkillParameters] = {}
        self.default = SkillParameters()

    def parameters(self, skill_id: str) -> SkillParameters:
        return self.skills.get(skill_id, self.default)

    def fit(self, data: Responses) -> Self:
        sequences = _sequences(data)
        if not sequences:
            return self
        skill_names = sorted({skill for skill, _ in sequences})
        skill_index = {skill: i for i, skill in enumerate(skill_names)}
        rows = list(sequences.items())
        length = min(max(len(answers) for _, answers in rows), FIT_SEQUENCE_LIMIT)
        obs = np.zeros((len(rows), length))
        mask = np.zeros((len(rows), length), dtype=bool)
        for r, (_, answers) in enumerate(rows):
            cut = answers[:length]
            obs[r, : len(cut)] = cut
            mask[r, : len(cut)] = True
        row_skill = np.array([skill_index[skill] for (skill, _), _ in rows])
        params = np.tile([0.4, 0.15, 0.02, 0.2, 0.1], (len(skill_names), 1))
        for _ in range(self.iterations):
            params = _em_step(params, obs, mask, row_skill)
        self.skills = {
            skill: SkillParameters(*map(float, params[i])) for skill, i in skill_index.items()
        }
        self.default = SkillParameters(*map(float, params.mean(axis=0)))
        return self

    def predict_sequence(self, data: Responses) -> np.ndarray:
        known: dict[tuple[str, str], float] = {}
        predictions = np.empty(len(data))
        for n, response in enumerate(data):
            chances = []
            for skill in response.skill_ids:
                p = known.get((response.user_id, skill), self.parameters(skill).prior)
                chances.append(self.parameters(skill).p_correct(p))
                known[(response.user_id, skill)] = self.parameters(skill).update(
                    p, response.correct
                )
            predictions[n] = float(np.mean(chances)) if chances else 0.5
        return predictions

    def to_dict(self) -> dict[str, Any]:
        return {
            "skills": {skill: asdict(p) for skill, p in self.skills.items()},
            "default": asdict(self.default),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        model = cls()
        model.skills = {skill: SkillParameters(**p) for skill, p in data["skills"].items()}
        model.default = SkillParameters(**data["default"])
        return model


def _sequences(data: Responses) -> dict[tuple[str, str], list[float]]:
    sequences: dict[tuple[str, str], list[float]] = {}
    for response in data:
        for skill in response.skill_ids:
            sequences.setdefault((skill, response.user_id), []).append(float(response.correct))
    return sequences


def _em_step(
    params: np.ndarray, obs: np.ndarray, mask: np.ndarray, row_skill: np.ndarray
) -> np.ndarray:
    """One Baum-Welch iteration for every skill at once (rows are sequences, columns steps)."""
    prior, learn, forget, guess, slip = (params[row_skill, k] for k in range(5))
    n_rows, length = obs.shape
    # Emission probabilities of each observation in state unknown (0) and known (1).
    e0 = np.where(obs == 1, guess[:, None], 1 - guess[:, None])
    e1 = np.where(obs == 1, 1 - slip[:, None], slip[:, None])
    alpha = np.zeros((n_rows, length, 2))
    scale = np.ones((n_rows, length))
    a = np.stack([(1 - prior) * e0[:, 0], prior * e1[:, 0]], axis=1)
    scale[:, 0] = a.sum(axis=1)
    alpha[:, 0] = a / scale[:, 0:1]
    for t in range(1, length):
        previous = alpha[:, t - 1]
        to_unknown = previous[:, 0] * (1 - learn) + previous[:, 1] * forget
        to_known = previous[:, 0] * learn + previous[:, 1] * (1 - forget)
        a = np.stack([to_unknown * e0[:, t], to_known * e1[:, t]], axis=1)
        total = np.maximum(a.sum(axis=1), _EPS)
        # Past a sequence's end, carry its state unchanged.
        live = mask[:, t]
        alpha[:, t] = np.where(live[:, None], a / total[:, None], previous)
        scale[:, t] = np.where(live, total, 1.0)
    beta = np.ones((n_rows, length, 2))
    xi_learn = np.zeros(n_rows)
    xi_forget = np.zeros(n_rows)
    from_unknown = np.zeros(n_rows)
    from_known = np.zeros(n_rows)
    for t in range(length - 2, -1, -1):
        live = mask[:, t + 1]
        nxt = beta[:, t + 1] * np.stack([e0[:, t + 1], e1[:, t + 1]], axis=1)
        b0 = ((1 - learn) * nxt[:, 0] + learn * nxt[:, 1]) / scale[:, t + 1]
        b1 = (forget * nxt[:, 0] + (1 - forget) * nxt[:, 1]) / scale[:, t + 1]
        beta[:, t] = np.where(live[:, None], np.stack([b0, b1], axis=1), 1.0)
        weight = np.where(live, 1.0, 0.0)
        xi_learn += weight * alpha[:, t, 0] * learn * nxt[:, 1] / scale[:, t + 1]
        xi_forget += weight * alpha[:, t, 1] * forget * nxt[:, 0] / scale[:, t + 1]
        from_unknown += weight * alpha[:, t, 0] * beta[:, t, 0]
        from_known += weight * alpha[:, t, 1] * beta[:, t, 1]
    gamma = alpha * beta
    gamma /= np.maximum(gamma.sum(axis=2, keepdims=True), _EPS)
    gamma *= mask[:, :, None]
    n_skills = params.shape[0]

    def per_skill(values: np.ndarray) -> np.ndarray:
        return np.bincount(row_skill, weights=values, minlength=n_skills)

    unknown_mass = per_skill(gamma[:, :, 0].sum(axis=1))
    known_mass = per_skill(gamma[:, :, 1].sum(axis=1))
    new = np.empty_like(params)
    new[:, 0] = per_skill(gamma[:, 0, 1]) / np.maximum(per_skill(np.ones(n_rows)), _EPS)
    new[:, 1] = per_skill(xi_learn) / np.maximum(per_skill(from_unknown), _EPS)
    new[:, 2] = per_skill(xi_forget) / np.maximum(per_skill(from_known), _EPS)
    new[:, 3] = per_skill((gamma[:, :, 0] * obs).sum(axis=1)) / np.maximum(unknown_mass, _EPS)
    new[:, 4] = per_skill((gamma[:, :, 1] * (1 - obs)).sum(axis=1)) / np.maximum(known_mass, _EPS)
    caps = np.array([1 - 1e-3, 1 - 1e-3, MAX_FORGET, MAX_GUESS, MAX_SLIP])
    return np.clip(new, 1e-3, caps)
