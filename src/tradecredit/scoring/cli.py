"""`tradecredit model ...`: train, evaluate and apply a PD model on any labelled table.

The work lives in `commands.py`, imported inside each command so that the rest of the command line
starts without loading LightGBM, scikit-learn and matplotlib.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from tradecredit.cli.common import err_console
from tradecredit.kit.errors import TradecreditError
from tradecredit.scoring.defaults import (
    DEFAULT_CV_SEED,
    DEFAULT_REPEATS,
    DEFAULT_SEED,
    DEFAULT_SPLITS,
)

model_app = typer.Typer(no_args_is_help=True)

DataOption = typer.Option(..., "--data", help="labelled table: .csv, .parquet or .arff")
LabelOption = typer.Option(..., "--label", help="the 0/1 default-flag column")
IdOption = typer.Option(None, "--id", help="a row-id column (kept out of the features)")
TreesOption = typer.Option(
    None,
    "--trees",
    min=1,
    help="quick runs: this many trees in every booster instead of the defaults",
)
SeedOption = typer.Option(DEFAULT_SEED, "--seed", help="the model's random seed")


@contextmanager
def _reported_errors() -> Iterator[None]:
    try:
        yield
    except TradecreditError as error:
        err_console.print(f"[bold red]error[/] ({error.code}): {error.message}")
        raise typer.Exit(code=2) from None


@model_app.command("evaluate")
def evaluate_command(
    data: Path = DataOption,
    label: str = LabelOption,
    id_column: str | None = IdOption,
    out: Path | None = typer.Option(None, "--out", help="directory for the report (JSON, MD, PNG)"),
    folds: int = typer.Option(DEFAULT_SPLITS, "--folds", min=2, help="outer folds"),
    repeats: int = typer.Option(DEFAULT_REPEATS, "--repeats", min=1, help="outer repeats"),
    cv_seed: int = typer.Option(DEFAULT_CV_SEED, "--cv-seed", help="seed of the fold split"),
    trees: int | None = TreesOption,
    seed: int = SeedOption,
) -> None:
    """Cross-validate the default model: AUC, Brier score, ECE and KS per fold, mean and std."""
    from tradecredit.scoring.commands import default_model, evaluate_table

    with _reported_errors():
        evaluate_table(
            data,
            label=label,
            id_column=id_column,
            out=out,
            splits=folds,
            repeats=repeats,
            cv_seed=cv_seed,
            model=default_model(trees=trees, seed=seed),
        )


@model_app.command("train")
def train_command(
    data: Path = DataOption,
    label: str = LabelOption,
    id_column: str | None = IdOption,
    out: Path = typer.Option(..., "--out", help="new directory for the model artifact"),
    with_evaluation: bool = typer.Option(
        False, "--evaluate", help="run the evaluation protocol first and record it in the card"
    ),
    licence: str = typer.Option("not stated", "--licence", help="licence of the training data"),
    credit: str = typer.Option("not stated", "--credit", help="source / citation of the data"),
    trees: int | None = TreesOption,
    seed: int = SeedOption,
    overwrite: bool = typer.Option(False, "--overwrite", help="replace a model already in --out"),
) -> None:
    """Train the calibrated PD model on every row and save it as a directory (no pickle)."""
    from tradecredit.scoring.commands import default_model, train_table

    with _reported_errors():
        train_table(
            data,
            label=label,
            id_column=id_column,
            out=out,
            with_evaluation=with_evaluation,
            licence=licence,
            credit=credit,
            model=default_model(trees=trees, seed=seed),
            overwrite=overwrite,
        )


@model_app.command("predict")
def predict_command(
    model_dir: Path = typer.Option(..., "--model", help="a directory written by `model train`"),
    data: Path = typer.Option(..., "--data", help="table to score: .csv, .parquet or .arff"),
    id_column: str | None = IdOption,
    out: Path = typer.Option(..., "--out", help="output file: .csv or .parquet"),
    reasons: int = typer.Option(3, "--reasons", min=0, max=20, help="reason codes per row"),
) -> None:
    """Score a table: the PD of each row and the features that push it up the most."""
    from tradecredit.scoring.commands import score_table

    with _reported_errors():
        score_table(model_dir, data, id_column=id_column, out=out, reasons=reasons)
