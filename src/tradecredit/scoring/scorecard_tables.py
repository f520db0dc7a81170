"""A fitted points scorecard as plain tables, and the prediction from them (NumPy only).

Per feature: the split points, the points of each bin, of the missing bin and of the special bin.
Bin i of a feature holds the values in [splits[i-1], splits[i]) (the first bin is open to minus
infinity, the last to plus infinity): `numpy.searchsorted(splits, x, side="right")`, the rule of
optbinning's own transform. A missing value (NaN) goes to the missing bin. The special bin is kept
for completeness: no special codes are used, so no row ever lands in it.

    score     = base points + sum over features of the points of the row's bin
    log-odds  = (offset - score) / factor             (log-odds of default before calibration)
    factor    = PDO / ln 2,  offset = base score - factor x ln(base odds)

so a score of `base score` means good:bad odds of `base odds`, and every `PDO` points more halve
the odds of default. The calibration map (fitted out of fold) turns the log-odds into the PD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tradecredit.kit.errors import InvalidInput


@dataclass(frozen=True)
class Bin:
    """One bin of a feature with its training statistics and its points."""

    lower: float | None
    upper: float | None
    count: int
    defaults: int
    woe: float
    points: float

    @property
    def event_rate(self) -> float | None:
        return self.defaults / self.count if self.count else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "lower": _edge_to_json(self.lower),
            "upper": _edge_to_json(self.upper),
            "count": self.count,
            "defaults": self.defaults,
            "woe": self.woe,
            "points": self.points,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Bin:
        return cls(
            lower=_edge_from_json(data["lower"]),
            upper=_edge_from_json(data["upper"]),
            count=int(data["count"]),
            defaults=int(data["defaults"]),
            woe=float(data["woe"]),
            points=float(data["points"]),
        )


def _edge_to_json(edge: float | None) -> float | str | None:
    if edge is not None and math.isinf(edge):
        return "-inf" if edge < 0 else "inf"
    return edge


def _edge_from_json(edge: float | str | None) -> float | None:
    if edge is None:
        return None
    return float(edge)


def bin_label(lower: float | None, upper: float | None) -> str:
    """ "[a, b)" with the outer ends open; "missing" for the missing bin."""
    if lower is None and upper is None:
        return "missing"
    left = "(-inf" if lower is None or math.isinf(lower) else f"[{lower:.6g}"
    right = "inf)" if upper is None or math.isinf(upper) else f"{upper:.6g})"
    return f"{left}, {right}"


@dataclass(frozen=True)
class FeatureBins:
    """A feature's bins: `bins` in value order, then the missing and the special bin."""

    name: str
    coefficient: float
    splits: tuple[float, ...]
    bins: tuple[Bin, ...]
    missing: Bin
    special: Bin

    def __post_init__(self) -> None:
        if len(self.bins) != len(self.splits) + 1:
            raise InvalidInput(
                f"feature {self.name!r}: {len(self.splits)} splits need {len(self.splits) + 1} "
                f"bins, the table has {len(self.bins)}"
            )
        if any(low >= high for low, high in zip(self.splits, self.splits[1:], strict=False)):
            raise InvalidInput(f"feature {self.name!r}: splits must increase strictly")

    @property
    def missing_index(self) -> int:
        return len(self.bins)

    @property
    def trend(self) -> str:
        """How the default rate moves from the lowest to the highest value bin (training data)."""
        rates = [b.event_rate for b in self.bins if b.event_rate is not None]
        if len(rates) < 2:
            return "flat"
        steps = np.diff(rates)
        if (steps >= 0).all():
            return "ascending"
        if (steps <= 0).all():
            return "descending"
        return "not monotonic"

    def all_points(self) -> np.ndarray:
        """Points by bin index: value bins, then missing (the special bin is never assigned)."""
        return np.array([b.points for b in (*self.bins, self.missing)], dtype=np.float64)

    def best_points(self) -> float:
        """The most points a known value can get: over the value bins that held training rows.

        The missing bin is left out: a row is never told it lost points by reporting a value.
        """
        seen = [b.points for b in self.bins if b.count > 0]
        return max(seen) if seen else max(b.points for b in self.bins)

    def bin_index(self, values: np.ndarray) -> np.ndarray:
        index = np.searchsorted(np.asarray(self.splits, dtype=np.float64), values, side="right")
        return np.where(np.isnan(values), self.missing_index, index)

    def label(self, index: int) -> str:
        chosen = self.missing if index == self.missing_index else self.bins[index]
        return bin_label(chosen.lower, chosen.upper)

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.name,
            "coefficient": self.coefficient,
            "trend": self.trend,
            "splits": list(self.splits),
            "bins": [b.to_dict() for b in self.bins],
            "missing": self.missing.to_dict(),
            "special": {"codes": [], **self.special.to_dict()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureBins:
        return cls(
            name=str(data["feature"]),
            coefficient=float(data["coefficient"]),
            splits=tuple(float(s) for s in data["splits"]),
            bins=tuple(Bin.from_dict(b) for b in data["bins"]),
            missing=Bin.from_dict(data["missing"]),
            special=Bin.from_dict(data["special"]),
        )


@dataclass(frozen=True)
class Scaling:
    """Points to double the odds, the score at the base odds, the base (good:bad) odds."""

    pdo: float
    base_score: float
    base_odds: float

    def __post_init__(self) -> None:
        if not (self.pdo > 0 and self.base_odds > 0 and math.isfinite(self.base_score)):
            raise InvalidInput(
                f"scaling needs PDO > 0 and base odds > 0; got PDO {self.pdo}, "
                f"base odds {self.base_odds}, base score {self.base_score}"
            )

    @property
    def factor(self) -> float:
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        return self.base_score - self.factor * math.log(self.base_odds)

    def to_dict(self) -> dict[str, float]:
        return {
            "pdo": self.pdo,
            "base_score": self.base_score,
            "base_odds": self.base_odds,
            "factor": self.factor,
            "offset": self.offset,
        }


@dataclass(frozen=True)
class ScorecardTables:
    """Everything a scorecard needs to score a row, as numbers."""

    features: tuple[FeatureBins, ...]
    base_points: float
    intercept: float
    scaling: Scaling

    @property
    def names(self) -> list[str]:
        return [feature.name for feature in self.features]

    def bin_indices(self, matrix: np.ndarray) -> np.ndarray:
        """Bin index of every cell; `matrix` has the columns of `names`, in that order."""
        if matrix.ndim != 2 or matrix.shape[1] != len(self.features):
            raise InvalidInput(
                f"the scorecard needs {len(self.features)} columns, got shape {matrix.shape}"
            )
        columns = [f.bin_index(matrix[:, i]) for i, f in enumerate(self.features)]
        return np.column_stack(columns) if columns else np.zeros((matrix.shape[0], 0), np.int64)

    def points(self, matrix: np.ndarray) -> np.ndarray:
        """Points of every cell (rows x features)."""
        indices = self.bin_indices(matrix)
        columns = [f.all_points()[indices[:, i]] for i, f in enumerate(self.features)]
        return np.column_stack(columns) if columns else np.zeros((matrix.shape[0], 0))

    def score(self, matrix: np.ndarray) -> np.ndarray:
        """Base points plus each feature's points."""
        return self.base_points + self.points(matrix).sum(axis=1)

    def log_odds(self, score: np.ndarray) -> np.ndarray:
        """The uncalibrated log-odds of default that a score stands for."""
        return (self.scaling.offset - score) / self.scaling.factor

    def points_lost(self, matrix: np.ndarray) -> np.ndarray:
        """Per cell: the feature's best points minus the row's points (0 in the best bin)."""
        best = np.array([f.best_points() for f in self.features], dtype=np.float64)
        return best[None, :] - self.points(matrix)

    def score_range(self) -> tuple[float, float]:
        """The lowest and highest score any row can reach (bins that held training rows)."""
        low = high = self.base_points
        for feature in self.features:
            seen = [b.points for b in (*feature.bins, feature.missing) if b.count > 0]
            low += min(seen)
            high += max(seen)
        return low, high

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_points": self.base_points,
            "intercept": self.intercept,
            "scaling": self.scaling.to_dict(),
            "bins": [feature.to_dict() for feature in self.features],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScorecardTables:
        scaling = data["scaling"]
        return cls(
            features=tuple(FeatureBins.from_dict(f) for f in data["bins"]),
            base_points=float(data["base_points"]),
            intercept=float(data["intercept"]),
            scaling=Scaling(
                pdo=float(scaling["pdo"]),
                base_score=float(scaling["base_score"]),
                base_odds=float(scaling["base_odds"]),
            ),
        )
