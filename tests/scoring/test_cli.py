from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from scoring.helpers import ratio_driven, synthetic_ratios
from tradecredit.cli.main import app
from tradecredit.scoring.artifact import ARTIFACT_SUFFIXES, load_model

runner = CliRunner()
FAST = ["--trees", "25"]


@pytest.fixture
def training_csv(tmp_path: Path) -> Path:
    data = synthetic_ratios(1200, seed=41)
    frame = data.features.with_columns(
        company=pl.Series([f"C{index:05d}" for index in range(1200)]), defaulted=data.target
    )
    path = tmp_path / "train.csv"
    frame.write_csv(path)
    return path


def invoke(*args: str) -> str:
    result = runner.invoke(app, ["model", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_evaluate_prints_the_metrics_and_writes_the_report(
    training_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    output = invoke(
        "evaluate",
        "--data",
        str(training_csv),
        "--label",
        "defaulted",
        "--id",
        "company",
        "--out",
        str(out),
        "--folds",
        "3",
        "--repeats",
        "1",
        *FAST,
    )
    assert "auc" in output
    assert "ece" in output
    document = json.loads((out / "evaluation.json").read_text())
    assert document["protocol"]["n_splits"] == 3
    assert document["data"]["columns"] == 4
    assert {path.name for path in out.iterdir()} == {
        "evaluation.json",
        "evaluation.md",
        "roc.png",
        "calibration.png",
    }


def test_train_then_predict(training_csv: Path, tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    invoke(
        "train",
        "--data",
        str(training_csv),
        "--label",
        "defaulted",
        "--id",
        "company",
        "--out",
        str(model_dir),
        "--licence",
        "CC0",
        "--credit",
        "synthetic",
        *FAST,
    )
    card = json.loads((model_dir / "card.json").read_text())
    assert card["features"] == [
        "liabilities_to_assets",
        "current_ratio",
        "net_income_to_assets",
        "mystery",
    ]
    assert card["training_data"]["label"] == "defaulted"
    assert card["training_data"]["id_column"] == "company"
    assert card["training_data"]["licence"] == "CC0"
    assert all(path.suffix in ARTIFACT_SUFFIXES for path in model_dir.iterdir())

    scores = tmp_path / "scores.csv"
    invoke(
        "predict",
        "--model",
        str(model_dir),
        "--data",
        str(training_csv),
        "--id",
        "company",
        "--out",
        str(scores),
        "--reasons",
        "2",
    )
    scored = pl.read_csv(scores)
    assert scored.columns == [
        "company",
        "pd",
        "grade",
        "reason_1",
        "reason_1_value",
        "reason_1_log_odds",
        "reason_2",
        "reason_2_value",
        "reason_2_log_odds",
    ]
    assert scored.height == 1200
    frame = pl.read_csv(training_csv)
    expected = load_model(model_dir).predict_pd(frame)
    np.testing.assert_allclose(scored["pd"].to_numpy(), expected, rtol=1e-12)


def test_train_with_evaluation_records_cv_metrics_in_the_card(
    training_csv: Path, tmp_path: Path
) -> None:
    small = tmp_path / "small.parquet"
    pl.read_csv(training_csv).head(400).write_parquet(small)
    model_dir = tmp_path / "model"
    invoke(
        "train",
        "--data",
        str(small),
        "--label",
        "defaulted",
        "--id",
        "company",
        "--out",
        str(model_dir),
        "--evaluate",
        "--trees",
        "5",
    )
    card = json.loads((model_dir / "card.json").read_text())
    assert card["cv_metrics"]["protocol"]["n_repeats"] == 3
    assert set(card["cv_metrics"]["summary"]) == {"auc", "brier", "ece", "ks"}
    names = {path.name for path in model_dir.iterdir()}
    assert {"evaluation.json", "evaluation.md", "roc.png", "calibration.png"} <= names
    assert all(path.suffix in ARTIFACT_SUFFIXES for path in model_dir.iterdir())


def test_errors_are_reported_plainly_with_exit_code_2(training_csv: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "model",
            "train",
            "--data",
            str(training_csv),
            "--label",
            "nope",
            "--out",
            str(tmp_path / "m"),
        ],
    )
    assert result.exit_code == 2
    assert "no label column 'nope'" in result.output

    bad = tmp_path / "bad.csv"
    bad.write_text("x,flag\n1.0,0\n2.0,maybe\n")
    result = runner.invoke(app, ["model", "evaluate", "--data", str(bad), "--label", "flag"])
    assert result.exit_code == 2
    assert "row 2, column 'flag', value 'maybe'" in result.output


def test_train_keeps_as_many_synthetic_features_as_asked_and_predict_recomputes_them(
    tmp_path: Path,
) -> None:
    frame, target = ratio_driven(2500, seed=17)
    data = tmp_path / "gaps.csv"
    frame.with_columns(defaulted=pl.Series(target)).write_csv(data)
    kept = {}
    for synthetic in ("3", "0"):
        model_dir = tmp_path / f"model_{synthetic}"
        output = invoke(
            "train",
            "--data",
            str(data),
            "--label",
            "defaulted",
            "--out",
            str(model_dir),
            "--synthetic",
            synthetic,
            *FAST,
        )
        assert f"4 features, {synthetic} synthetic" in output
        kept[synthetic] = json.loads((model_dir / "card.json").read_text())["synthetic_features"]
    assert len(kept["3"]) == 3
    assert kept["0"] == []
    scores = tmp_path / "scores.csv"
    invoke(
        "predict",
        "--model",
        str(tmp_path / "model_3"),
        "--data",
        str(data),
        "--out",
        str(scores),
        "--reasons",
        "1",
    )
    scored = pl.read_csv(scores)
    expected = load_model(tmp_path / "model_3").predict_pd(frame)
    np.testing.assert_allclose(scored["pd"].to_numpy(), expected, rtol=1e-12)
    assert set(scored["reason_1"].drop_nulls()) <= {"a", "b", "c", "d"}


def test_synthetic_features_are_refused_for_a_scorecard(training_csv: Path) -> None:
    result = runner.invoke(
        app,
        [
            "model",
            "evaluate",
            "--data",
            str(training_csv),
            "--label",
            "defaulted",
            "--kind",
            "scorecard",
            "--synthetic",
            "5",
        ],
    )
    assert result.exit_code == 2
    assert "--synthetic adds columns to the LightGBM boosters; a scorecard has none" in " ".join(
        result.output.split()
    )
