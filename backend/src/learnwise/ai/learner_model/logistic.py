"""Knowledge tracing by logistic regression on the learner's history (Best-LR and beyond).

Each answer is predicted from sparse features of the item, its skills and the counts of the
learner's earlier answers (Gervet et al. 2020's Best-LR: item, skill, correct and wrong counts
per skill and overall). The richer variant ("kt-lr") adds what Best-LR lacks: per-skill learning
rates (PFA-style slopes for each skill), exponentially decayed counts (recent answers weigh
more), the last answers, smoothed success rates and repeated items. scikit-learn fits it.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from learnwise.ai.learner_model.responses import Responses
from learnwise.ai.learner_model.state import PATTERN_LENGTH, LearnerState, smoothed_logit

RICH_FEATURES = (
    "log_skill_correct",
    "log_skill_wrong",
    "log_total_correct",
    "log_total_wrong",
    "decayed_skill_correct",
    "decayed_skill_wrong",
    "skill_last_correct",
    "skill_last_wrong",
    "last_correct",
    "last_wrong",
    "skill_rate_logit",
    "total_rate_logit",
    "log_item_attempts",
)
BEST_LR_FEATURES = RICH_FEATURES[:4]
# Every pattern of 0 to PATTERN_LENGTH answers has a column.
PATTERNS = 2 ** (PATTERN_LENGTH + 1) - 1


def pattern_column(pattern: str) -> int:
    return (2 ** len(pattern) - 1) + (int(pattern, 2) if pattern else 0)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Column positions: items, then skills, then per-skill slopes, then dense features."""

    items: dict[str, int]
    skills: dict[str, int]
    dense: tuple[str, ...]
    per_skill_slopes: bool

    @property
    def dense_start(self) -> int:
        rich = 2 * len(self.skills) + 2 * PATTERNS if self.per_skill_slopes else 0
        return len(self.items) + len(self.skills) + rich

    @property
    def width(self) -> int:
        return self.dense_start + len(self.dense)

    def row(
        self, state: LearnerState, item_id: str, skill_ids: Sequence[str]
    ) -> tuple[list[int], list[float]]:
        """The non-zero columns of one answer's features, from the state before it."""
        columns: list[int] = []
        values: list[float] = []
        item_column = self.items.get(item_id)
        if item_column is not None:
            columns.append(item_column)
            values.append(1.0)
        n_items, n_skills = len(self.items), len(self.skills)
        dense_start = self.dense_start
        patterns_start = n_items + 3 * n_skills
        if self.per_skill_slopes:
            columns.append(patterns_start + pattern_column(state.recent))
            values.append(1.0)
        known = [s for s in skill_ids if s in self.skills] or list(skill_ids)
        share = 1.0 / max(len(known), 1)
        sums = dict.fromkeys(self.dense, 0.0)
        for skill_id in known:
            counts = state.skills.get(skill_id)
            correct = counts.correct if counts else 0
            wrong = counts.wrong if counts else 0
            skill_column = self.skills.get(skill_id)
            if skill_column is not None:
                columns.append(n_items + skill_column)
                values.append(share)
                if self.per_skill_slopes:
                    columns += [
                        n_items + n_skills + skill_column,
                        n_items + 2 * n_skills + skill_column,
                    ]
                    values += [share * math.log1p(correct), share * math.log1p(wrong)]
                    columns.append(
                        patterns_start + PATTERNS + pattern_column(counts.recent if counts else "")
                    )
                    values.append(share)
            sums["log_skill_correct"] += share * math.log1p(correct)
            sums["log_skill_wrong"] += share * math.log1p(wrong)
            if "decayed_skill_correct" in sums and counts is not None:
                sums["decayed_skill_correct"] += share * counts.decayed_correct
                sums["decayed_skill_wrong"] += share * counts.decayed_wrong
                sums["skill_last_correct"] += share * (counts.last_correct is True)
                sums["skill_last_wrong"] += share * (counts.last_correct is False)
            if "skill_rate_logit" in sums:
                sums["skill_rate_logit"] += share * smoothed_logit(correct, wrong)
        sums["log_total_correct"] = math.log1p(state.correct)
        sums["log_total_wrong"] = math.log1p(state.wrong)
        if "last_correct" in sums:
            sums["last_correct"] = float(state.last_correct is True)
            sums["last_wrong"] = float(state.last_correct is False)
            sums["total_rate_logit"] = smoothed_logit(state.correct, state.wrong)
            sums["log_item_attempts"] = math.log1p(state.item_attempts.get(item_id, 0))
        for position, name in enumerate(self.dense):
            if sums[name]:
                columns.append(dense_start + position)
                values.append(sums[name])
        return columns, values


