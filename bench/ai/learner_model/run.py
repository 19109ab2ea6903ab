"""Every learner model on the ASSISTments 2009 split: AUC, RMSE and fit time, one JSON file.

    cd backend && uv run --frozen python ../bench/ai/learner_model/run.py \
        [--data ../../shared/datasets/assistments09] [--models kt-lr,best-lr,...] [--out FILE]

Each model is fitted on train.csv and predicts each test.csv answer from the same learner's
earlier answers only (the dataset's protocol). Fit times are wall-clock on a shared machine:
compare them through the ratio to Best-LR fitted in the same run, not as absolute figures.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from learnwise.ai.learner_model.evaluation import MODELS, evaluate
from learnwise.ai.learner_model.responses import load_tsv

HERE = Path(__file__).resolve().parent
BASELINE = "best-lr"
# Gervet et al. 2020 on this exact split (the dataset's README).
PUBLISHED_AUC = {"irt": 0.69, "pfa": 0.72, "dkt": 0.75, "sakt": 0.75, "best-lr": 0.77}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=HERE.parents[2].parent / "shared" / "datasets" / "assistments09",
    )
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    names = [BASELINE] + [n for n in args.models.split(",") if n and n != BASELINE]
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        parser.error(f"unknown models: {', '.join(unknown)}; known: {', '.join(MODELS)}")
    train, test = load_tsv(args.data / "train.csv"), load_tsv(args.data / "test.csv")
    started = time.perf_counter()
    results = []
    for name in names:
        result = evaluate(name, train, test)
        print(json.dumps(result), file=sys.stderr, flush=True)
        results.append(result)
    baseline_seconds = results[0]["fit_seconds"]
    for result in results:
        result["fit_time_vs_best_lr"] = round(result["fit_seconds"] / baseline_seconds, 2)
    report = {
        "dataset": str(args.data.resolve()),
        "train_n": len(train),
        "test_n": len(test),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
            "python": platform.python_version(),
        },
        "total_seconds": round(time.perf_counter() - started, 1),
        "published_auc": PUBLISHED_AUC,
        "results": results,
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=HERE,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    main()
