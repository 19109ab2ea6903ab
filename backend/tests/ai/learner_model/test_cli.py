"""``learnwise ai evaluate`` on small files written by the test."""

import json
from pathlib import Path

from typer.testing import CliRunner

from learnwise.ai.learner_model.evaluation import split_learners
from learnwise.ai.learner_model.responses import DATASET_COLUMNS, Responses
from learnwise.cli import app

from .synthetic import simulate

runner = CliRunner()


def write(path: Path, data: Responses) -> Path:
    lines = ["\t".join(DATASET_COLUMNS)]
    lines += [f"{r.user_id}\t{r.item_id}\t0\t{int(r.correct)}\t{r.skill_ids[0]}" for r in data]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_evaluate_prints_the_scores_as_json(tmp_path: Path) -> None:
    train, test = split_learners(simulate(learners=80), 0.25)
    for model in ("learner-model", "bkt"):
        result = runner.invoke(
            app,
            [
                "ai",
                "evaluate",
                "--train",
                str(write(tmp_path / "train.tsv", train)),
                "--test",
                str(write(tmp_path / "test.tsv", test)),
                "--model",
                model,
            ],
        )
        assert result.exit_code == 0, result.output
        scores = json.loads(result.stdout)
        assert scores["model"] == model and scores["n"] == len(test)
        assert 0.6 < scores["auc"] <= 1 and 0 < scores["rmse"] < 0.5
        assert scores["fit_seconds"] >= 0


def test_evaluate_refuses_bad_input(tmp_path: Path) -> None:
    good = write(tmp_path / "good.tsv", simulate(learners=5))
    bad = tmp_path / "bad.tsv"
    bad.write_text("a,b,c\n1,2,3\n")
    empty = tmp_path / "empty.tsv"
    empty.write_text("\t".join(DATASET_COLUMNS) + "\n")
    cases = [
        (["--train", str(bad), "--test", str(good)], "expected a tab-separated header"),
        (["--train", str(good), "--test", str(empty)], "at least one response"),
        (["--train", str(good), "--test", str(tmp_path / "missing.tsv")], "not a readable file"),
        (["--train", str(good), "--test", str(good), "--model", "dkt"], "unknown model"),
    ]
    for arguments, message in cases:
        result = runner.invoke(app, ["ai", "evaluate", *arguments])
        assert result.exit_code == 2, result.output
        assert message in result.output
