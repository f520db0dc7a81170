"""The scorecard artifact: one JSON card (plus a readable scorecard.md). No pickle anywhere.

    card.json      kind "scorecard": features, per feature its bins (edges, missing bin, special
                   bin), WoE, points and coefficient; the regression's intercept, the base points and
                   the scaling (PDO, base score, base odds); the calibration map; the grade table in
                   points; the training-data fingerprint; CV metrics; library versions
    scorecard.md   the same table for people: feature, bin, points
    evaluation.*   the evaluation report, when trained with --evaluate

`load_scorecard` rebuilds the predictor from the numbers alone (NumPy searchsorted over the edges),
so it predicts bit for bit as the model that was saved.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.artifact import (
    CARD,
    CARD_FORMAT,
    CARD_FORMAT_VERSION,
    SCORECARD_MARKDOWN,
    ArtifactCorrupted,
    TrainingRecord,
    prepare_directory,
    read_card,
)
from tradecredit.scoring.calibration import calibration_from_dict
from tradecredit.scoring.grades import GRADE_TABLE, grades_for_pds
from tradecredit.scoring.provenance import created_at, library_versions
from tradecredit.scoring.scorecard import ScorecardModel
from tradecredit.scoring.scorecard_tables import ScorecardTables, bin_label

SCORECARD_KIND = "scorecard"
MODEL_TYPE = (
    "points scorecard: optimal monotone bins (optbinning), logistic regression on WoE with "
    "consistent signs, pdo/odds scaling, calibration fitted out of fold"
)


def _versions() -> dict[str, str]:
    try:
        optbinning = version("optbinning")
    except PackageNotFoundError:
        optbinning = "not installed"
    return {**library_versions(), "optbinning": optbinning}


def grade_points(model: ScorecardModel) -> list[dict[str, Any]]:
    """Per grade 1-9: its PD band and the whole-point scores that fall in it (low, high)."""
    low, high = model.tables_.score_range()
    scores = np.arange(np.floor(low), np.ceil(high) + 1)
    pds = model.calibration_.apply(model.tables_.log_odds(scores))
    grades = grades_for_pds(pl.Series(pds)).to_numpy()
    rows = []
    for band in GRADE_TABLE.bands():
        reached = scores[grades == band.grade]
        rows.append(
            {
                "grade": band.grade,
                "label": band.label,
                "pd_above": str(band.lower_exclusive),
                "pd_up_to": str(band.upper_inclusive),
                "points_from": float(reached.min()) if reached.size else None,
                "points_to": float(reached.max()) if reached.size else None,
            }
        )
    return rows


def scorecard_card(
    model: ScorecardModel, *, training: TrainingRecord, evaluation: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "format": CARD_FORMAT,
        "format_version": CARD_FORMAT_VERSION,
        "kind": SCORECARD_KIND,
        "created_at": created_at(),
        "model_type": MODEL_TYPE,
        "features": list(model.feature_names_),
        "training_features": list(model.training_features_),
        **model.tables_.to_dict(),
        "calibration": model.calibration_.to_dict(),
        "grade_table": grade_points(model),
        "hyper_parameters": model.get_params(),
        "training_data": asdict(training),
        "cv_metrics": evaluation,
        "library_versions": _versions(),
    }


def scorecard_markdown(card: dict[str, Any]) -> str:
    """The scorecard as a page: scaling, base points, each feature's bins and points, grades."""
    scaling = card["scaling"]
    lines = [
        "# Scorecard",
        "",
        f"Score = {card['base_points']:g} base points + the points of each feature's bin. "
        f"{scaling['base_score']:g} points = good:bad odds of {scaling['base_odds']:g}:1; every "
        f"{scaling['pdo']:g} points more halve the odds of default. PD = calibration "
        f"({card['calibration']['method']}) of (offset - score) / factor, offset "
        f"{scaling['offset']:.6g}, factor {scaling['factor']:.6g}.",
        "",
        "| feature | bin | points | training rows | default rate | WoE |",
        "|---|---|---|---|---|---|",
    ]
    for feature in card["bins"]:
        entries = [*feature["bins"], feature["missing"]]
        for entry in entries:
            lower, upper = entry["lower"], entry["upper"]
            label = bin_label(
                None if lower is None else float(lower), None if upper is None else float(upper)
            )
            rate = f"{entry['defaults'] / entry['count']:.2%}" if entry["count"] else "–"
            lines.append(
                f"| {feature['feature']} | {label} | {entry['points']:g} | {entry['count']} | "
                f"{rate} | {entry['woe']:.4f} |"
            )
    lines += ["", "| grade | label | PD band | points |", "|---|---|---|---|"]
    for row in card["grade_table"]:
        points = (
            "not reached"
            if row["points_from"] is None
            else f"{row['points_from']:g} to {row['points_to']:g}"
        )
        band = f"{Decimal(row['pd_above']):%} < PD <= {Decimal(row['pd_up_to']):%}"
        lines.append(f"| {row['grade']} | {row['label']} | {band} | {points} |")
    return "\n".join(lines) + "\n"


def save_scorecard(
    model: ScorecardModel,
    directory: Path,
    *,
    training: TrainingRecord,
    evaluation: dict[str, Any] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write card.json and scorecard.md; return the card's path."""
    if not hasattr(model, "tables_"):
        raise InvalidInput("the scorecard is not fitted; call fit before saving it")
    prepare_directory(directory, overwrite)
    card = scorecard_card(model, training=training, evaluation=evaluation)
    card_path = directory / CARD
    card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    (directory / SCORECARD_MARKDOWN).write_text(scorecard_markdown(card), encoding="utf-8")
    return card_path


def scorecard_from_card(card: dict[str, Any], where: Path) -> ScorecardModel:
    params = card.get("hyper_parameters", {})
    unknown = sorted(set(params) - set(ScorecardModel().get_params()))
    if unknown:
        raise ArtifactCorrupted(f"{where}: unknown hyper-parameters {unknown}")
    try:
        tables = ScorecardTables.from_dict(card)
    except InvalidInput as error:
        raise ArtifactCorrupted(f"{where}: {error.message}") from None
    except (KeyError, TypeError, ValueError) as error:
        raise ArtifactCorrupted(
            f"{where}: the scorecard tables are incomplete: {error!r}"
        ) from None
    if tables.names != list(card["features"]):
        raise ArtifactCorrupted(f"{where}: the bins do not list the card's features in order")
    model = ScorecardModel(**params)
    model.tables_ = tables
    model.calibration_ = calibration_from_dict(card["calibration"])
    model.feature_names_ = tables.names
    model.training_features_ = list(card.get("training_features", tables.names))
    model.n_features_in_ = len(model.training_features_)
    model.classes_ = np.array([0, 1])
    return model


def load_scorecard(directory: Path) -> ScorecardModel:
    """The scorecard saved in `directory`, ready to predict."""
    card = read_card(directory)
    if card.get("kind") != SCORECARD_KIND:
        raise InvalidInput(
            f"{directory}: holds a model of kind {card.get('kind', 'lgbm')!r}, not a scorecard"
        )
    return scorecard_from_card(card, directory / CARD)
