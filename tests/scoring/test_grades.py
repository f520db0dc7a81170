from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.grades import (
    GRADE_TABLE,
    INSOLVENT_GRADE,
    GradeTable,
    grade_for_pd,
    grades_for_pds,
)

BOUNDS = ["0.0010", "0.0025", "0.0050", "0.0100", "0.0200", "0.0400", "0.0800", "0.1500", "1"]


@pytest.mark.parametrize(("grade", "bound"), list(enumerate(BOUNDS, start=1)))
def test_every_upper_bound_belongs_to_its_grade_and_just_above_to_the_next(
    grade: int, bound: str
) -> None:
    assert grade_for_pd(Decimal(bound)) == grade
    if grade < 9:
        assert grade_for_pd(Decimal(bound) + Decimal("0.00000001")) == grade + 1
        assert grades_for_pds([float(bound), float(bound) + 1e-9]).to_list() == [grade, grade + 1]


def test_zero_is_grade_1_and_one_is_grade_9_never_10() -> None:
    assert grade_for_pd(Decimal(0)) == 1
    assert grade_for_pd(Decimal(1)) == 9
    assert INSOLVENT_GRADE == 10
    assert [band.grade for band in GRADE_TABLE.bands()] == list(range(1, 10))
    assert GRADE_TABLE.bands()[0].lower_exclusive == 0


def test_vectorised_matches_scalar_and_keeps_nulls() -> None:
    pds = [0.0, 0.0005, 0.003, 0.012, 0.03, 0.05, 0.1, 0.2, 0.99, None]
    expected = [grade_for_pd(Decimal(str(pd))) for pd in pds[:-1]] + [None]
    assert grades_for_pds(pl.Series(pds, dtype=pl.Float64)).to_list() == expected


@pytest.mark.parametrize("pd", [Decimal("-0.001"), Decimal("1.0001"), Decimal("NaN")])
def test_out_of_range_pd_is_refused(pd: Decimal) -> None:
    with pytest.raises(InvalidInput, match="PD"):
        grade_for_pd(pd)


def test_float_pd_is_refused_by_the_scalar_rule() -> None:
    with pytest.raises(InvalidInput, match="Decimal"):
        grade_for_pd(0.01)  # type: ignore[arg-type]


@pytest.mark.parametrize("pds", [[-0.1], [1.5], [float("nan")]])
def test_vectorised_refuses_out_of_range(pds: list[float]) -> None:
    with pytest.raises(InvalidInput, match=r"\[0, 1\]"):
        grades_for_pds(pds)


def test_table_must_increase_and_end_at_one() -> None:
    labels = GRADE_TABLE.labels
    with pytest.raises(InvalidInput, match="increase"):
        GradeTable(
            upper_bounds=tuple(Decimal(b) for b in [*BOUNDS[:7], "0.05", "1"]), labels=labels
        )
    with pytest.raises(InvalidInput, match="end at 1"):
        GradeTable(upper_bounds=tuple(Decimal(b) for b in [*BOUNDS[:8], "0.9"]), labels=labels)
