"""The scoring estimator: a bag of LightGBM boosters with a probability calibration fitted out of fold.

The bag has one or more members (`boosters`, see boosters.py); each is a LightGBM configuration.
`fit` first splits the training rows into `cross_fit_folds` stratified folds: for each fold k and
each member, a booster is fitted on every fold but k and scores fold k, so each training row gets one
out-of-fold log-odds score per member from boosters that never saw it. The calibration map is fitted
on the members' mean out-of-fold score only. Then each member is refitted on all the rows,
`refit_seeds` times with different seeds when it samples rows or features (once when the seed
changes nothing); a prediction applies the map to the mean log-odds over members (each member being
the mean of its boosters). This is the "calibrate on cross-validated predictions, then refit on
everything" scheme. With `refit_seeds=0` the cross-fitted boosters themselves form the bag.

Trees handle missing values and heavy tails natively; no resampling is done for class imbalance
(it does not help the ranking and would break the calibration). Features named as ratios of the
ratio library get LightGBM monotone constraints in their economic direction; other columns are free.

One thread per booster by default: LightGBM's OpenMP threads spin while they wait, so on a shared
machine two threads can run several times slower than one. Run folds or models in separate processes
to use more cores.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedKFold

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.boosters import DEFAULT_BOOSTERS, BoosterSpec
from tradecredit.scoring.calibration import CALIBRATION_METHODS, Calibration, fit_calibration
from tradecredit.scoring.defaults import DEFAULT_SEED
from tradecredit.scoring.features import as_matrix, feature_matrix, monotone_constraints


@dataclass(frozen=True)
class ReasonCode:
    """A feature that pushes the PD up: its value and its contribution in log-odds."""

    feature: str
    value: float | None
    contribution: float


def _check_target(target: np.ndarray, folds: int) -> np.ndarray:
    values = np.asarray(target)
    if values.ndim != 1 or not np.isin(values, [0, 1]).all():
        raise InvalidInput("the target must be a 1-D array of 0/1 default flags")
    positives = int(values.sum())
    smallest = min(positives, values.size - positives)
    if smallest < folds:
        raise InvalidInput(
            f"{positives} defaults and {values.size - positives} non-defaults: each class needs at "
            f"least {folds} rows for {folds} cross-fitted boosters"
        )
    return values.astype(np.int8)


@dataclass(frozen=True)
class _Member:
    name: str
    seed: int
    booster: lgb.Booster


def _names(bag: list[_Member]) -> list[str]:
    return list(dict.fromkeys(item.name for item in bag))


def json_parameters(estimator: BaseEstimator) -> dict[str, Any]:
    """get_params() with the bag's members as dictionaries, ready for JSON."""
    params: dict[str, Any] = estimator.get_params()
    boosters = params.get("boosters")
    if isinstance(boosters, tuple | list):
        params["boosters"] = [spec.to_dict() for spec in boosters]
    return params


def _reload(booster: lgb.Booster) -> lgb.Booster:
    """The booster as it will be after saving: predictions come from the text model, always."""
    return lgb.Booster(model_str=booster.model_to_string())


