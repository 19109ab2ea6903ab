"""Item-to-item neighbours learned from what learners did, precomputed as top-k lists.

Two kinds, both from per-learner sequences of items in the order they were done:

- *transitions*: item b done within ``window`` steps after item a (weighted 1/distance): "what
  learners do next";
- *co-occurrence*: items done by the same learners, normalised by popularity (cosine), so that
  popular items do not neighbour everything: "learners like you also took".

Building is sparse-matrix work (scipy) run in a thread; a lookup is a few array reads.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True, slots=True)
class Neighbours:
    """Row i: the ``k`` best neighbours of item i (``-1`` pads) and their scores in [0, 1]."""

    ids: np.ndarray  # (n_items, k) int32
    scores: np.ndarray  # (n_items, k) float32

    def of(self, item: int) -> tuple[np.ndarray, np.ndarray]:
        ids = self.ids[item]
        keep = ids >= 0
        return ids[keep], self.scores[item][keep]


def _top_k(matrix: sparse.csr_matrix, k: int, *, relative: bool = True) -> Neighbours:
    """The k largest entries of each row; ``relative`` scales them by the row's largest."""
    n = matrix.shape[0]
    ids = np.full((n, k), -1, dtype=np.int32)
    scores = np.zeros((n, k), dtype=np.float32)
    for row in range(n):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if start == end:
            continue
        cols = matrix.indices[start:end]
        values = matrix.data[start:end]
        take = min(k, len(values))
        best = np.argpartition(-values, take - 1)[:take]
        best = best[np.argsort(-values[best], kind="stable")]
        top = values[best]
        ids[row, :take] = cols[best]
        if relative:
            top = top / top[0] if top[0] > 0 else np.zeros_like(top)
        scores[row, :take] = top
    return Neighbours(ids, scores)


def _without_diagonal(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    matrix = sparse.csr_matrix(matrix)
    matrix.setdiag(0)
    matrix.eliminate_zeros()
    return matrix


def transitions(
    sequences: Sequence[np.ndarray], n_items: int, *, window: int = 3, k: int = 30
) -> Neighbours:
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for sequence in sequences:
        for distance in range(1, window + 1):
            if len(sequence) <= distance:
                break
            rows.append(sequence[:-distance])
            cols.append(sequence[distance:])
            weights.append(np.full(len(sequence) - distance, 1.0 / distance, dtype=np.float32))
    if not rows:
        return _top_k(sparse.csr_matrix((n_items, n_items), dtype=np.float32), k)
    counts = sparse.coo_matrix(
        (np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_items, n_items),
    )
    return _top_k(_without_diagonal(counts), k)


def cooccurrence(sequences: Sequence[np.ndarray], n_items: int, *, k: int = 30) -> Neighbours:
    """Cosine similarity of items over the learners who did them."""
    if not sequences:
        return _top_k(sparse.csr_matrix((n_items, n_items), dtype=np.float32), k)
    lengths = np.array([len(s) for s in sequences])
    users = np.repeat(np.arange(len(sequences)), lengths)
    items = np.concatenate(sequences) if len(sequences) else np.zeros(0, dtype=np.int64)
    done = sparse.csr_matrix(
        (np.ones(len(items), dtype=np.float32), (users, items)),
        shape=(len(sequences), n_items),
    )
    done.data[:] = 1.0  # repeats count once
    together = (done.T @ done).tocsr()
    popularity = np.sqrt(np.asarray(together.diagonal(), dtype=np.float32))
    popularity[popularity == 0] = 1.0
    scale = sparse.diags(1.0 / popularity)
    return _top_k(_without_diagonal(scale @ together @ scale), k)


def popularity(sequences: Sequence[np.ndarray], n_items: int) -> np.ndarray:
    """How many learners did each item, scaled to [0, 1]."""
    counts = np.zeros(n_items, dtype=np.float32)
    for sequence in sequences:
        counts[np.unique(sequence)] += 1
    top = counts.max() if n_items else 0.0
    return counts / top if top > 0 else counts


def similar_rows(vectors: sparse.spmatrix, *, k: int, chunk: int = 512) -> Neighbours:
    """Cosine neighbours of L2-normalised row vectors (TF-IDF rows are), a chunk of rows at a
    time so that no dense n x n matrix is ever made."""
    vectors = sparse.csr_matrix(vectors, dtype=np.float32)
    n = vectors.shape[0]
    ids = np.full((n, k), -1, dtype=np.int32)
    scores = np.zeros((n, k), dtype=np.float32)
    for start in range(0, n, chunk):
        block = (vectors[start : start + chunk] @ vectors.T).tocsr()
        rows = np.arange(block.shape[0])
        # An item is not its own neighbour.
        itself = sparse.csr_matrix(
            (np.asarray(block[rows, rows + start]).ravel(), (rows, rows + start)),
            shape=block.shape,
        )
        block = (block - itself).tocsr()
        block.eliminate_zeros()
        top = _top_k(block, k, relative=False)
        ids[start : start + chunk] = top.ids
        scores[start : start + chunk] = top.scores
    return Neighbours(ids, scores)
