"""`tradecredit model ...`: train, evaluate, apply and explain a PD model on any labelled table,
and measure population stability (PSI).

The work lives in `commands.py`, imported inside each command so that the rest of the command line
starts without loading LightGBM, scikit-learn and matplotlib.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from tradecredit.cli.common import OrgOption, cli_session, err_console
from tradecredit.kit.errors import TradecreditError
from tradecredit.scoring.defaults import (
    DEFAULT_CV_SEED,
    DEFAULT_REPEATS,
    DEFAULT_SEED,
    DEFAULT_SPLITS,
    SYNTHETIC_KEEP,
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
SyntheticOption = typer.Option(
    None,
    "--synthetic",
    min=0,
    help="lgbm: keep this many synthetic features (ratios, products, differences of the strongest "
    f"free columns, screened on the training rows); 0 for none; default {SYNTHETIC_KEEP}",
)
SeedOption = typer.Option(DEFAULT_SEED, "--seed", help="the model's random seed")
PdoOption = typer.Option(20.0, "--pdo", min=0.001, help="scorecard: points to double the odds")
BaseScoreOption = typer.Option(600.0, "--base-score", help="scorecard: the score at the base odds")
BaseOddsOption = typer.Option(
    50.0, "--base-odds", min=0.001, help="scorecard: good:bad odds at the base score"
)


class ModelKind(StrEnum):
    LGBM = "lgbm"
    SCORECARD = "scorecard"


KindOption = typer.Option(
    ModelKind.LGBM,
    "--kind",
    help="lgbm: bagged LightGBM (best ranking); scorecard: a points table that explains every point",
)


def _model(
    kind: ModelKind,
    *,
    trees: int | None,
    synthetic: int | None,
    seed: int,
    pdo: float,
    base_score: float,
    base_odds: float,
) -> Any:
    from tradecredit.kit.errors import InvalidInput
    from tradecredit.scoring.commands import default_model, scorecard_model

    if kind is ModelKind.LGBM:
        return default_model(trees=trees, synthetic=synthetic, seed=seed)
    if trees is not None:
        raise InvalidInput("--trees sets the LightGBM boosters; a scorecard has none")
    if synthetic is not None:
        raise InvalidInput(
            "--synthetic adds columns to the LightGBM boosters; a scorecard has none"
        )
    return scorecard_model(seed=seed, pdo=pdo, base_score=base_score, base_odds=base_odds)


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
    synthetic: int | None = SyntheticOption,
    seed: int = SeedOption,
    kind: ModelKind = KindOption,
    pdo: float = PdoOption,
    base_score: float = BaseScoreOption,
    base_odds: float = BaseOddsOption,
) -> None:
    """Cross-validate a model: AUC, Brier score, ECE and KS per fold, mean and std."""
    from tradecredit.scoring.commands import evaluate_table

    with _reported_errors():
        model = _model(
            kind,
            trees=trees,
            synthetic=synthetic,
            seed=seed,
            pdo=pdo,
            base_score=base_score,
            base_odds=base_odds,
        )
        evaluate_table(
            data,
            label=label,
            id_column=id_column,
            out=out,
            splits=folds,
            repeats=repeats,
            cv_seed=cv_seed,
            model=model,
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
    synthetic: int | None = SyntheticOption,
    seed: int = SeedOption,
    overwrite: bool = typer.Option(False, "--overwrite", help="replace a model already in --out"),
    kind: ModelKind = KindOption,
    pdo: float = PdoOption,
    base_score: float = BaseScoreOption,
    base_odds: float = BaseOddsOption,
) -> None:
    """Train a calibrated PD model on every row and save it as a directory (no pickle)."""
    from tradecredit.scoring.commands import train_table

    with _reported_errors():
        model = _model(
            kind,
            trees=trees,
            synthetic=synthetic,
            seed=seed,
            pdo=pdo,
            base_score=base_score,
            base_odds=base_odds,
        )
        train_table(
            data,
            label=label,
            id_column=id_column,
            out=out,
            with_evaluation=with_evaluation,
            licence=licence,
            credit=credit,
            model=model,
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
    """Score a table: PD, grade and the features that push the PD up the most; for a scorecard
    also the score and each feature's points and bin."""
    from tradecredit.scoring.commands import score_table

    with _reported_errors():
        score_table(model_dir, data, id_column=id_column, out=out, reasons=reasons)


