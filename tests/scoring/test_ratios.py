from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecredit.companies.models import STATEMENT_LINES
from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.polish_attributes import (
    ATTR_CORRESPONDENCES,
    ATTR_TO_RATIO,
    POLISH_ATTRIBUTES,
)
from tradecredit.scoring.ratios import (
    ALTMAN_Z_PRIME,
    ALTMAN_Z_PRIME_WEIGHTS,
    RATIO_DIRECTIONS,
    RATIO_NAMES,
    RATIOS,
    compute_ratios,
)

HEALTHY = {
    "revenue": 2_000_000,
    "ebit": 200_000,
    "net_income": 120_000,
    "interest_expense": 40_000,
    "total_assets": 1_000_000,
    "current_assets": 600_000,
    "cash": 100_000,
    "inventory": 150_000,
    "receivables": 250_000,
    "current_liabilities": 300_000,
    "total_liabilities": 500_000,
    "equity": 500_000,
    "retained_earnings": 200_000,
    "operating_cash_flow": 150_000,
}


def one(row: Mapping[str, object]) -> dict[str, object]:
    return compute_ratios(pl.DataFrame([row])).row(0, named=True)


def test_ratios_of_a_healthy_statement() -> None:
    ratios = one(HEALTHY)
    assert ratios["current_ratio"] == pytest.approx(2.0)
    assert ratios["quick_ratio"] == pytest.approx(1.5)
    assert ratios["cash_ratio"] == pytest.approx(1 / 3)
    assert ratios["working_capital_to_assets"] == pytest.approx(0.3)
    assert ratios["liabilities_to_assets"] == pytest.approx(0.5)
    assert ratios["current_liabilities_to_assets"] == pytest.approx(0.3)
    assert ratios["equity_to_assets"] == pytest.approx(0.5)
    assert ratios["equity_to_liabilities"] == pytest.approx(1.0)
    assert ratios["net_income_to_assets"] == pytest.approx(0.12)
    assert ratios["ebit_to_assets"] == pytest.approx(0.2)
    assert ratios["ebit_margin"] == pytest.approx(0.1)
    assert ratios["net_margin"] == pytest.approx(0.06)
    assert ratios["retained_earnings_to_assets"] == pytest.approx(0.2)
    assert ratios["asset_turnover"] == pytest.approx(2.0)
    assert ratios["receivables_days"] == pytest.approx(250_000 * 365 / 2_000_000)
    assert ratios["inventory_days"] == pytest.approx(150_000 * 365 / 2_000_000)
    assert ratios["interest_coverage"] == pytest.approx(5.0)
    assert ratios["cash_flow_to_liabilities"] == pytest.approx(0.3)
    assert ratios["log_total_assets"] == pytest.approx(6.0)
    assert ratios["log_revenue"] == pytest.approx(math.log10(2_000_000))
    expected_z = 0.717 * 0.3 + 0.847 * 0.2 + 3.107 * 0.2 + 0.420 * 1.0 + 0.998 * 2.0
    assert ratios[ALTMAN_Z_PRIME] == pytest.approx(expected_z)


DENOMINATOR_OF = {
    "current_ratio": "current_liabilities",
    "quick_ratio": "current_liabilities",
    "cash_ratio": "current_liabilities",
    "working_capital_to_assets": "total_assets",
    "liabilities_to_assets": "total_assets",
    "equity_to_assets": "total_assets",
    "equity_to_liabilities": "total_liabilities",
    "net_income_to_assets": "total_assets",
    "ebit_margin": "revenue",
    "net_margin": "revenue",
    "receivables_days": "revenue",
    "inventory_days": "revenue",
    "interest_coverage": "interest_expense",
    "cash_flow_to_liabilities": "total_liabilities",
    "log_total_assets": "total_assets",
    "log_revenue": "revenue",
}


@pytest.mark.parametrize(
    "denominator_value", [0, -5_000, None], ids=["zero", "negative", "missing"]
)
@pytest.mark.parametrize(("ratio", "denominator"), sorted(DENOMINATOR_OF.items()))
def test_a_zero_negative_or_missing_denominator_gives_null(
    ratio: str, denominator: str, denominator_value: int | None
) -> None:
    ratios = one({**HEALTHY, denominator: denominator_value})
    assert ratios[ratio] is None


