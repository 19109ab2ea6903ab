"""Item response theory: the 1PL (Rasch) and 2PL models, a baseline for knowledge tracing.

P(right) = sigmoid(a_i * (theta_u - b_i)): one ability per learner, one difficulty (and, for 2PL,
one discrimination) per item, fitted jointly by penalised maximum likelihood (a standard normal
prior on abilities, weak priors on item parameters; L-BFGS). A new learner's ability is estimated
online, from their earlier answers only, by a few Newton steps on its posterior.
"""

from typing import Self

import numpy as np
from scipy.optimize import minimize

from learnwise.ai.learner_model.responses import Responses

_ITEM_PRIOR = 0.1  # precision of the prior on difficulty
# Precision of the prior on log-discrimination: a weak one lets the discrimination of items
# answered by a few learners grow without bound (AUC 0.55 on ASSISTments 2009 at 0.1).
_DISCRIMINATION_PRIOR = 2.0
_MAX_ABILITY = 6.0


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


class IRT:
    def __init__(self, *, parameters: int = 1) -> None:
        if parameters not in (1, 2):
            raise ValueError("IRT has 1 or 2 parameters per item")
        self.parameters = parameters
        self.difficulty: dict[str, float] = {}
        self.discrimination: dict[str, float] = {}

    @property
    def name(self) -> str:
        return f"irt-{self.parameters}pl"

    def fit(self, data: Responses) -> Self:
        users = {u: i for i, u in enumerate(dict.fromkeys(data.user_ids))}
        items = {q: i for i, q in enumerate(dict.fromkeys(data.item_ids))}
        u = np.array([users[x] for x in data.user_ids])
        q = np.array([items[x] for x in data.item_ids])
        y = data.labels()
        n_users, n_items = len(users), len(items)
        two = self.parameters == 2

        def loss(theta_b_a: np.ndarray) -> tuple[float, np.ndarray]:
            theta = theta_b_a[:n_users]
            b = theta_b_a[n_users : n_users + n_items]
            log_a = theta_b_a[n_users + n_items :] if two else np.zeros(n_items)
            a = np.exp(log_a)
            z = a[q] * (theta[u] - b[q])
            p = _sigmoid(z)
            nll = -np.sum(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))
            nll += 0.5 * theta @ theta + 0.5 * _ITEM_PRIOR * (b @ b)
            nll += 0.5 * _DISCRIMINATION_PRIOR * (log_a @ log_a)
            residual = p - y
            grad_theta = np.bincount(u, residual * a[q], n_users) + theta
            grad_b = -np.bincount(q, residual * a[q], n_items) + _ITEM_PRIOR * b
            parts = [grad_theta, grad_b]
            if two:
                grad_log_a = np.bincount(q, residual * z, n_items) + _DISCRIMINATION_PRIOR * log_a
                parts.append(grad_log_a)
            return float(nll), np.concatenate(parts)

        start = np.zeros(n_users + n_items * (2 if two else 1))
        result = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 500})
        b = result.x[n_users : n_users + n_items]
        a = np.exp(result.x[n_users + n_items :]) if two else np.ones(n_items)
        self.difficulty = {item: float(b[i]) for item, i in items.items()}
        self.discrimination = {item: float(a[i]) for item, i in items.items()}
        return self

    def predict_sequence(self, data: Responses) -> np.ndarray:
        predictions = np.empty(len(data))
        start = 0
        user_ids, labels = data.user_ids, data.labels()
        while start < len(data):
            end = start
            while end < len(data) and user_ids[end] == user_ids[start]:
                end += 1
            predictions[start:end] = self._predict_learner(
                data.item_ids[start:end], labels[start:end]
            )
            start = end
        return predictions

    def _predict_learner(self, item_ids: list[str], answers: np.ndarray) -> np.ndarray:
        b = np.array([self.difficulty.get(i, 0.0) for i in item_ids])
        a = np.array([self.discrimination.get(i, 1.0) for i in item_ids])
        predictions = np.empty(len(item_ids))
        theta = 0.0
        for t in range(len(item_ids)):
            predictions[t] = _sigmoid(a[t] * (theta - b[t]))
            # MAP ability from the answers up to t (standard normal prior), warm-started.
            for _ in range(3):
                p = _sigmoid(a[: t + 1] * (theta - b[: t + 1]))
                gradient = np.sum(a[: t + 1] * (answers[: t + 1] - p)) - theta
                curvature = np.sum(a[: t + 1] ** 2 * p * (1 - p)) + 1.0
                theta = float(np.clip(theta + gradient / curvature, -_MAX_ABILITY, _MAX_ABILITY))
        return predictions
