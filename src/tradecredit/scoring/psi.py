"""Population stability index (PSI): how far a distribution has moved from a reference one.

    PSI = sum over bins of (actual share - expected share) x ln(actual share / expected share)

For a numeric column the bins are the quantiles of the expected (reference) sample: `bins` groups of
about equal expected size, bin i holding the values in [edge i-1, edge i), the outer bins open to
minus and plus infinity; each edge is a value of the expected sample. Tied values can make quantile
edges coincide; coinciding edges are merged, so a column with few distinct values gets fewer bins. Missing values (null or NaN) form a bin of
their own whenever either sample has one: a change in how often a value is missing is a shift too.
Categorical data (grades) bring their own bins and go straight to `stability_from_counts`.

An empty bin on either side would make the logarithm infinite; its share is replaced by `epsilon`
(default 0.0001, i.e. 0.01%) in both the difference and the logarithm, so one empty bin adds a large
but finite term. The other shares are left as they are (not renormalised).

Usual reading, with both thresholds parameters (`StabilityThresholds`): below 0.1 stable; 0.1 to
0.25 a moderate shift worth a look; above 0.25 a significant shift (re-examine or retrain the model).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import polars as pl

from tradecredit.kit.errors import InvalidInput

DEFAULT_BINS = 10
DEFAULT_EPSILON = 1e-4
MISSING_BIN = "missing"


@dataclass(frozen=True)
class StabilityThresholds:
    """PSI below `moderate` is stable; up to `significant` (inclusive) a moderate shift; above it
    a significant shift."""

    moderate: float = 0.1
    significant: float = 0.25

    def __post_init__(self) -> None:
        if not 0 < self.moderate < self.significant:
            raise InvalidInput(
                f"PSI thresholds must satisfy 0 < moderate < significant; got "
                f"moderate={self.moderate}, significant={self.significant}"
            )

    def reading(self, psi: float) -> str:
        if psi < self.moderate:
            return "stable"
        if psi <= self.significant:
            return "moderate shift"
        return "significant shift"


DEFAULT_THRESHOLDS = StabilityThresholds()


@dataclass(frozen=True)
class PopulationStability:
    """The total PSI, its reading and the per-bin table (bin, lower, upper, counts, shares,
    contribution); the contributions add up to `psi`."""

    psi: float
    reading: str
    bins: pl.DataFrame
    expected_rows: int
    actual_rows: int


def _check_epsilon(epsilon: float) -> None:
    if not 0 < epsilon < 0.01:
        raise InvalidInput(f"epsilon must lie in (0, 0.01); got {epsilon}")


def stability_from_counts(
    labels: Sequence[str],
    expected_counts: Sequence[int],
    actual_counts: Sequence[int],
    *,
    lower: Sequence[float | None] | None = None,
    upper: Sequence[float | None] | None = None,
    epsilon: float = DEFAULT_EPSILON,
    thresholds: StabilityThresholds = DEFAULT_THRESHOLDS,
) -> PopulationStability:
    """PSI of two distributions given as row counts per bin (the same bins on both sides)."""
    _check_epsilon(epsilon)
    expected = np.asarray(expected_counts, dtype=np.int64)
    actual = np.asarray(actual_counts, dtype=np.int64)
    if not len(labels) == expected.size == actual.size:
        raise InvalidInput(
            f"PSI needs one count per bin on each side: {len(labels)} bins, "
            f"{expected.size} expected counts, {actual.size} actual counts"
        )
    if (expected < 0).any() or (actual < 0).any():
        raise InvalidInput("PSI bin counts must not be negative")
    for side, counts in (("expected", expected), ("actual", actual)):
        if counts.sum() == 0:
            raise InvalidInput(f"the {side} distribution has no rows; PSI needs rows on both sides")
    expected_share = np.where(expected == 0, epsilon, expected / expected.sum())
    actual_share = np.where(actual == 0, epsilon, actual / actual.sum())
    contribution = (actual_share - expected_share) * np.log(actual_share / expected_share)
    psi = float(contribution.sum())
    table = pl.DataFrame(
        {
            "bin": pl.Series(list(labels), dtype=pl.String),
            "lower": pl.Series(list(lower) if lower else [None] * expected.size, dtype=pl.Float64),
            "upper": pl.Series(list(upper) if upper else [None] * expected.size, dtype=pl.Float64),
            "expected_rows": expected,
            "actual_rows": actual,
            "expected_share": expected_share,
            "actual_share": actual_share,
            "contribution": contribution,
        }
    )
    return PopulationStability(
        psi=psi,
        reading=thresholds.reading(psi),
        bins=table,
        expected_rows=int(expected.sum()),
        actual_rows=int(actual.sum()),
    )


def _values(sample: pl.Series | Sequence[float] | np.ndarray, side: str) -> np.ndarray:
    series = sample if isinstance(sample, pl.Series) else pl.Series(side, sample)
    if not (series.dtype.is_numeric() or series.dtype == pl.Null):
        raise InvalidInput(f"the {side} sample has type {series.dtype}; PSI needs numbers")
    values = series.cast(pl.Float64).fill_null(math.nan).to_numpy().astype(np.float64)
    if values.size == 0:
        raise InvalidInput(f"the {side} sample is empty; PSI needs rows on both sides")
    if np.isinf(values).any():
        raise InvalidInput(f"the {side} sample holds infinite values; PSI needs finite numbers")
    return values


def quantile_edges(reference: np.ndarray, bins: int) -> np.ndarray:
    """The inner edges of `bins` equal-frequency bins of `reference` (no NaN).

    Each edge is a value of the sample (NumPy's quantile method "higher"), so a bin starts at an
    observed value; repeated edges are merged and an edge at the sample's minimum is dropped (the
    bin below it would be empty).
    """
    levels = np.linspace(0.0, 1.0, bins + 1)[1:-1]
    edges = np.unique(np.quantile(reference, levels, method="higher"))
    return edges[edges > reference.min()]


def _label(low: float, high: float) -> str:
    left = "(-inf" if math.isinf(low) else f"[{low:.6g}"
    right = "inf)" if math.isinf(high) else f"{high:.6g})"
    return f"{left}, {right}"


def population_stability(
    expected: pl.Series | Sequence[float] | np.ndarray,
    actual: pl.Series | Sequence[float] | np.ndarray,
    *,
    bins: int = DEFAULT_BINS,
    epsilon: float = DEFAULT_EPSILON,
    thresholds: StabilityThresholds = DEFAULT_THRESHOLDS,
) -> PopulationStability:
    """PSI of a numeric sample against a reference sample, over quantile bins of the reference."""
    if bins < 2:
        raise InvalidInput(f"PSI needs at least 2 bins; got {bins}")
    reference = _values(expected, "expected")
    current = _values(actual, "actual")
    clean = reference[~np.isnan(reference)]
    if clean.size == 0:
        raise InvalidInput("the expected sample has only missing values; no quantile bins to cut")
    edges = quantile_edges(clean, bins)
    bounds = np.concatenate([[-math.inf], edges, [math.inf]])
    count = edges.size + 1

    def counts(values: np.ndarray) -> np.ndarray:
        present = values[~np.isnan(values)]
        return np.bincount(np.searchsorted(edges, present, side="right"), minlength=count)

    expected_counts, actual_counts = list(counts(reference)), list(counts(current))
    labels = [_label(low, high) for low, high in pairwise(bounds)]
    lower: list[float | None] = list(bounds[:-1])
    upper: list[float | None] = list(bounds[1:])
    missing_expected, missing_actual = int(np.isnan(reference).sum()), int(np.isnan(current).sum())
    if missing_expected or missing_actual:
        labels.append(MISSING_BIN)
        lower.append(None)
        upper.append(None)
        expected_counts.append(missing_expected)
        actual_counts.append(missing_actual)
    return stability_from_counts(
        labels,
        expected_counts,
        actual_counts,
        lower=lower,
        upper=upper,
        epsilon=epsilon,
        thresholds=thresholds,
    )
