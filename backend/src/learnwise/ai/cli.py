"""``learnwise ai``: the AI service's commands (fitting and evaluating the learner model)."""

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

from learnwise.ai.learner_model import service as learner_model
from learnwise.ai.learner_model.evaluation import MODELS, evaluate
from learnwise.ai.learner_model.responses import DatasetFormatError, load_tsv
from learnwise.config import get_settings
from learnwise.db import commit
from learnwise.platform.runtime import Runtime

ai_app = typer.Typer(help="The AI service: learner model.", no_args_is_help=True)


@ai_app.command("fit")
def fit() -> None:
    """Fit the learner model on every graded quiz answer and update every learner's state."""

    async def run() -> dict[str, object]:
        runtime = Runtime.build(get_settings())
        try:
            async with runtime.sessionmaker() as session:
                result = await learner_model.refit(session=session)
                summary = learner_model.fit_summary(result)
                await commit(session)
                return summary
        finally:
            await runtime.close()

    typer.echo(json.dumps(asyncio.run(run())))


@ai_app.command("evaluate")
def evaluate_command(
    train: Annotated[Path, typer.Option(help="Responses to fit on (the dataset format).")],
    test: Annotated[Path, typer.Option(help="Responses of other learners to predict.")],
    model: Annotated[str, typer.Option(help=f"One of: {', '.join(MODELS)}.")] = "learner-model",
) -> None:
    """Fit a model on TRAIN and print its AUC, RMSE, n and fitting time on TEST as JSON."""
    if model not in MODELS:
        raise typer.BadParameter(
            f"unknown model {model!r}; one of {', '.join(MODELS)}", param_hint="--model"
        )
    for path, hint in ((train, "--train"), (test, "--test")):
        if not path.is_file():
            raise typer.BadParameter(f"{path} is not a readable file", param_hint=hint)
    try:
        train_data, test_data = load_tsv(train), load_tsv(test)
    except DatasetFormatError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    if not len(train_data) or not len(test_data):
        typer.echo("Error: both files need at least one response", err=True)
        raise typer.Exit(code=2)
    typer.echo(json.dumps(evaluate(model, train_data, test_data)))
