"""`tradecredit model train|evaluate|predict|explain --kind scorecard` on a small labelled table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from scoring.helpers import synthetic_ratios
from tradecredit.cli.main import app
from tradecredit.scoring.artifact import ARTIFACT_SUFFIXES
from tradecredit.scoring.grades import grades_for_pds
from tradecredit.scoring.scorecard_artifact import load_scorecard

runner = CliRunner()


@pytest.fixture(scope="module")
def training_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = synthetic_ratios(1500, seed=43)
    frame = data.features.with_columns(
        company=pl.Series([f"C{index:05d}" for index in range(1500)]), defaulted=data.target
    )
    path = tmp_path_factory.mktemp("scorecard") / "train.csv"
    frame.write_csv(path)
    return path


@pytest.fixture(scope="module")
def model_dir(training_csv: Path) -> Path:
    out = training_csv.parent / "card"
    invoke(
        "train",
        "--kind",
        "scorecard",
        "--data",
        str(training_csv),
        "--label",
        "defaulted",
        "--id",
        "company",
        "--out",
        str(out),
        "--pdo",
        "40",
        "--base-score",
        "500",
        "--base-odds",
        "20",
    )
    return out


def invoke(*args: str) -> str:
    result = runner.invoke(app, ["model", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_train_writes_a_scorecard_directory(model_dir: Path) -> None:
    card = json.loads((model_dir / "card.json").read_text())
    assert card["kind"] == "scorecard"
    assert card["scaling"]["pdo"] == 40
    assert card["scaling"]["base_score"] == 500
    assert card["scaling"]["base_odds"] == 20
    assert card["training_features"] == [
        "liabilities_to_assets",
        "current_ratio",
        "net_income_to_assets",
        "mystery",
    ]
    assert "liabilities_to_assets" in card["features"]
    assert card["training_data"]["label"] == "defaulted"
    assert card["training_data"]["data"]["rows"] == 1500
    assert card["calibration"]["method"] == "platt"
    assert card["library_versions"]["optbinning"] != "not installed"
    assert all(path.suffix in ARTIFACT_SUFFIXES for path in model_dir.iterdir())


def test_predict_writes_pd_grade_score_points_bins_and_reasons(
    model_dir: Path, training_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scores.parquet"
    output = invoke(
        "predict",
        "--model",
        str(model_dir),
        "--data",
        str(training_csv),
        "--id",
        "company",
        "--out",
        str(out),
        "--reasons",
        "2",
    )
    assert "scorecard model" in output
    scored = pl.read_parquet(out)
    model = load_scorecard(model_dir)
    features = model.feature_names_
    assert scored.columns == [
        "company",
        "pd",
        "grade",
        "score",
        *[column for name in features for column in (f"points_{name}", f"bin_{name}")],
        *[
            f"reason_{rank}{suffix}"
            for rank in (1, 2)
            for suffix in ("", "_value", "_bin", "_points_lost")
        ],
    ]
    frame = pl.read_csv(training_csv)
    np.testing.assert_array_equal(scored["pd"].to_numpy(), model.predict_pd(frame))
    assert scored["grade"].to_list() == grades_for_pds(scored["pd"]).to_list()
    points = scored.select(f"points_{name}" for name in features).to_numpy()
    np.testing.assert_array_equal(
        scored["score"].to_numpy(), model.tables_.base_points + points.sum(axis=1)
    )
    first = scored.row(0, named=True)
    reason = first["reason_1"]
    assert first["reason_1_bin"] == first[f"bin_{reason}"]
    best = max(b.points for b in model.tables_.features[features.index(reason)].bins if b.count)
    assert first["reason_1_points_lost"] == best - first[f"points_{reason}"]


def test_explain_prints_every_bin_with_its_points(model_dir: Path) -> None:
    output = invoke("explain", "--model", str(model_dir))
    card = json.loads((model_dir / "card.json").read_text())
    assert f"{card['base_points']:g} base points" in output
    for feature in card["bins"]:
        rows = [
            line for line in output.splitlines() if line.startswith(f"| {feature['feature']} |")
        ]
        assert len(rows) == len(feature["bins"]) + 1
        assert rows[-1].startswith(
            f"| {feature['feature']} | missing | {feature['missing']['points']:g} |"
        )
    assert "| 1 | excellent |" in output
    assert output == (model_dir / "scorecard.md").read_text() + "\n"


def test_evaluate_runs_the_protocol_on_the_scorecard(training_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    output = invoke(
        "evaluate",
        "--kind",
        "scorecard",
        "--data",
        str(training_csv),
        "--label",
        "defaulted",
        "--id",
        "company",
        "--folds",
        "3",
        "--repeats",
        "1",
        "--out",
        str(out),
    )
    assert "auc" in output
    document = json.loads((out / "evaluation.json").read_text())
    assert document["model_kind"] == "scorecard"
    assert document["model_parameters"]["pdo"] == 20.0
    assert len(document["folds"]) == 3
    assert 0.6 < document["summary"]["auc"]["mean"] <= 1.0
    assert "- model: scorecard" in (out / "evaluation.md").read_text()


def test_mistakes_are_reported_plainly(model_dir: Path, training_csv: Path, tmp_path: Path) -> None:
    trees = runner.invoke(
        app,
        [
            "model",
            "evaluate",
            "--kind",
            "scorecard",
            "--data",
            str(training_csv),
            "--label",
            "defaulted",
            "--trees",
            "5",
        ],
    )
    assert trees.exit_code == 2
    assert "a scorecard has none" in trees.output
    lacking = tmp_path / "lacking.csv"
    pl.read_csv(training_csv).drop(load_scorecard(model_dir).feature_names_[0]).write_csv(lacking)
    predict = runner.invoke(
        app,
        [
            "model",
            "predict",
            "--model",
            str(model_dir),
            "--data",
            str(lacking),
            "--out",
            str(tmp_path / "s.csv"),
        ],
    )
    assert predict.exit_code == 2
    assert "lacks 1 feature column" in predict.output
    nothing = runner.invoke(app, ["model", "explain", "--model", str(tmp_path)])
    assert nothing.exit_code == 2
    assert "no card.json" in nothing.output