def design_matrix(vocabulary: Vocabulary, data: Responses) -> sparse.csr_matrix:
    """Features of every answer from the same learner's earlier answers only."""
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    state = LearnerState()
    current_user: str | None = None
    for response in data:
        if response.user_id != current_user:
            state, current_user = LearnerState(), response.user_id
        columns, row_values = vocabulary.row(state, response.item_id, response.skill_ids)
        indices += columns
        values += row_values
        indptr.append(len(indices))
        state.record(response.item_id, response.skill_ids, response.correct)
    return sparse.csr_matrix(
        (np.asarray(values), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
        shape=(len(data), vocabulary.width),
    )


class LogisticKT:
    """``LogisticKT()`` is the rich variant; ``LogisticKT(rich=False)`` is Best-LR."""

    def __init__(self, *, rich: bool = True, regularization: float = 1.0) -> None:
        self.rich = rich
        self.regularization = regularization
        self.vocabulary: Vocabulary | None = None
        self.weights = np.zeros(0)
        self.intercept = 0.0

    @property
    def name(self) -> str:
        return "kt-lr" if self.rich else "best-lr"

    def fit(self, data: Responses) -> Self:
        items = {item: i for i, item in enumerate(dict.fromkeys(data.item_ids))}
        skills = {s: i for i, s in enumerate(dict.fromkeys(s for ss in data.skill_ids for s in ss))}
        self.vocabulary = Vocabulary(
            items, skills, RICH_FEATURES if self.rich else BEST_LR_FEATURES, self.rich
        )
        labels = data.labels()
        if len(set(labels.tolist())) < 2:
            # Every answer right (or wrong): no boundary to learn, only the base rate.
            self.weights = np.zeros(self.vocabulary.width)
            rate = min(max(labels.mean() if len(labels) else 0.5, 0.01), 0.99)
            self.intercept = math.log(rate / (1 - rate))
            return self
        matrix = design_matrix(self.vocabulary, data)
        # The dense features (log counts, logits) are on other scales than the one-hot columns:
        # dividing each by its root mean square (no centring, so the matrix stays sparse) makes
        # the solver converge about twice as fast with the same fit (bench/RESULTS.md).
        scale = _column_scale(matrix, self.vocabulary.dense_start)
        regression = LogisticRegression(C=self.regularization, solver="liblinear", max_iter=200)
        regression.fit(matrix @ sparse.diags(scale), labels)
        # Folded back into the weights: predictions use the unscaled features.
        self.weights = regression.coef_[0] * scale
        self.intercept = float(regression.intercept_[0])
        return self

    @classmethod
    def prior(cls) -> Self:
        """The model before any data: the smoothed success rate of the learner on the item's
        skills (a Beta-Bernoulli estimate), nothing else."""
        model = cls(rich=True)
        model.vocabulary = Vocabulary({}, {}, RICH_FEATURES, True)
        model.weights = np.zeros(model.vocabulary.width)
        model.weights[model.vocabulary.dense_start + RICH_FEATURES.index("skill_rate_logit")] = 1.0
        return model

    def _check_fitted(self) -> Vocabulary:
        if self.vocabulary is None:
            raise RuntimeError("the model is not fitted")
        return self.vocabulary

    def predict_sequence(self, data: Responses) -> np.ndarray:
        matrix = design_matrix(self._check_fitted(), data)
        return _sigmoid(matrix @ self.weights + self.intercept)

    def predict_next(
        self, state: LearnerState, items: Sequence[tuple[str, Sequence[str]]]
    ) -> np.ndarray:
        """P(right) of each (item id, skill ids) answered next by the learner in ``state``."""
        vocabulary = self._check_fitted()
        scores = []
        for item_id, skill_ids in items:
            columns, values = vocabulary.row(state, item_id, skill_ids)
            scores.append(float(np.dot(self.weights[columns], values)) + self.intercept)
        return _sigmoid(np.asarray(scores, dtype=np.float64))

    def to_dict(self) -> dict[str, Any]:
        vocabulary = self._check_fitted()
        return {
            "rich": self.rich,
            "regularization": self.regularization,
            "items": list(vocabulary.items),
            "skills": list(vocabulary.skills),
            "weights": self.weights.tolist(),
            "intercept": self.intercept,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        model = cls(rich=data["rich"], regularization=data["regularization"])
        model.vocabulary = Vocabulary(
            {item: i for i, item in enumerate(data["items"])},
            {skill: i for i, skill in enumerate(data["skills"])},
            RICH_FEATURES if model.rich else BEST_LR_FEATURES,
            model.rich,
        )
        model.weights = np.asarray(data["weights"], dtype=np.float64)
        model.intercept = float(data["intercept"])
        return model


def _column_scale(matrix: sparse.csr_matrix, dense_start: int) -> np.ndarray:
    """1 / root mean square of each column from ``dense_start`` on (1 where it is all zero),
    1 for the one-hot columns before it."""
    scale = np.ones(matrix.shape[1])
    squares = np.asarray(matrix[:, dense_start:].power(2).mean(axis=0)).ravel()
    root = np.sqrt(squares)
    scale[dense_start:] = np.divide(1.0, root, out=np.ones_like(root), where=root > 0)
    return scale


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))
