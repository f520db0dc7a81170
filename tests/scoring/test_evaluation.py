from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import numpy as np
import polars as pl
import pytest

from scoring.helpers import fast_model, synthetic_ratios
from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.datasets import LabelledTable, labelled_table
from tradecredit.scoring.evaluation import evaluate
from tradecredit.scoring.model import ScoringModel
from tradecredit.scoring.report import write_evaluation


def small_table(rows: int = 1500) -> LabelledTable:
    data = synthetic_ratios(rows, seed=31)
    frame = data.features.with_columns(
        row_id=pl.Series(np.arange(rows, dtype=np.float64)), default=data.target
    )
    return labelled_table(frame, label="default", source="syn.csv")


class RecordingModel(ScoringModel):
    """Remembers the row ids of every fit, to check no test row is ever trained on."""

    fitted_ids: ClassVar[list[set[float]]] = []

    def fit(self, X: pl.DataFrame | np.ndarray, y: np.ndarray) -> ScoringModel:  # noqa: N803
        assert isinstance(X, pl.DataFrame)
        RecordingModel.fitted_ids.append(set(X["row_id"].to_list()))
        return super().fit(X, y)


def test_every_row_is_scored_once_per_repeat_by_a_model_that_never_saw_it() -> None:
    table = small_table()
    RecordingModel.fitted_ids = []
    template = RecordingModel(**fast_model().get_params())
    evaluation = evaluate(table, model=template, splits=3, repeats=2, seed=5)
    assert len(evaluation.folds) == 6
    assert not np.isnan(evaluation.out_of_fold).any()
    assert [(fold.repeat, fold.fold) for fold in evaluation.folds] == [
        (r, f) for r in (1, 2) for f in (1, 2, 3)
    ]
    for fitted_ids, test_rows in zip(RecordingModel.fitted_ids, evaluation.fold_rows, strict=True):
        test_ids = set(table.features["row_id"].to_numpy()[test_rows].tolist())
        assert fitted_ids.isdisjoint(test_ids)
        assert len(fitted_ids) + len(test_ids) == table.rows
    for repeat in range(2):
        scored = np.concatenate(
            [
                rows
                for fold, rows in zip(evaluation.folds, evaluation.fold_rows, strict=True)
                if fold.repeat == repeat + 1
            ]
        )
        assert sorted(scored.tolist()) == list(range(table.rows))


def test_the_summary_is_mean_and_sample_std_over_folds() -> None:
    evaluation = evaluate(small_table(), model=fast_model(), splits=3, repeats=1, seed=5)
    aucs = np.array([fold.auc for fold in evaluation.folds])
    summary = evaluation.summary()
    assert summary["auc"]["mean"] == pytest.approx(aucs.mean())
    assert summary["auc"]["std"] == pytest.approx(aucs.std(ddof=1))
    assert summary["auc"]["mean"] > 0.75
    assert summary["ece"]["mean"] < 0.05
    assert evaluation.protocol["n_splits"] == 3
    assert "equal-frequency" in evaluation.protocol["ece_binning"]


def test_the_same_seeds_give_the_same_evaluation() -> None:
    table = small_table(900)
    first = evaluate(table, model=fast_model(), splits=3, repeats=1, seed=9)
    second = evaluate(table, model=fast_model(), splits=3, repeats=1, seed=9)
    assert [f.auc for f in first.folds] == [f.auc for f in second.folds]
    assert np.array_equal(first.out_of_fold, second.out_of_fold)


def test_the_report_files(tmp_path: Path) -> None:
    evaluation = evaluate(small_table(900), model=fast_model(), splits=3, repeats=1, seed=5)
    paths = write_evaluation(evaluation, tmp_path / "report")
    assert sorted(path.name for path in paths) == [
        "calibration.png",
        "evaluation.json",
        "evaluation.md",
        "roc.png",
    ]
    document = json.loads((tmp_path / "report" / "evaluation.json").read_text())
    assert len(document["folds"]) == 3
    assert document["summary"]["auc"]["mean"] == evaluation.summary()["auc"]["mean"]
    assert document["data"]["rows"] == 900
    markdown = (tmp_path / "report" / "evaluation.md").read_text()
    assert "| auc |" in markdown
    assert "stratified 3-fold" in markdown
    for name in ("roc.png", "calibration.png"):
        assert (tmp_path / "report" / name).read_bytes().startswith(b"\x89PNG")


def test_too_few_defaults_for_the_folds_is_refused() -> None:
    frame = pl.DataFrame({"x": np.arange(30, dtype=float), "y": [1, 1] + [0] * 28})
    with pytest.raises(InvalidInput, match="2 defaults and 28 non-defaults; 10-fold"):
        evaluate(labelled_table(frame, label="y", source="t"), model=fast_model())
