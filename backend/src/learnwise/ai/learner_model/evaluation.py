"""Evaluation by the dataset's protocol: fit on one set of learners, then predict each answer
of other learners from their earlier answers only; AUC and RMSE over every predicted answer."""

import random
import time
from collections.abc import Callable
from typing import Any, Protocol, Self

import numpy as np
from sklearn.metrics import roc_auc_score

from learnwise.ai.learner_model.bkt import BKT
from learnwise.ai.learner_model.irt import IRT
from learnwise.ai.learner_model.logistic import LogisticKT
from learnwise.ai.learner_model.model import Model
from learnwise.ai.learner_model.responses import Responses

# Fewer held-out learners than this say nothing reliable about a fit.
MIN_HOLDOUT_LEARNERS = 5
HOLDOUT_SHARE = 0.2


class SequenceModel(Protocol):
    def fit(self, data: Responses) -> Self: ...

    def predict_sequence(self, data: Responses) -> np.ndarray: ...


MODELS: dict[str, Callable[[], SequenceModel]] = {
    "learner-model": Model,
    "kt-lr": lambda: LogisticKT(rich=True),
    "best-lr": lambda: LogisticKT(rich=False),
    "bkt": BKT,
    "irt-1pl": lambda: IRT(parameters=1),
    "irt-2pl": lambda: IRT(parameters=2),
}


def scores(labels: np.ndarray, predictions: np.ndarray) -> dict[str, float]:
    """AUC (absent when only one class is present) and RMSE."""
    result = {
        "n": len(labels),
        "rmse": round(float(np.sqrt(np.mean((predictions - labels) ** 2))), 4)
        if len(labels)
        else 0,
    }
    if len(set(labels.tolist())) == 2:
        result["auc"] = round(float(roc_auc_score(labels, predictions)), 4)
    return result


def evaluate(model_name: str, train: Responses, test: Responses) -> dict[str, Any]:
    """Fits the named model on ``train`` and scores it on ``test``."""
    model = MODELS[model_name]()
    started = time.perf_counter()
    model.fit(train)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predictions = model.predict_sequence(test)
    predict_seconds = time.perf_counter() - started
    return {
        "model": model_name,
        **scores(test.labels(), predictions),
        "fit_seconds": round(fit_seconds, 2),
        "predict_seconds": round(predict_seconds, 2),
        "train_n": len(train),
    }


def split_learners(data: Responses, share: float, seed: int = 0) -> tuple[Responses, Responses]:
    """Two sets of disjoint learners, about ``share`` of them in the second."""
    learners = sorted(set(data.user_ids))
    held = set(
        random.Random(seed).sample(  # noqa: S311  (a reproducible split, not a secret)
            learners, round(len(learners) * share)
        )
    )
    train, test = Responses(), Responses()
    for response in data:
        (test if response.user_id in held else train).append(response)
    return train, test


def holdout_metrics(data: Responses) -> dict[str, float]:
    """The platform model's scores on a fifth of the learners when fitted on the others; empty
    when there are too few learners to hold any out."""
    if len(set(data.user_ids)) < MIN_HOLDOUT_LEARNERS / HOLDOUT_SHARE:
        return {}
    train, test = split_learners(data, HOLDOUT_SHARE)
    model = Model().fit(train)
    return scores(test.labels(), model.predict_sequence(test))
