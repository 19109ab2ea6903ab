"""What learners' behaviour suggests after a learner's recent items: the scores the service and
the evaluation harness (bench/ai/recommend) share, so that what is measured is what is served."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from learnwise.ai.recommend.cooccurrence import Neighbours

# The most recent item counts fully, the one before half as much, and so on.
RECENCY_DECAY = 0.5
RECENT_ITEMS = 5


@dataclass(frozen=True, slots=True)
class BehaviourModel:
    transitions: Neighbours
    together: Neighbours
    popularity: np.ndarray
    transition_weight: float = 1.0
    together_weight: float = 0.4
    popularity_weight: float = 0.05

    @property
    def n_items(self) -> int:
        return len(self.popularity)


@dataclass(frozen=True, slots=True)
class BehaviourScores:
    """Per item: the combined score, and which recent item contributed most through each kind
    of neighbour (-1: none), to explain it."""

    score: np.ndarray
    next_after: np.ndarray
    taken_with: np.ndarray


def score(model: BehaviourModel, recent: Sequence[int]) -> BehaviourScores:
    """Scores every item after the learner's ``recent`` items (oldest first)."""
    n = model.n_items
    total = model.popularity_weight * model.popularity.astype(np.float32)
    next_after = np.full(n, -1, dtype=np.int32)
    taken_with = np.full(n, -1, dtype=np.int32)
    best_next = np.zeros(n, dtype=np.float32)
    best_with = np.zeros(n, dtype=np.float32)
    for age, item in enumerate(reversed(recent[-RECENT_ITEMS:])):
        weight = RECENCY_DECAY**age
        for neighbours, scale, best, source in (
            (model.transitions, model.transition_weight, best_next, next_after),
            (model.together, model.together_weight, best_with, taken_with),
        ):
            ids, scores = neighbours.of(item)
            contribution = weight * scale * scores
            total[ids] += contribution
            stronger = contribution > best[ids]
            best[ids[stronger]] = contribution[stronger]
            source[ids[stronger]] = item
    return BehaviourScores(total, next_after, taken_with)


def top_items(scores: np.ndarray, k: int, exclude: Sequence[int] = ()) -> list[int]:
    """The ``k`` best items, best first, leaving out ``exclude``."""
    ranked = scores.copy()
    if len(exclude):
        ranked[np.asarray(exclude, dtype=np.int64)] = -np.inf
    k = min(k, len(ranked))
    if k == 0:
        return []
    best = np.argpartition(-ranked, k - 1)[:k]
    best = best[np.argsort(-ranked[best], kind="stable")]
    return [int(i) for i in best if np.isfinite(ranked[i])]
