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
        # Longest first: the sequences still running at step t are then a prefix of the rows,
        # and each step costs only as much as the answers given at it.
        rows = sorted(sequences.items(), key=lambda row: -len(row[1]))
        length = min(len(rows[0][1]), FIT_SEQUENCE_LIMIT)
        answers = [np.asarray(seq[:FIT_SEQUENCE_LIMIT]) for _, seq in rows]
        steps = [np.array([a[t] for a in answers[: _live(answers, t)]]) for t in range(length)]
        row_skill = np.array([skill_index[skill] for (skill, _), _ in rows])
        params = np.tile([0.4, 0.15, 0.02, 0.2, 0.1], (len(skill_names), 1))
        for _ in range(self.iterations):
            params = _em_step(params, steps, row_skill)
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


def _live(answers: list[np.ndarray], t: int) -> int:
    """How many of the sequences (longest first) have an answer at step t."""
    low, high = 0, len(answers)
    while low < high:
        middle = (low + high) // 2
        if len(answers[middle]) > t:
            low = middle + 1
        else:
            high = middle
    return low


def _em_step(params: np.ndarray, steps: list[np.ndarray], row_skill: np.ndarray) -> np.ndarray:
    """One Baum-Welch iteration for every skill at once. ``steps[t]`` holds the answers at step
    t of the sequences still running (a prefix of the rows, longest sequences first)."""
    prior, learn, forget, guess, slip = (params[row_skill, k] for k in range(5))
    n_skills = params.shape[0]

    def emissions(t: int) -> tuple[np.ndarray, np.ndarray]:
        k, obs = len(steps[t]), steps[t]
        return (
            np.where(obs == 1, guess[:k], 1 - guess[:k]),
            np.where(obs == 1, 1 - slip[:k], slip[:k]),
        )

    alphas, scales = [], []
    e0, e1 = emissions(0)
    a0, a1 = (1 - prior) * e0, prior * e1
    for t in range(len(steps)):
        if t:
            k = len(steps[t])
            p0, p1 = alphas[-1][0][:k], alphas[-1][1][:k]
            e0, e1 = emissions(t)
            a0 = (p0 * (1 - learn[:k]) + p1 * forget[:k]) * e0
            a1 = (p0 * learn[:k] + p1 * (1 - forget[:k])) * e1
        total = np.maximum(a0 + a1, _EPS)
        alphas.append((a0 / total, a1 / total))
        scales.append(total)
    sums = np.zeros((4, len(row_skill)))  # per row: gamma0, gamma1, gamma0 * obs, gamma1 * wrong
    xi_learn, xi_forget = np.zeros(len(row_skill)), np.zeros(len(row_skill))
    from_unknown, from_known = np.zeros(len(row_skill)), np.zeros(len(row_skill))
    b0, b1 = np.ones(len(steps[-1])), np.ones(len(steps[-1]))
    first_known = np.zeros(len(row_skill))
    for t in range(len(steps) - 1, -1, -1):
        k = len(steps[t])
        if len(b0) < k:  # sequences whose last answer is at step t start with beta = 1
            b0 = np.concatenate([b0, np.ones(k - len(b0))])
            b1 = np.concatenate([b1, np.ones(k - len(b1))])
        g0, g1 = alphas[t][0] * b0, alphas[t][1] * b1
        norm = np.maximum(g0 + g1, _EPS)
        g0, g1 = g0 / norm, g1 / norm
        obs = steps[t]
        sums[0, :k] += g0
        sums[1, :k] += g1
        sums[2, :k] += g0 * obs
        sums[3, :k] += g1 * (1 - obs)
        if t == 0:
            first_known = g1
            break
        # The transition from step t-1 into step t, for the sequences running at step t.
        e0, e1 = emissions(t)
        n0, n1 = e0 * b0 / scales[t], e1 * b1 / scales[t]
        p0, p1 = alphas[t - 1][0][:k], alphas[t - 1][1][:k]
        xi_learn[:k] += p0 * learn[:k] * n1
        xi_forget[:k] += p1 * forget[:k] * n0
        b0_prev = (1 - learn[:k]) * n0 + learn[:k] * n1
        b1_prev = forget[:k] * n0 + (1 - forget[:k]) * n1
        from_unknown[:k] += p0 * b0_prev
        from_known[:k] += p1 * b1_prev
        b0, b1 = b0_prev, b1_prev

    def per_skill(values: np.ndarray) -> np.ndarray:
        return np.bincount(row_skill, weights=values, minlength=n_skills)

    new = np.empty_like(params)
    new[:, 0] = per_skill(first_known) / np.maximum(per_skill(np.ones(len(row_skill))), _EPS)
    new[:, 1] = per_skill(xi_learn) / np.maximum(per_skill(from_unknown), _EPS)
    new[:, 2] = per_skill(xi_forget) / np.maximum(per_skill(from_known), _EPS)
    new[:, 3] = per_skill(sums[2]) / np.maximum(per_skill(sums[0]), _EPS)
    new[:, 4] = per_skill(sums[3]) / np.maximum(per_skill(sums[1]), _EPS)
    caps = np.array([1 - 1e-3, 1 - 1e-3, MAX_FORGET, MAX_GUESS, MAX_SLIP])
    return np.clip(new, 1e-3, caps)