@model_app.command("explain")
def explain_command(
    model_dir: Path = typer.Option(..., "--model", help="a directory written by `model train`"),
) -> None:
    """Print a scorecard: base points, each feature's bins with their points, the grade bands."""
    from tradecredit.scoring.commands import explain_model

    with _reported_errors():
        explain_model(model_dir)


def _dates_given(base_as_of: datetime | None, as_of: datetime | None) -> bool:
    from tradecredit.kit.errors import InvalidInput

    if (base_as_of is None) != (as_of is None):
        raise InvalidInput("compare stored grades with both --base-as-of and --as-of")
    return base_as_of is not None


@model_app.command("psi")
def psi_command(
    expected: Path | None = typer.Option(
        None, "--expected", help="reference table (CSV, Parquet, ARFF)"
    ),
    actual: Path | None = typer.Option(None, "--actual", help="table compared with the reference"),
    model_dir: Path | None = typer.Option(
        None, "--model", help="compare this model's features and its PD (files only)"
    ),
    base_as_of: datetime | None = typer.Option(
        None, "--base-as-of", formats=["%Y-%m-%d"], help="reference scoring date (stored grades)"
    ),
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"], help="scoring date compared with the reference"
    ),
    model_version: str | None = typer.Option(
        None, "--model-version", help="stored scores of this model version (dates only)"
    ),
    org: str | None = OrgOption,
    bins: int = typer.Option(10, "--bins", min=2, help="quantile bins of the reference (files)"),
    moderate: float = typer.Option(0.1, "--moderate", help="PSI from which a shift is moderate"),
    significant: float = typer.Option(
        0.25, "--significant", help="PSI above which a shift is significant"
    ),
    out: Path | None = typer.Option(None, "--out", help="write the per-bin tables to FILE.json"),
) -> None:
    """Population stability index: two tables column by column, or stored grades on two dates."""
    from tradecredit.kit.errors import InvalidInput
    from tradecredit.scoring.psi import StabilityThresholds

    with _reported_errors():
        thresholds = StabilityThresholds(moderate=moderate, significant=significant)
        files = expected is not None or actual is not None
        dates = _dates_given(base_as_of, as_of)
        if files == dates:
            raise InvalidInput(
                "give either --expected and --actual (two tables) or --base-as-of and --as-of "
                "(stored grades), not both and not neither"
            )
        if dates and model_dir is not None:
            raise InvalidInput("--model compares two tables; stored grades take --model-version")
        if files:
            if expected is None or actual is None:
                raise InvalidInput("compare two tables with both --expected and --actual")
            _psi_of_files(expected, actual, model_dir, bins, thresholds, out)
    if base_as_of is not None and as_of is not None:
        _psi_of_grades(base_as_of, as_of, model_version, org, thresholds, out)


def _psi_of_files(
    expected: Path,
    actual: Path,
    model_dir: Path | None,
    bins: int,
    thresholds: Any,
    out: Path | None,
) -> None:
    from tradecredit.scoring import psi_commands

    results = psi_commands.file_stability(
        expected, actual, model_dir=model_dir, bins=bins, thresholds=thresholds
    )
    psi_commands.print_columns(results, f"PSI of {actual.name} against {expected.name}")
    if out is not None:
        psi_commands.write_document(psi_commands.stability_document(results), out)


def _psi_of_grades(
    base_as_of: datetime,
    as_of: datetime,
    model_version: str | None,
    org: str | None,
    thresholds: Any,
    out: Path | None,
) -> None:
    from tradecredit.scoring import psi_commands

    with cli_session(org) as (session, actor):
        version, stability = psi_commands.grade_stability(
            session,
            actor=actor,
            base_as_of=base_as_of.date(),
            as_of=as_of.date(),
            model_version=model_version,
            thresholds=thresholds,
        )
    psi_commands.print_grades(
        stability, f"Grades of {version}: {as_of.date()} against {base_as_of.date()}"
    )
    if out is not None:
        with _reported_errors():
            document = psi_commands.grade_document(
                version, base_as_of.date(), as_of.date(), stability
            )
            psi_commands.write_document(document, out)
