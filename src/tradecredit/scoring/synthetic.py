"""Synthetic features: ratios, products and differences of the strongest free columns.

Trees split on one column at a time, so a relation between two columns (one ratio divided by
another, a margin times a turnover) takes many splits to approximate. Zieba, Tomczak & Tomczak (2016)
added such combinations to boosted trees ("EXGB") for the Polish bankruptcy data. This is a
deterministic version of that idea, screened on the training rows only:

1. a screening booster on the original columns ranks the free columns by total split gain;
2. for every pair of the `top` strongest, four candidates: a / b, b / a, a × b and a − b
   (a zero denominator gives a missing value, never 0; so does any result that is not finite);
3. a second screening booster on the original columns plus every candidate ranks the candidates,
   and the `keep` strongest with a positive gain are the synthetic features.

Only columns without a monotone constraint enter: a combination of a constrained ratio would be an
unconstrained path around its constraint. The definitions are plain data (column indices and an
operation), so a saved model recomputes them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

import lightgbm as lgb
import numpy as np

from tradecredit.kit.errors import InvalidInput

OPERATIONS = ("ratio", "product", "difference")
_SYMBOLS = {"ratio": "/", "product": "×", "difference": "−"}
SCREENING_PARAMETERS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.1,
    "num_leaves": 31,
    "verbosity": -1,
}
SCREENING_TREES = 150
SCREENING_ROWS = 50_000
"""Above this many training rows the screening boosters see a random sample of this size (the
candidate table holds up to 4 × top × (top − 1) / 2 columns)."""


@dataclass(frozen=True)
class SyntheticFeature:
    """left OPERATION right, over the model's input columns (by index)."""

    left: int
    right: int
    operation: str

    def name(self, columns: list[str]) -> str:
        return f"{columns[self.left]} {_SYMBOLS[self.operation]} {columns[self.right]}"

    def values(self, matrix: np.ndarray) -> np.ndarray:
        left, right = matrix[:, self.left], matrix[:, self.right]
        with np.errstate(all="ignore"):
            if self.operation == "ratio":
                result = np.where(right != 0, left / right, np.nan)
            elif self.operation == "product":
                result = left * right
            else:
                result = left - right
        return np.where(np.isfinite(result), result, np.nan)

    def to_dict(self) -> dict[str, Any]:
        return {"left": self.left, "right": self.right, "operation": self.operation}

    @classmethod
    def from_dict(cls, data: dict[str, Any], columns: int) -> SyntheticFeature:
        try:
            feature = cls(int(data["left"]), int(data["right"]), str(data["operation"]))
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidInput(
                f"a synthetic feature needs left, right and operation: {data}"
            ) from error
        if feature.operation not in OPERATIONS or not (
            0 <= feature.left < columns and 0 <= feature.right < columns
        ):
            raise InvalidInput(f"a synthetic feature outside the {columns} input columns: {data}")
        return feature


def with_synthetic(matrix: np.ndarray, features: list[SyntheticFeature]) -> np.ndarray:
    """The input matrix with one more column per synthetic feature, in order."""
    if not features:
        return matrix
    extra = np.column_stack([feature.values(matrix) for feature in features])
    return np.hstack([matrix, extra])


def _candidates(strongest: list[int]) -> list[SyntheticFeature]:
    found: list[SyntheticFeature] = []
    for left, right in combinations(sorted(strongest), 2):
        found += [
            SyntheticFeature(left, right, "ratio"),
            SyntheticFeature(right, left, "ratio"),
            SyntheticFeature(left, right, "product"),
            SyntheticFeature(left, right, "difference"),
        ]
    return found


def _gains(matrix: np.ndarray, target: np.ndarray, *, seed: int, threads: int) -> np.ndarray:
    params = {**SCREENING_PARAMETERS, "seed": seed, "num_threads": threads}
    booster = lgb.train(params, lgb.Dataset(matrix, label=target), num_boost_round=SCREENING_TREES)
    return np.asarray(booster.feature_importance("gain"), dtype=np.float64)


def _screening_rows(rows: int, seed: int) -> np.ndarray:
    if rows <= SCREENING_ROWS:
        return np.arange(rows)
    return np.sort(np.random.default_rng(seed).choice(rows, SCREENING_ROWS, replace=False))


def screen_synthetic(
    matrix: np.ndarray,
    target: np.ndarray,
    constraints: list[int],
    *,
    top: int,
    keep: int,
    seed: int,
    threads: int = 1,
) -> list[SyntheticFeature]:
    """The `keep` strongest synthetic features of these training rows (see the module docstring)."""
    free = [index for index, direction in enumerate(constraints) if direction == 0]
    if keep <= 0 or top < 2 or len(free) < 2:
        return []
    rows = _screening_rows(matrix.shape[0], seed)
    sample, labels = matrix[rows], target[rows]
    gains = _gains(sample, labels, seed=seed, threads=threads)
    ranked = sorted((index for index in free if gains[index] > 0), key=lambda i: (-gains[i], i))
    candidates = _candidates(ranked[:top])
    if not candidates:
        return []
    widened = with_synthetic(sample, candidates)
    candidate_gains = _gains(widened, labels, seed=seed, threads=threads)[matrix.shape[1] :]
    order = sorted(range(len(candidates)), key=lambda k: (-candidate_gains[k], k))
    return [candidates[k] for k in order[:keep] if candidate_gains[k] > 0]
