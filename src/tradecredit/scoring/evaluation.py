"""The evaluation protocol: repeated stratified k-fold over the whole fitting procedure (nested).

Every choice the model makes (each member's number of trees, the calibration map) is made inside
the training part of each outer fold; the test fold is only scored. Metrics per outer fold: AUC, Brier score, expected calibration
error (10 equal-frequency bins) and KS; the summary is their mean and sample standard deviation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import RepeatedStratifiedKFold

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.datasets import LabelledTable, fingerprint
from tradecredit.scoring.defaults import DEFAULT_CV_SEED, DEFAULT_REPEATS, DEFAULT_SPLITS
from tradecredit.scoring.metrics import ECE_BINS, METRIC_NAMES, all_metrics
from tradecredit.scoring.model import ScoringModel, json_parameters


class PDModel(Protocol):
    """What the protocol needs of a model: scikit-learn's fit/get_params, plus predict_pd."""

    def fit(self, X: Any, y: np.ndarray) -> Any: ...  # noqa: N803

    def predict_pd(self, X: Any) -> np.ndarray: ...  # noqa: N803

    def get_params(self, deep: bool = True) -> dict[str, Any]: ...


@dataclass(frozen=True)
class FoldResult:
    repeat: int
    fold: int
    test_rows: int
    test_defaults: int
    auc: float
    brier: float
    ece: float
    ks: float
    seconds: float


@dataclass
class Evaluation:
    """Per-fold results plus each repeat's out-of-fold PDs (every row scored once per repeat)."""

    source: str
    data: dict[str, Any]
    parameters: dict[str, Any]
    protocol: dict[str, Any]
    model_kind: str = "lgbm"
    folds: list[FoldResult] = field(default_factory=list)
    target: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int8))
    out_of_fold: np.ndarray = field(default_factory=lambda: np.empty((0, 0)))
    fold_rows: list[np.ndarray] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, dict[str, float]]:
        """Mean, sample standard deviation (ddof=1), min and max of each metric over the folds."""
        result: dict[str, dict[str, float]] = {}
        for name in METRIC_NAMES:
            values = np.array([getattr(fold, name) for fold in self.folds])
            result[name] = {
                "mean": float(values.mean()),
                "std": float(values.std(ddof=1)) if values.size > 1 else 0.0,
                "min": float(values.min()),
                "max": float(values.max()),
            }
        return result

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "data": self.data,
            "protocol": self.protocol,
            "model_kind": self.model_kind,
            "model_parameters": self.parameters,
            "summary": self.summary(),
            "folds": [asdict(fold) for fold in self.folds],
            "seconds": self.seconds,
        }


def protocol_description(splits: int, repeats: int, seed: int) -> dict[str, Any]:
    return {
        "cross_validation": "sklearn RepeatedStratifiedKFold",
        "n_splits": splits,
        "n_repeats": repeats,
        "random_state": seed,
        "metrics_per_outer_fold": list(METRIC_NAMES),
        "ece_binning": (
            f"{ECE_BINS} equal-frequency bins of the predicted PD within each test fold; "
            "ECE = row-weighted mean |observed default rate - mean PD|"
        ),
        "spread": "sample standard deviation (ddof=1) over all outer folds",
        "tuning": (
            "one declared procedure for every data set: each member's number of trees (among "
            "its tree-grid candidates, by the inner cross-fit's out-of-fold AUC) and the "
            "calibration map are chosen inside each outer training part; nothing on a test fold"
        ),
    }


def _check_enough_rows(table: LabelledTable, splits: int) -> None:
    positives = table.positives
    negatives = table.rows - positives
    if min(positives, negatives) < splits:
        raise InvalidInput(
            f"{table.source}: {positives} defaults and {negatives} non-defaults; "
            f"{splits}-fold stratified cross-validation needs at least {splits} of each"
        )


def evaluate(
    table: LabelledTable,
    *,
    model: PDModel | None = None,
    splits: int = DEFAULT_SPLITS,
    repeats: int = DEFAULT_REPEATS,
    seed: int = DEFAULT_CV_SEED,
    on_fold: Callable[[FoldResult], None] | None = None,
) -> Evaluation:
    """Fit a fresh copy of `model` on each outer training part and score the held-out fold."""
    template: PDModel = model if model is not None else ScoringModel()
    _check_enough_rows(table, splits)
    evaluation = Evaluation(
        source=table.source,
        data=fingerprint(table),
        parameters=json_parameters(template),
        protocol=protocol_description(splits, repeats, seed),
        model_kind=str(getattr(template, "kind", "lgbm")),
        target=table.target,
        out_of_fold=np.full((repeats, table.rows), np.nan),
    )
    features, target = table.features, table.target
    cv = RepeatedStratifiedKFold(n_splits=splits, n_repeats=repeats, random_state=seed)
    started = time.perf_counter()
    for index, (train_rows, test_rows) in enumerate(cv.split(np.zeros(table.rows), target)):
        fold_started = time.perf_counter()
        fitted = clone(template).fit(features[train_rows], target[train_rows])
        pd_ = fitted.predict_pd(features[test_rows])
        repeat, fold = divmod(index, splits)
        evaluation.out_of_fold[repeat, test_rows] = pd_
        evaluation.fold_rows.append(test_rows)
        result = FoldResult(
            repeat=repeat + 1,
            fold=fold + 1,
            test_rows=int(test_rows.size),
            test_defaults=int(target[test_rows].sum()),
            **all_metrics(target[test_rows], pd_),
            seconds=time.perf_counter() - fold_started,
        )
        evaluation.folds.append(result)
        if on_fold is not None:
            on_fold(result)
    evaluation.seconds = time.perf_counter() - started
    return evaluation
