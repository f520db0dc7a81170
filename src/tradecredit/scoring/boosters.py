"""Booster configurations: the members of the model's bag and their LightGBM parameters.

The default bag has five members, declared here for every data set. Each member's `n_estimators` is
a ceiling: `ScoringModel.fit` chooses each member's number of trees among `tree_grid` (evenly spaced
counts up to the ceiling) by the out-of-fold AUC of its inner cross-fit on the training rows only.
Nothing else is chosen on data; the members weigh equally in the blend.

- "slow": many small trees at a small learning rate, each tree on half the features and 80% of the
  rows; the usual recipe for a steady ranking on a few thousand rows.
- "stock": LightGBM's own defaults (trees of 31 leaves, learning rate 0.1, every row and feature),
  what a user would otherwise run; fewer, larger trees capture interactions the slow member smooths.
- "large" and "small": the same with 63 and 15 leaves, for deeper and shallower interactions.
- "extra": the stock member with extremely randomised split thresholds (extra_trees), a smoother,
  less correlated member.

A member with `pairs` set is a pairwise-interaction model (GA2M): LightGBM's interaction constraints
(single features plus `pairs` feature pairs screened inside `fit`, see pairs.py) hold per branch, so
every root-to-leaf path splits on one feature or on one allowed pair (a tree may hold two pairs
sharing its root feature). Such a model is a sum of 1-D
and 2-D step functions, so `pair_tables` can score it by table lookups instead of walking trees.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from tradecredit.kit.errors import InvalidInput


@dataclass(frozen=True)
class BoosterSpec:
    name: str
    learning_rate: float
    n_estimators: int
    num_leaves: int
    min_child_samples: int = 20
    feature_fraction: float = 1.0
    bagging_fraction: float = 1.0
    reg_lambda: float = 0.0
    max_bin: int = 255
    extra_trees: bool = False
    pairs: int | None = None
    """None: trees split on any features; K: on one feature or on one of K screened pairs."""

    @property
    def randomised(self) -> bool:
        """Whether the seed changes the booster (sampling or random thresholds); else one refit will do."""
        return self.feature_fraction < 1.0 or self.bagging_fraction < 1.0 or self.extra_trees

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BoosterSpec:
        try:
            return cls(**data)
        except TypeError as error:
            raise InvalidInput(f"not a booster configuration: {data!r} ({error})") from None

    def lightgbm_params(
        self,
        *,
        seed: int,
        constraints: list[int],
        threads: int,
        groups: list[list[int]] | None = None,
    ) -> dict[str, Any]:
        """Deterministic for a given seed and thread count. `groups`: LightGBM's
        interaction_constraints (each branch's features within one group), None for none."""
        params: dict[str, Any] = {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_child_samples,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1 if self.bagging_fraction < 1.0 else 0,
            "lambda_l2": self.reg_lambda,
            "max_bin": self.max_bin,
            "extra_trees": self.extra_trees,
            "seed": seed,
            "deterministic": True,
            "force_col_wise": True,
            "num_threads": threads,
            "verbosity": -1,
        }
        if any(constraints):
            params["monotone_constraints"] = constraints
            params["monotone_constraints_method"] = "intermediate"
        if groups is not None:
            params["interaction_constraints"] = groups
        return params


SLOW = BoosterSpec(
    name="slow",
    learning_rate=0.02,
    n_estimators=1000,
    num_leaves=15,
    min_child_samples=20,
    feature_fraction=0.5,
    bagging_fraction=0.8,
    reg_lambda=1.0,
    max_bin=63,
)
STOCK = BoosterSpec(name="stock", learning_rate=0.1, n_estimators=200, num_leaves=31)
LARGE = BoosterSpec(name="large", learning_rate=0.1, n_estimators=200, num_leaves=63)
SMALL = BoosterSpec(name="small", learning_rate=0.1, n_estimators=200, num_leaves=15)
EXTRA = BoosterSpec(
    name="extra", learning_rate=0.1, n_estimators=200, num_leaves=31, extra_trees=True
)
DEFAULT_BOOSTERS: tuple[BoosterSpec, ...] = (SLOW, STOCK, LARGE, SMALL, EXTRA)

PAIRWISE = BoosterSpec(
    name="pairwise", learning_rate=0.1, n_estimators=300, num_leaves=15, max_bin=63, pairs=20
)
"""The shipped default model's one member: single features plus the 20 strongest pairs (GA2M),
so it scores by table lookups (`pair_tables`); see docs/scoring.md, "The default model"."""
DEFAULT_TREE_GRID = 20


def tree_counts(ceiling: int, grid: int) -> list[int]:
    """The candidate numbers of trees: `grid` counts evenly spaced up to `ceiling` (distinct, >= 1)."""
    if grid < 1:
        raise InvalidInput(f"the tree grid needs at least one count, got {grid}")
    steps = np.linspace(ceiling / grid, ceiling, grid)
    return sorted({max(1, round(float(step))) for step in steps})


def with_trees(specs: tuple[BoosterSpec, ...], trees: int) -> tuple[BoosterSpec, ...]:
    """Every member with `trees` boosting rounds: for quick trial runs, not for production models."""
    return tuple(replace(spec, n_estimators=trees) for spec in specs)
