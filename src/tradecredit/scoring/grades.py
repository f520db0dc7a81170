"""The published grade table: grade 1-9 by 12-month PD band, grade 10 reserved for insolvency.

A grade is found from its PD alone: grade g holds every PD in (upper bound of g-1, upper bound of g],
grade 1 starting at PD 0. The bounds are a parameter (`GradeTable`), published as data in
`GRADE_TABLE`; grade 10 is never reached from a PD, only by the insolvency overlay (overlays.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from itertools import pairwise

import numpy as np
import polars as pl

from tradecredit.kit.errors import InvalidInput

INSOLVENT_GRADE = 10
"""Reserved for a buyer with an insolvency filing or in insolvency; no PD maps to it."""


@dataclass(frozen=True)
class GradeBand:
    grade: int
    lower_exclusive: Decimal
    upper_inclusive: Decimal
    label: str


@dataclass(frozen=True)
class GradeTable:
    """Upper PD bounds (inclusive) of grades 1, 2, ...; strictly increasing, the last one 1."""

    upper_bounds: tuple[Decimal, ...]
    labels: tuple[str, ...]

    def __post_init__(self) -> None:
        bounds = self.upper_bounds
        if len(bounds) != INSOLVENT_GRADE - 1 or len(self.labels) != len(bounds):
            raise InvalidInput(f"a grade table needs {INSOLVENT_GRADE - 1} bounds and labels")
        if any(low >= high for low, high in pairwise(bounds)):
            raise InvalidInput(f"grade bounds must increase strictly: {bounds}")
        if bounds[0] <= 0 or bounds[-1] != 1:
            raise InvalidInput("grade bounds must start above 0 and end at 1")

    def micro_bounds(self, places: int = 6) -> np.ndarray:
        """Upper bounds in units of 10^-places, rounded down: a PD of exactly `places` decimals
        (an integer count of those units) lies within a bound exactly when its count does."""
        unit = Decimal(1).scaleb(-places)
        counts = [int((bound / unit).to_integral_value(ROUND_FLOOR)) for bound in self.upper_bounds]
        return np.asarray(counts, dtype=np.int64)

    def bands(self) -> list[GradeBand]:
        lowers = (Decimal(0), *self.upper_bounds[:-1])
        return [
            GradeBand(grade, low, high, label)
            for grade, (low, high, label) in enumerate(
                zip(lowers, self.upper_bounds, self.labels, strict=True), start=1
            )
        ]


GRADE_TABLE = GradeTable(
    upper_bounds=tuple(
        Decimal(bound)
        for bound in (
            "0.0010",
            "0.0025",
            "0.0050",
            "0.0100",
            "0.0200",
            "0.0400",
            "0.0800",
            "0.1500",
            "1",
        )
    ),
    labels=(
        "excellent",
        "very good",
        "good",
        "satisfactory",
        "adequate",
        "weak",
        "poor",
        "very poor",
        "highest risk short of insolvency",
    ),
)
"""The published table: each bound roughly doubles the previous one, as agency scales do."""


def _checked(pd: Decimal) -> Decimal:
    if not isinstance(pd, Decimal):
        raise InvalidInput(f"a PD must be a Decimal, got {type(pd).__name__}")
    if not pd.is_finite() or pd < 0 or pd > 1:
        raise InvalidInput(f"a PD must lie in [0, 1], got {pd}")
    return pd


def grade_for_pd(pd: Decimal, *, table: GradeTable = GRADE_TABLE) -> int:
    """The grade 1-9 whose band holds `pd` (upper bounds inclusive)."""
    value = _checked(pd)
    for grade, bound in enumerate(table.upper_bounds, start=1):
        if value <= bound:
            return grade
    raise AssertionError("unreachable: the last bound is 1")


def grade_expression(pd: pl.Expr, *, table: GradeTable = GRADE_TABLE) -> pl.Expr:
    """The same rule on a Float64 PD column: null PD stays null; out-of-range PDs are refused
    by `grades_for_pds`, which checks the column first."""
    expression = pl.lit(None, dtype=pl.Int8)
    for grade, bound in reversed(list(enumerate(table.upper_bounds, start=1))):
        expression = (
            pl.when(pd <= float(bound)).then(pl.lit(grade, dtype=pl.Int8)).otherwise(expression)
        )
    return pl.when(pd.is_null()).then(None).otherwise(expression)


def grades_for_pds(
    pds: pl.Series | Sequence[float], *, table: GradeTable = GRADE_TABLE
) -> pl.Series:
    """Vectorised `grade_for_pd` over a PD column (Float64), checked to lie in [0, 1]."""
    series = pl.Series("pd", pds, dtype=pl.Float64)
    bad = series.filter(series.is_nan() | (series < 0) | (series > 1))
    if bad.len():
        raise InvalidInput(f"PDs must lie in [0, 1]; got {bad.head(5).to_list()}")
    frame = pl.DataFrame({"pd": series})
    return frame.select(grade_expression(pl.col("pd"), table=table).alias("grade"))["grade"]


def grades_for_micro_pds(
    micro: np.ndarray, *, places: int = 6, table: GradeTable = GRADE_TABLE
) -> np.ndarray:
    """The grade rule on PDs held as exact integer counts of 10^-places (what a stored PD with
    `places` decimals is): a binary search over the bounds, grade g for bound(g-1) < PD <= bound(g)."""
    counts = np.asarray(micro, dtype=np.int64)
    if counts.size and (counts.min() < 0 or counts.max() > 10**places):
        raise InvalidInput(f"PDs must lie in [0, 1]; got counts outside 0..{10**places}")
    return np.searchsorted(table.micro_bounds(places), counts, side="left").astype(np.int8) + 1