def test_a_missing_numerator_line_gives_null_not_zero() -> None:
    ratios = one({**HEALTHY, "inventory": None, "cash": None})
    assert ratios["quick_ratio"] is None
    assert ratios["inventory_days"] is None
    assert ratios["cash_ratio"] is None
    assert ratios["current_ratio"] == pytest.approx(2.0)


def test_a_negative_numerator_is_a_real_value() -> None:
    ratios = one({**HEALTHY, "net_income": -50_000, "ebit": -10_000, "equity": -100_000})
    assert ratios["net_income_to_assets"] == pytest.approx(-0.05)
    assert ratios["interest_coverage"] == pytest.approx(-0.25)
    assert ratios["equity_to_liabilities"] == pytest.approx(-0.2)


def test_altman_z_prime_is_null_when_a_component_is_null() -> None:
    assert one({**HEALTHY, "retained_earnings": None})[ALTMAN_Z_PRIME] is None
    assert one({**HEALTHY, "total_liabilities": 0})[ALTMAN_Z_PRIME] is None


def test_absent_lines_nan_floats_and_decimals() -> None:
    frame = pl.DataFrame(
        {
            "company": ["a", "b"],
            "current_assets": [Decimal("600.00"), Decimal("10.00")],
            "current_liabilities": [Decimal("300.00"), Decimal("0.00")],
            "total_assets": [float("nan"), 100.0],
        }
    )
    ratios = compute_ratios(frame, keep=["company"])
    assert ratios.columns == ["company", *RATIO_NAMES]
    assert ratios["current_ratio"].to_list() == [pytest.approx(2.0), None]
    assert ratios["working_capital_to_assets"].to_list() == [None, pytest.approx(0.1)]
    assert ratios["cash_flow_to_liabilities"].null_count() == 2


def test_a_text_statement_line_is_refused() -> None:
    with pytest.raises(InvalidInput, match="revenue"):
        compute_ratios(pl.DataFrame({"revenue": ["12"], "total_assets": [1]}))


def test_a_column_to_keep_must_exist() -> None:
    with pytest.raises(InvalidInput, match="company_id"):
        compute_ratios(pl.DataFrame([HEALTHY]), keep=["company_id"])


amounts = st.one_of(st.none(), st.integers(-(10**12), 10**12), st.just(0))


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries(dict.fromkeys(STATEMENT_LINES, amounts)))
def test_no_ratio_is_ever_infinite_or_nan(statement: dict[str, int | None]) -> None:
    frame = pl.DataFrame([statement], schema=dict.fromkeys(STATEMENT_LINES, pl.Int64))
    for value in compute_ratios(frame).row(0):
        assert value is None or math.isfinite(value)


def test_every_ratio_has_a_direction_and_the_altman_weights_name_ratios() -> None:
    assert set(RATIO_DIRECTIONS) == set(RATIO_NAMES)
    assert set(RATIO_DIRECTIONS.values()) <= {-1, 0, 1}
    assert set(ALTMAN_Z_PRIME_WEIGHTS) <= {ratio.name for ratio in RATIOS}
    assert RATIO_DIRECTIONS["liabilities_to_assets"] == 1
    assert RATIO_DIRECTIONS["current_ratio"] == -1
    assert RATIO_DIRECTIONS["interest_coverage"] == -1
    assert RATIO_DIRECTIONS["asset_turnover"] == 0


def test_the_polish_attribute_table_is_complete_and_points_at_real_ratios() -> None:
    assert list(POLISH_ATTRIBUTES) == [f"Attr{number}" for number in range(1, 65)]
    assert set(ATTR_TO_RATIO.values()) <= set(RATIO_NAMES)
    assert {item.fidelity for item in ATTR_CORRESPONDENCES} == {"exact", "approximate"}
    assert ATTR_TO_RATIO["Attr1"] == "net_income_to_assets"
    assert ATTR_TO_RATIO["Attr2"] == "liabilities_to_assets"
    assert ATTR_TO_RATIO["Attr8"] == "equity_to_liabilities"
    assert ATTR_TO_RATIO["Attr46"] == "quick_ratio"