class ScoringModel(ClassifierMixin, BaseEstimator):
    """A calibrated PD model for any table of numeric features (scikit-learn estimator contract)."""

    def __init__(
        self,
        *,
        boosters: tuple[BoosterSpec, ...] = DEFAULT_BOOSTERS,
        cross_fit_folds: int = 5,
        refit_seeds: int = 3,
        calibration: str = "platt",
        monotone: bool = True,
        random_state: int = DEFAULT_SEED,
        n_jobs: int = 1,
    ) -> None:
        self.boosters = boosters
        self.cross_fit_folds = cross_fit_folds
        self.refit_seeds = refit_seeds
        self.calibration = calibration
        self.monotone = monotone
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _train_booster(
        self,
        spec: BoosterSpec,
        matrix: np.ndarray,
        target: np.ndarray,
        *,
        seed: int,
        constraints: list[int],
    ) -> lgb.Booster:
        data = lgb.Dataset(matrix, label=target, params={"max_bin": spec.max_bin, "verbosity": -1})
        params = spec.lightgbm_params(seed=seed, constraints=constraints, threads=self.n_jobs)
        return _reload(lgb.train(params, data, num_boost_round=spec.n_estimators))

    def _check_settings(self) -> None:
        if self.calibration not in CALIBRATION_METHODS:
            raise InvalidInput(
                f"unknown calibration {self.calibration!r}; choose one of {CALIBRATION_METHODS}"
            )
        names = [spec.name for spec in self.boosters]
        if not names or len(set(names)) != len(names):
            raise InvalidInput(f"the bag needs at least one member, with distinct names: {names}")

    def _cross_fit(
        self, matrix: np.ndarray, target: np.ndarray, constraints: list[int]
    ) -> tuple[list[_Member], np.ndarray]:
        """The cross-fitted boosters and each row's mean score from members that did not see it."""
        folds = StratifiedKFold(self.cross_fit_folds, shuffle=True, random_state=self.random_state)
        fitted: list[_Member] = []
        out_of_fold = np.zeros((len(self.boosters), target.size), dtype=np.float64)
        for index, (train_rows, held_out) in enumerate(folds.split(matrix, target)):
            seed = self.random_state + index
            for member, spec in enumerate(self.boosters):
                booster = self._train_booster(
                    spec, matrix[train_rows], target[train_rows], seed=seed, constraints=constraints
                )
                out_of_fold[member, held_out] = booster.predict(matrix[held_out], raw_score=True)
                fitted.append(_Member(spec.name, seed, booster))
        return fitted, out_of_fold.mean(axis=0)

    def _refit(
        self, matrix: np.ndarray, target: np.ndarray, constraints: list[int]
    ) -> list[_Member]:
        first_seed = self.random_state + self.cross_fit_folds
        fitted: list[_Member] = []
        for spec in self.boosters:
            copies = self.refit_seeds if spec.randomised else 1
            for seed in range(first_seed, first_seed + copies):
                booster = self._train_booster(
                    spec, matrix, target, seed=seed, constraints=constraints
                )
                fitted.append(_Member(spec.name, seed, booster))
        return fitted

    def fit(self, X: pl.DataFrame | np.ndarray, y: np.ndarray) -> ScoringModel:  # noqa: N803
        self._check_settings()
        names, matrix = as_matrix(X)
        target = _check_target(y, self.cross_fit_folds)
        if matrix.shape[0] != target.size:
            raise InvalidInput(f"{matrix.shape[0]} feature rows but {target.size} target values")
        constraints = monotone_constraints(names) if self.monotone else [0] * len(names)
        cross_fitted, out_of_fold = self._cross_fit(matrix, target, constraints)
        self.calibration_: Calibration = fit_calibration(out_of_fold, target, self.calibration)
        bag = self._refit(matrix, target, constraints) if self.refit_seeds > 0 else cross_fitted
        self._set_bag(bag)
        self.feature_names_ = names
        self.monotone_constraints_ = constraints
        self.n_features_in_ = len(names)
        self.classes_ = np.array([0, 1])
        return self

    def _set_bag(self, bag: list[_Member]) -> None:
        """Boosters with weights: each member counts equally, split evenly among its boosters."""
        per_member = {name: sum(1 for item in bag if item.name == name) for name in _names(bag)}
        self.boosters_ = [item.booster for item in bag]
        self.booster_members_ = [item.name for item in bag]
        self.booster_seeds_ = [item.seed for item in bag]
        self.booster_weights_ = [1.0 / (len(per_member) * per_member[item.name]) for item in bag]

    def _matrix(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        if isinstance(X, pl.DataFrame):
            return feature_matrix(X, self.feature_names_)
        matrix = np.asarray(X, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != self.n_features_in_:
            raise InvalidInput(
                f"expected {self.n_features_in_} feature columns, got an array of shape {matrix.shape}"
            )
        return matrix

    def raw_score(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        """The bag's log-odds score before calibration: mean over members of their boosters' mean."""
        matrix = self._matrix(X)
        scores = [booster.predict(matrix, raw_score=True) for booster in self.boosters_]
        return np.average(np.vstack(scores), axis=0, weights=self.booster_weights_)

    def predict_pd(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        """The calibrated probability of default of each row."""
        return self.calibration_.apply(self.raw_score(X))

    def predict_proba(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        pd_ = self.predict_pd(X)
        return np.column_stack([1.0 - pd_, pd_])

    def predict(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        """1 where the PD is at least one half: a convenience, not a credit policy."""
        return (self.predict_pd(X) >= 0.5).astype(np.int8)

    def contributions(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        """Per-feature log-odds contributions (TreeSHAP), weighted as the score; last column = bias."""
        matrix = self._matrix(X)
        parts = [booster.predict(matrix, pred_contrib=True) for booster in self.boosters_]
        return np.average(np.stack(parts), axis=0, weights=self.booster_weights_)

    def reason_codes(
        self,
        X: pl.DataFrame | np.ndarray,  # noqa: N803
        top_k: int = 3,
    ) -> list[list[ReasonCode]]:
        """For each row, up to top_k features that raise its PD the most, strongest first."""
        matrix = self._matrix(X)
        contributions = self.contributions(matrix)[:, :-1]
        reasons: list[list[ReasonCode]] = []
        for row, values in zip(contributions, matrix, strict=True):
            order = np.argsort(-row, kind="stable")[:top_k]
            reasons.append(
                [
                    ReasonCode(
                        feature=self.feature_names_[index],
                        value=None if np.isnan(values[index]) else float(values[index]),
                        contribution=float(row[index]),
                    )
                    for index in order
                    if row[index] > 0
                ]
            )
        return reasons
