"""A transparent points scorecard: every point of every score can be read off one table.

Who it is for: a credit manager who has to tell a buyer, an auditor or a regulator why a limit was
refused, point by point, or who is not allowed to use a model he cannot write down. The LightGBM
model ranks better; this one can be printed on a page.

Fitting (`ScorecardModel.fit`), with optbinning doing the binning and the scaling:

1. Each numeric feature is cut into bins by `OptimalBinning` (through a `BinningProcess`) with
   `monotonic_trend="auto_asc_desc"`: the default rate rises, or falls, across the bins, whichever
   separates better (the information value). Missing values get a bin of their own with their own
   weight of evidence (WoE); heavy tails do not matter, only the order of the values does.
2. A logistic regression of the default flag on the bins' WoE. optbinning's WoE is high where
   defaults are rare, so every coefficient should be negative; a feature whose coefficient comes
   out positive (collinear with others, it would give more points to the riskier bins) is dropped
   and the regression refitted until every sign agrees (`SignConsistentLogisticRegression`).
   Dropped features get no points and leave the card.
3. optbinning's `Scorecard` scales the log-odds to points (`pdo_odds`: PDO, base score, base odds),
   intercept-based (each feature's worst bin gets 0 points, the rest goes to the base points) and
   rounded to whole points.
4. The PD: the score's log-odds through a calibration map (Platt by default) fitted out of fold,
   as `ScoringModel` does: the training rows are split into `cross_fit_folds` stratified folds, a
   scorecard fitted on the other folds scores each one, the map is fitted on those scores; then the
   scorecard is refitted on every row.

Prediction never calls optbinning: it uses the tables (`scorecard_tables.py`), so a card loaded
from JSON predicts bit for bit as the fitted model.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.calibration import CALIBRATION_METHODS, Calibration, fit_calibration
from tradecredit.scoring.defaults import DEFAULT_SEED
from tradecredit.scoring.features import as_matrix, feature_matrix
from tradecredit.scoring.scorecard_tables import (
    Bin,
    FeatureBins,
    Scaling,
    ScorecardTables,
)

DEFAULT_PDO = 20.0
DEFAULT_BASE_SCORE = 600.0
DEFAULT_BASE_ODDS = 50.0


@dataclass(frozen=True)
class PointsReason:
    """A feature that cost the row points: its value, its bin and the points below the best bin."""

    feature: str
    value: float | None
    bin: str
    points: float
    points_lost: float


class SignConsistentLogisticRegression(ClassifierMixin, BaseEstimator):
    """L2 logistic regression on WoE columns that drops every column with a positive coefficient
    and refits until none is left; dropped columns get a coefficient of exactly 0."""

    def __init__(self, *, regularisation_c: float = 1.0, max_iter: int = 1000) -> None:
        self.regularisation_c = regularisation_c
        self.max_iter = max_iter

    def fit(self, X: Any, y: Any) -> SignConsistentLogisticRegression:  # noqa: N803
        matrix = np.asarray(X, dtype=np.float64)
        target = np.asarray(y)
        active = np.ones(matrix.shape[1], dtype=bool)
        coefficients = np.zeros(matrix.shape[1])
        rate = float(np.clip(target.mean(), 1e-12, 1 - 1e-12))
        intercept = float(np.log(rate / (1 - rate)))
        while active.any():
            regression = LogisticRegression(C=self.regularisation_c, max_iter=self.max_iter)
            regression.fit(matrix[:, active], target)
            fitted = regression.coef_[0]
            wrong = fitted > 0
            if not wrong.any():
                coefficients[active] = fitted
                intercept = float(regression.intercept_[0])
                break
            active[np.flatnonzero(active)[wrong]] = False
        self.coef_ = coefficients[None, :]
        self.intercept_ = np.array([intercept])
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X: Any) -> np.ndarray:  # noqa: N803
        result: np.ndarray = np.asarray(X, dtype=np.float64) @ self.coef_[0] + self.intercept_[0]
        return result

    def predict_proba(self, X: Any) -> np.ndarray:  # noqa: N803
        pd_ = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - pd_, pd_])

    def predict(self, X: Any) -> np.ndarray:  # noqa: N803
        return (self.decision_function(X) >= 0).astype(np.int8)


def _check_target(target: np.ndarray, folds: int) -> np.ndarray:
    values = np.asarray(target)
    if values.ndim != 1 or not np.isin(values, [0, 1]).all():
        raise InvalidInput("the target must be a 1-D array of 0/1 default flags")
    positives = int(values.sum())
    if min(positives, values.size - positives) < folds:
        raise InvalidInput(
            f"{positives} defaults and {values.size - positives} non-defaults: each class needs at "
            f"least {folds} rows for {folds} cross-fitted scorecards"
        )
    return values.astype(np.int8)


def _bin_from_row(row: pd.Series, lower: float | None, upper: float | None) -> Bin:
    return Bin(
        lower=lower,
        upper=upper,
        count=int(row["Count"]),
        defaults=int(row["Event"]),
        woe=float(row["WoE"]),
        points=float(row["Points"]),
    )


def _feature_bins(name: str, splits: np.ndarray, rows: pd.DataFrame) -> FeatureBins:
    """One feature of optbinning's detailed scorecard table: value bins, then Special, Missing."""
    edges = [-np.inf, *(float(s) for s in splits), np.inf]
    values = len(edges) - 1
    if len(rows) != values + 2:
        raise InvalidInput(f"feature {name!r}: unexpected scorecard table of {len(rows)} rows")
    bins = tuple(
        _bin_from_row(rows.iloc[i], float(edges[i]), float(edges[i + 1])) for i in range(values)
    )
    return FeatureBins(
        name=name,
        coefficient=float(rows.iloc[0]["Coefficient"]),
        splits=tuple(float(s) for s in splits),
        bins=bins,
        special=_bin_from_row(rows.iloc[values], None, None),
        missing=_bin_from_row(rows.iloc[values + 1], None, None),
    )


