"""The scoring estimator: a bag of LightGBM boosters with a probability calibration fitted out of fold.

`fit` first screens synthetic features on the training rows (ratios, products and differences of
the strongest free columns, see synthetic.py); the boosters read the input columns, then those.
The bag has one or more members (`boosters`, see boosters.py); each is a LightGBM configuration whose
`n_estimators` is a ceiling. `fit` then splits the training rows into `cross_fit_folds` stratified
folds: for each fold k and each member, a booster is fitted on every fold but k and scores fold k at
each candidate number of trees (`tree_grid` counts up to the ceiling), so each training row gets
out-of-fold log-odds scores from boosters that never saw it. Each member's number of trees is the
candidate with the highest pooled out-of-fold AUC (the fewest trees on a tie; the ceiling when
either class has fewer than `min_defaults_for_choice` training rows): an inner
cross-validation on the training rows only, so an outer evaluation measures the whole procedure.
The calibration map is fitted on the members' mean out-of-fold score at their chosen sizes. Then
each member is refitted on all the rows with its chosen number of trees, `refit_seeds` times with
different seeds when the seed matters (once when it changes nothing); a prediction applies the map
to the mean log-odds over members (each member being the mean of its boosters). This is the
"calibrate on cross-validated predictions, then refit on everything" scheme. With `refit_seeds=0`
the cross-fitted boosters, cut to the chosen sizes, form the bag.

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
from tradecredit.scoring.boosters import (
    DEFAULT_BOOSTERS,
    DEFAULT_TREE_GRID,
    BoosterSpec,
    tree_counts,
)
from tradecredit.scoring.calibration import CALIBRATION_METHODS, Calibration, fit_calibration
from tradecredit.scoring.defaults import DEFAULT_SEED, SYNTHETIC_KEEP, SYNTHETIC_TOP
from tradecredit.scoring.features import as_matrix, feature_matrix, monotone_constraints
from tradecredit.scoring.metrics import auc
from tradecredit.scoring.pairs import all_pairs, interaction_groups, strongest_pairs
from tradecredit.scoring.synthetic import SyntheticFeature, screen_synthetic, with_synthetic

MIN_DEFAULTS_FOR_CHOICE = 100
"""Below this many training rows of either class every member keeps its ceiling: with few defaults
the out-of-fold AUC is too noisy to choose a tree count on (its standard error near AUC 0.8 is
about 0.027 with 100 defaults, Hanley & McNeil 1982). A rule of thumb, not tuned on data."""


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


@dataclass(frozen=True)
class TreeChoice:
    """One member's number of trees, chosen on the inner cross-fit's out-of-fold scores."""

    member: str
    candidates: tuple[int, ...]
    out_of_fold_auc: tuple[float, ...]
    trees: int

    @property
    def auc(self) -> float:
        return self.out_of_fold_auc[self.candidates.index(self.trees)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "trees": self.trees,
            "out_of_fold_auc": self.auc,
            "candidates": list(self.candidates),
            "candidate_aucs": list(self.out_of_fold_auc),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TreeChoice:
        """The choice as `to_dict` wrote it (JSON numbers round-trip exactly)."""
        return cls(
            member=str(data["member"]),
            candidates=tuple(int(count) for count in data["candidates"]),
            out_of_fold_auc=tuple(float(value) for value in data["candidate_aucs"]),
            trees=int(data["trees"]),
        )


def choose_trees(
    member: str, candidates: list[int], scores: np.ndarray, target: np.ndarray
) -> TreeChoice:
    """The candidate count whose out-of-fold scores rank best; the smallest one on a tie."""
    aucs = tuple(auc(target, row) for row in scores)
    best = int(np.argmax(aucs))
    return TreeChoice(member, tuple(candidates), aucs, candidates[best])


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
        tree_grid: int = DEFAULT_TREE_GRID,
        min_defaults_for_choice: int = MIN_DEFAULTS_FOR_CHOICE,
        calibration: str = "platt",
        monotone: bool = True,
        synthetic_top: int = SYNTHETIC_TOP,
        synthetic_keep: int = SYNTHETIC_KEEP,
        random_state: int = DEFAULT_SEED,
        n_jobs: int = 1,
    ) -> None:
        self.boosters = boosters
        self.cross_fit_folds = cross_fit_folds
        self.refit_seeds = refit_seeds
        self.tree_grid = tree_grid
        self.min_defaults_for_choice = min_defaults_for_choice
        self.calibration = calibration
        self.monotone = monotone
        self.synthetic_top = synthetic_top
        self.synthetic_keep = synthetic_keep
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
        trees: int,
        groups: list[list[int]] | None = None,
    ) -> lgb.Booster:
        data = lgb.Dataset(matrix, label=target, params={"max_bin": spec.max_bin, "verbosity": -1})
        if groups is None:
            groups = self.interaction_groups_.get(spec.name)
        params = spec.lightgbm_params(
            seed=seed, constraints=constraints, threads=self.n_jobs, groups=groups
        )
        return _reload(lgb.train(params, data, num_boost_round=trees))

    def _screen_pairs(
        self, matrix: np.ndarray, target: np.ndarray, constraints: list[int]
    ) -> dict[str, list[list[int]]]:
        """Per pairwise member: its interaction groups, from a screening booster on these rows
        with every pair allowed (see pairs.py)."""
        features = matrix.shape[1]
        groups: dict[str, list[list[int]]] = {}
        for spec in self.boosters:
            if spec.pairs is None:
                continue
            chosen: list[list[int]] = []
            if features > 1 and spec.pairs > 0:
                screen = self._train_booster(
                    spec,
                    matrix,
                    target,
                    seed=self.random_state,
                    constraints=constraints,
                    trees=spec.n_estimators,
                    groups=all_pairs(features),
                )
                chosen = strongest_pairs(screen, spec.pairs)
            groups[spec.name] = interaction_groups(features, chosen)
        return groups

    def _check_settings(self) -> None:
        if self.calibration not in CALIBRATION_METHODS:
            raise InvalidInput(
                f"unknown calibration {self.calibration!r}; choose one of {CALIBRATION_METHODS}"
            )
        names = [spec.name for spec in self.boosters]
        if not names or len(set(names)) != len(names):
            raise InvalidInput(f"the bag needs at least one member, with distinct names: {names}")
        negative = [
            spec.name for spec in self.boosters if spec.pairs is not None and spec.pairs < 0
        ]
        if negative:
            raise InvalidInput(f"a member's number of pairs cannot be negative: {negative}")
        if self.synthetic_top < 0 or self.synthetic_keep < 0:
            raise InvalidInput(
                f"synthetic_top ({self.synthetic_top}) and synthetic_keep ({self.synthetic_keep}) "
                "cannot be negative"
            )

    def _too_few_to_choose(self, target: np.ndarray) -> bool:
        """Whether either class has fewer than `min_defaults_for_choice` rows, too few to choose on."""
        positives = int(target.sum())
        return min(positives, target.size - positives) < self.min_defaults_for_choice

    def _screen_synthetic(
        self, matrix: np.ndarray, target: np.ndarray, constraints: list[int]
    ) -> list[SyntheticFeature]:
        """The synthetic features of these rows (synthetic.py). None when either class has fewer
        than `min_defaults_for_choice` rows, where a gain ranking would pick noise, nor for a bag
        with a pairwise member, whose one- and two-feature shape must hold on the input columns."""
        if self._too_few_to_choose(target) or any(spec.pairs is not None for spec in self.boosters):
            return []
        return screen_synthetic(
            matrix,
            target,
            constraints,
            top=self.synthetic_top,
            keep=self.synthetic_keep,
            seed=self.random_state,
            threads=self.n_jobs,
        )

    def _cross_fit(
        self, matrix: np.ndarray, target: np.ndarray, constraints: list[int]
    ) -> tuple[list[_Member], list[np.ndarray]]:
        """The cross-fitted boosters and, per member, each row's out-of-fold score at each
        candidate number of trees (candidates x rows), from boosters that did not see the row."""
        folds = StratifiedKFold(self.cross_fit_folds, shuffle=True, random_state=self.random_state)
        grids = [self._candidates(spec, target) for spec in self.boosters]
        fitted: list[_Member] = []
        out_of_fold = [np.zeros((len(grid), target.size)) for grid in grids]
        for index, (train_rows, held_out) in enumerate(folds.split(matrix, target)):
            seed = self.random_state + index
            for member, spec in enumerate(self.boosters):
                booster = self._train_booster(
                    spec,
                    matrix[train_rows],
                    target[train_rows],
                    seed=seed,
                    constraints=constraints,
                    trees=spec.n_estimators,
                )
                for row, trees in enumerate(grids[member]):
                    out_of_fold[member][row, held_out] = booster.predict(
                        matrix[held_out], raw_score=True, num_iteration=trees
                    )
                fitted.append(_Member(spec.name, seed, booster))
        return fitted, out_of_fold

    def _candidates(self, spec: BoosterSpec, target: np.ndarray) -> list[int]:
        """The counts to choose from; only the ceiling when either class is too small to choose on."""
        if self._too_few_to_choose(target):
            return [spec.n_estimators]
        return tree_counts(spec.n_estimators, self.tree_grid)

    def _choose_trees(self, out_of_fold: list[np.ndarray], target: np.ndarray) -> list[TreeChoice]:
        return [
            choose_trees(spec.name, self._candidates(spec, target), scores, target)
            for spec, scores in zip(self.boosters, out_of_fold, strict=True)
        ]

    def _refit(
        self,
        matrix: np.ndarray,
        target: np.ndarray,
        constraints: list[int],
        choices: list[TreeChoice],
    ) -> list[_Member]:
        first_seed = self.random_state + self.cross_fit_folds
        fitted: list[_Member] = []
        for spec, choice in zip(self.boosters, choices, strict=True):
            copies = self.refit_seeds if spec.randomised else 1
            for seed in range(first_seed, first_seed + copies):
                booster = self._train_booster(
                    spec, matrix, target, seed=seed, constraints=constraints, trees=choice.trees
                )
                fitted.append(_Member(spec.name, seed, booster))
        return fitted

    @staticmethod
    def _cut(bag: list[_Member], choices: list[TreeChoice]) -> list[_Member]:
        """The cross-fitted boosters kept to their member's chosen number of trees."""
        trees = {choice.member: choice.trees for choice in choices}
        return [
            _Member(
                item.name,
                item.seed,
                lgb.Booster(model_str=item.booster.model_to_string(num_iteration=trees[item.name])),
            )
            for item in bag
        ]

    def fit(self, X: pl.DataFrame | np.ndarray, y: np.ndarray) -> ScoringModel:  # noqa: N803
        self._check_settings()
        names, inputs = as_matrix(X)
        target = _check_target(y, self.cross_fit_folds)
        if inputs.shape[0] != target.size:
            raise InvalidInput(f"{inputs.shape[0]} feature rows but {target.size} target values")
        input_constraints = monotone_constraints(names) if self.monotone else [0] * len(names)
        self.synthetic_features_ = self._screen_synthetic(inputs, target, input_constraints)
        matrix = with_synthetic(inputs, self.synthetic_features_)
        constraints = input_constraints + [0] * len(self.synthetic_features_)
        self.interaction_groups_: dict[str, list[list[int]]] = {}
        self.interaction_groups_ = self._screen_pairs(matrix, target, constraints)
        cross_fitted, out_of_fold = self._cross_fit(matrix, target, constraints)
        choices = self._choose_trees(out_of_fold, target)
        blended = np.mean(
            [
                scores[choice.candidates.index(choice.trees)]
                for scores, choice in zip(out_of_fold, choices, strict=True)
            ],
            axis=0,
        )
        self.calibration_: Calibration = fit_calibration(blended, target, self.calibration)
        if self.refit_seeds > 0:
            bag = self._refit(matrix, target, constraints, choices)
        else:
            bag = self._cut(cross_fitted, choices)
        self._set_bag(bag)
        self.tree_choices_ = choices
        self.out_of_fold_auc_ = auc(target, blended)
        self.feature_names_ = names
        self.monotone_constraints_ = input_constraints
        self.n_features_in_ = len(names)
        self.classes_ = np.array([0, 1])
        return self

    @property
    def column_names(self) -> list[str]:
        """The boosters' columns: the input features, then the synthetic ones by name."""
        synthetic = self.synthetic_features_
        return [*self.feature_names_, *(item.name(self.feature_names_) for item in synthetic)]

    def selection(self) -> dict[str, Any]:
        """What the inner cross-fit chose, for the model card: trees per member and their AUCs."""
        return {
            "criterion": (
                f"pooled out-of-fold AUC of a {self.cross_fit_folds}-fold stratified cross-fit "
                "on the training rows; the fewest trees on a tie; only the ceiling when either "
                f"class has fewer than {self.min_defaults_for_choice} training rows"
            ),
            "members": [choice.to_dict() for choice in self.tree_choices_],
            "blend_out_of_fold_auc": self.out_of_fold_auc_,
            "interaction_groups": getattr(self, "interaction_groups_", {}),
            "synthetic_features": [
                {**item.to_dict(), "name": item.name(self.feature_names_)}
                for item in self.synthetic_features_
            ],
        }

    def _set_bag(self, bag: list[_Member]) -> None:
        """Boosters with weights: each member counts equally, split evenly among its boosters."""
        per_member = {name: sum(1 for item in bag if item.name == name) for name in _names(bag)}
        self.boosters_ = [item.booster for item in bag]
        self.booster_members_ = [item.name for item in bag]
        self.booster_seeds_ = [item.seed for item in bag]
        self.booster_weights_ = [1.0 / (len(per_member) * per_member[item.name]) for item in bag]

    def _inputs(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        if isinstance(X, pl.DataFrame):
            return feature_matrix(X, self.feature_names_)
        matrix = np.asarray(X, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != self.n_features_in_:
            raise InvalidInput(
                f"expected {self.n_features_in_} feature columns, got an array of shape {matrix.shape}"
            )
        return matrix

    def booster_matrix(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        """The boosters' matrix: the input features, then the synthetic ones."""
        return with_synthetic(self._inputs(X), self.synthetic_features_)

    def raw_score(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        """The bag's log-odds score before calibration: mean over members of their boosters' mean."""
        matrix = self.booster_matrix(X)
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

    def column_contributions(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        """Log-odds contributions (TreeSHAP) per booster column (`column_names`), weighted as the
        score; last column = bias."""
        matrix = self.booster_matrix(X)
        parts = [booster.predict(matrix, pred_contrib=True) for booster in self.boosters_]
        return np.average(np.stack(parts), axis=0, weights=self.booster_weights_)

    def contributions(self, X: pl.DataFrame | np.ndarray) -> np.ndarray:  # noqa: N803
        """Per input feature log-odds contributions, weighted as the score; last column = bias.

        A synthetic feature's contribution is split in halves between its two input columns, so
        every reason names a column of the input table and the row still sums to the raw score.
        """
        full = self.column_contributions(X)
        inputs = self.n_features_in_
        folded = np.concatenate([full[:, :inputs], full[:, -1:]], axis=1)
        for offset, item in enumerate(self.synthetic_features_):
            half = full[:, inputs + offset] / 2.0
            folded[:, item.left] += half
            folded[:, item.right] += half
        return folded

    def reason_codes(
        self,
        X: pl.DataFrame | np.ndarray,  # noqa: N803
        top_k: int = 3,
    ) -> list[list[ReasonCode]]:
        """For each row, up to top_k features that raise its PD the most, strongest first."""
        matrix = self._inputs(X)
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
