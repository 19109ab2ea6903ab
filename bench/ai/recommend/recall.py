"""Next-item Recall@10 on ASSISTments 2009 (../shared/datasets/assistments09): the platform's
behavioural recommender against a popularity baseline, in the same run.

Both are fitted on train.csv. For every test learner and every position t >= 1, each method
ranks the items the learner has not done yet from their items before t only; a hit is the
item done at t among the first 10. Recall@10 is hits / predictions.

    cd backend && uv run --frozen python ../bench/ai/recommend/recall.py [--data DIR]
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

from learnwise.ai.recommend import behaviour, cooccurrence

DEFAULT_DATA = Path(__file__).resolve().parents[4] / "shared" / "datasets" / "assistments09"
K = 10


def read_sequences(path: Path, index: dict[int, int]) -> list[np.ndarray]:
    """Each learner's items in order, numbered by ``index`` (new items are added to it)."""
    by_user: dict[int, list[int]] = {}
    with path.open() as lines:
        next(lines)
        for line in lines:
            user, item = line.split("\t", 2)[:2]
            by_user.setdefault(int(user), []).append(int(item))
    sequences = []
    for items in by_user.values():
        seen: set[int] = set()
        ordered = []
        for item in items:  # the first time each item was done
            if item not in seen:
                seen.add(item)
                ordered.append(index.setdefault(item, len(index)))
        sequences.append(np.asarray(ordered, dtype=np.int64))
    return sequences


def evaluate(data: Path) -> dict[str, object]:
    index: dict[int, int] = {}
    started = time.perf_counter()
    train = read_sequences(data / "train.csv", index)
    n_train_items = len(index)
    test = read_sequences(data / "test.csv", index)
    n_items = len(index)  # items first seen in test can be targets but have no neighbours
    model = behaviour.BehaviourModel(
        transitions=cooccurrence.transitions(train, n_items),
        together=cooccurrence.cooccurrence(train, n_items),
        popularity=cooccurrence.popularity(train, n_items),
    )
    fit_seconds = time.perf_counter() - started
    popular = model.popularity
    hits = {"behaviour": 0, "popularity": 0}
    predictions = 0
    started = time.perf_counter()
    for sequence in test:
        for t in range(1, len(sequence)):
            history, target = sequence[:t], int(sequence[t])
            predictions += 1
            ranked = behaviour.top_items(behaviour.score(model, history).score, K, history)
            hits["behaviour"] += target in ranked
            hits["popularity"] += target in behaviour.top_items(popular, K, history)
    recall = {name: count / predictions for name, count in hits.items()}
    return {
        "dataset": str(data),
        "train_items": n_train_items,
        "items": n_items,
        "predictions": predictions,
        "recall_at_10": recall,
        "ratio_to_popularity": recall["behaviour"] / recall["popularity"],
        "fit_seconds": round(fit_seconds, 2),
        "ms_per_prediction": round(1000 * (time.perf_counter() - started) / predictions / 2, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    print(json.dumps(evaluate(parser.parse_args().data), indent=2))


if __name__ == "__main__":
    main()