class ScorecardModel(ClassifierMixin, BaseEstimator):
    """A calibrated points scorecard for any table of numeric features (scikit-learn contract)."""

    kind = "scorecard"

    def __init__(
        self,
        *,
        pdo: float = DEFAULT_PDO,
        base_score: float = DEFAULT_BASE_SCORE,
        base_odds: float = DEFAULT_BASE_ODDS,
        max_n_bins: int = 10,
        min_bin_size: float = 0.05,
        regularisation_c: float = 1.0,
        cross_fit_folds: int = 5,
        calibration: str = "platt",
        rounding: bool = True,
        random_state: int = DEFAULT_SEED,
    ) -> None:
        self.pdo = pdo
        self.base_score = base_score
        self.base_odds = base_odds
        self.max_n_bins = max_n_bins
        self.min_bin_size = min_bin_size
        self.regularisation_c = regularisation_c
        self.cross_fit_folds = cross_fit_folds
        self.calibration = calibration
        self.rounding = rounding
        self.random_state = random_state

    def _scaling(self) -> Scaling:
        return Scaling(pdo=self.pdo, base_score=self.base_score, base_odds=self.base_odds)

    def optbinning_scorecard(self, names: list[str]) -> Any:
        """The unfitted optbinning `Scorecard` this model fits (monotone bins, WoE, scaling)."""
        from optbinning import BinningProcess, Scorecard

        process = BinningProcess(
            variable_names=names,
            max_n_bins=self.max_n_bins,
            min_prebin_size=self.min_bin_size,
            min_bin_size=self.min_bin_size,
            binning_fit_params={name: {"monotonic_trend": "auto_asc_desc"} for name in names},
        )
        scaling = self._scaling()
        return Scorecard(
            binning_process=process,
            estimator=SignConsistentLogisticRegression(regularisation_c=self.regularisation_c),
            scaling_method="pdo_odds",
            scaling_method_params={
                "pdo": scaling.pdo,
                "odds": scaling.base_odds,
                "scorecard_points": scaling.base_score,
            },
            intercept_based=True,
            rounding=self.rounding,
        )

    def _fit_tables(
        self, names: list[str], matrix: np.ndarray, target: np.ndarray
    ) -> tuple[ScorecardTables, Any]:
        card = self.optbinning_scorecard(names)
        frame = pd.DataFrame(matrix, columns=names)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning, module="optbinning")
            card.fit(frame, target, metric_special="empirical", metric_missing="empirical")
        table = card.table(style="detailed")
        coefficients = card.estimator_.coef_[0]
        selected = list(card.binning_process_.get_support(names=True))
        features = []
        for name, coefficient in zip(selected, coefficients, strict=True):
            if coefficient == 0:
                continue
            splits = card.binning_process_.get_binned_variable(name).splits
            features.append(_feature_bins(name, splits, table[table["Variable"] == name]))
        tables = ScorecardTables(
            features=tuple(features),
            base_points=float(card.intercept_),
            intercept=float(card.estimator_.intercept_[0]),
            scaling=self._scaling(),
        )
        return tables, card

    def _check_settings(self) -> None:
        if self.calibration not in CALIBRATION_METHODS:
            raise InvalidInput(
                f"unknown calibration {self.calibration!r}; choose one of {CALIBRATION_METHODS}"
            )
        if self.max_n_bins < 2 or not 0 < self.min_bin_size < 0.5:
            raise InvalidInput(
                f"max_n_bins must be at least 2 and min_bin_size in (0, 0.5); got "
                f"{self.max_n_bins} and {self.min_bin_size}"
            )
        self._scaling()

    def fit(self, X: pl.DataFrame | np.ndarray, y: np.ndarray) -> ScorecardModel:  # noqa: N803
        self._check_settings()
        names, matrix = as_matrix(X)
        target = _check_target(y, self.cross_fit_folds)
        if matrix.shape[0] != target.size:
            raise InvalidInput(f"{matrix.shape[0]} feature rows but {target.size} target values")
        folds = StratifiedKFold(self.cross_fit_folds, shuffle=True, random_state=self.random_state)
        out_of_fold = np.zeros(target.size, dtype=np.float64)
        for train_rows, held_out in folds.split(matrix, target):
            tables, _ = self._fit_tables(names, matrix[train_rows], target[train_rows])
            columns = [names.index(name) for name in tables.names]
            held = matrix[held_out][:, columns]
            out_of_fold[held_out] = tables.log_odds(tables.score(held))
        self.calibration_: Calibration = fit_calibration(out_of_fold, target, self.calibration)
        self.tables_, self.optbinning_ = self._fit_tables(names, matrix, target)
        self.training_features_ = names
        self.feature_names_ = self.tables_.names
        self.n_features_in_ = len(names)
        self.classes_ = np.array([0, 1])
        return self

    def _matrix(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        """The card's feature columns, in card order, missing values as NaN."""
        if isinstance(X, pl.DataFrame):
            return feature_matrix(X, self.feature_names_)
        matrix = np.asarray(X, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != self.n_features_in_:
            raise InvalidInput(
                f"expected {self.n_features_in_} feature columns, got an array of shape {matrix.shape}"
            )
        columns = [self.training_features_.index(name) for name in self.feature_names_]
        return matrix[:, columns]

    def points(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        """The points of each row on each card feature (rows x `feature_names_`)."""
        return self.tables_.points(self._matrix(X))

    def total_points(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        """The score of each row: base points plus its points on every feature (higher is safer)."""
        return self.tables_.score(self._matrix(X))

    def raw_score(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        """The log-odds of default the points stand for, before calibration."""
        return self.tables_.log_odds(self.total_points(X))

    def predict_pd(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        return self.calibration_.apply(self.raw_score(X))

    def predict_proba(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        pd_ = self.predict_pd(X)
        return np.column_stack([1.0 - pd_, pd_])

    def predict(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        """1 where the PD is at least one half: a convenience, not a credit policy."""
        return (self.predict_pd(X) >= 0.5).astype(np.int8)

    def bin_labels(self, X: pl.DataFrame | np.ndarray) -> list[list[str]]:  # noqa: N803
        """The range of each row's bin on each card feature, as "[low, high)" or "missing"."""
        indices = self.tables_.bin_indices(self._matrix(X))
        features = self.tables_.features
        return [[f.label(int(i)) for f, i in zip(features, row, strict=True)] for row in indices]

    def reason_codes(
        self,
        X: pl.DataFrame | np.ndarray,  # noqa: N803
        top_k: int = 3,
    ) -> list[list[PointsReason]]:
        """Per row, up to top_k features losing the most points against their best bin."""
        matrix = self._matrix(X)
        points = self.tables_.points(matrix)
        lost = self.tables_.points_lost(matrix)
        indices = self.tables_.bin_indices(matrix)
        features = self.tables_.features
        reasons: list[list[PointsReason]] = []
        for row in range(matrix.shape[0]):
            order = np.argsort(-lost[row], kind="stable")[:top_k]
            reasons.append(
                [
                    PointsReason(
                        feature=features[j].name,
                        value=None if np.isnan(matrix[row, j]) else float(matrix[row, j]),
                        bin=features[j].label(int(indices[row, j])),
                        points=float(points[row, j]),
                        points_lost=float(lost[row, j]),
                    )
                    for j in order
                    if lost[row, j] > 0
                ]
            )
        return reasons
