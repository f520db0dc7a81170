"""The ratio library: financial ratios derived from the standard statement lines.

`compute_ratios` is a pure Polars function, frame -> frame. A ratio whose denominator is zero, negative
or missing is *missing* (null), never 0 and never infinite: every denominator used here (total assets,
current or total liabilities, revenue, interest expense) is positive in a valid statement, so a
non-positive one is a data error or a sign convention no ratio can interpret. A missing numerator line
(for example inventory for the quick ratio) also gives null: a line that was not reported is not 0.

Each ratio carries its economic direction: +1 when a higher value means a higher probability of
default (leverage), -1 when it means a lower one (liquidity, profitability, coverage), 0 when economics
gives no sure sign (activity, size). The model turns the non-zero directions into monotone constraints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from tradecredit.companies.models import STATEMENT_LINES
from tradecredit.kit.errors import InvalidInput

DAYS_PER_YEAR = 365

ALTMAN_Z_PRIME_WEIGHTS: Mapping[str, float] = {
    "working_capital_to_assets": 0.717,
    "retained_earnings_to_assets": 0.847,
    "ebit_to_assets": 3.107,
    "equity_to_liabilities": 0.420,
    "asset_turnover": 0.998,
}
"""Altman (1983) Z' for private firms: book equity replaces market equity in the fourth term."""


@dataclass(frozen=True)
class Ratio:
    name: str
    family: str
    formula: str
    direction: int
    expression: pl.Expr


def _line(name: str) -> pl.Expr:
    """A statement line as Float64, a float NaN read as not reported."""
    return pl.col(name).cast(pl.Float64).fill_nan(None)


def _per(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """numerator / denominator, or null when the denominator is missing, zero or negative."""
    return pl.when(denominator > 0).then(numerator / denominator).otherwise(None)


def _log10_of_positive(value: pl.Expr) -> pl.Expr:
    return pl.when(value > 0).then(value.log(10)).otherwise(None)


_CA, _CL, _TA, _TL = (
    _line("current_assets"),
    _line("current_liabilities"),
    _line("total_assets"),
    _line("total_liabilities"),
)
_REVENUE, _EBIT, _NET, _EQUITY = (
    _line("revenue"),
    _line("ebit"),
    _line("net_income"),
    _line("equity"),
)

RATIOS: tuple[Ratio, ...] = (
    Ratio("current_ratio", "liquidity", "current_assets / current_liabilities", -1, _per(_CA, _CL)),
    Ratio(
        "quick_ratio",
        "liquidity",
        "(current_assets - inventory) / current_liabilities",
        -1,
        _per(_CA - _line("inventory"), _CL),
    ),
    Ratio("cash_ratio", "liquidity", "cash / current_liabilities", -1, _per(_line("cash"), _CL)),
    Ratio(
        "working_capital_to_assets",
        "liquidity",
        "(current_assets - current_liabilities) / total_assets",
        -1,
        _per(_CA - _CL, _TA),
    ),
    Ratio(
        "liabilities_to_assets", "leverage", "total_liabilities / total_assets", 1, _per(_TL, _TA)
    ),
    Ratio(
        "current_liabilities_to_assets",
        "leverage",
        "current_liabilities / total_assets",
        1,
        _per(_CL, _TA),
    ),
    Ratio("equity_to_assets", "leverage", "equity / total_assets", -1, _per(_EQUITY, _TA)),
    Ratio(
        "equity_to_liabilities", "leverage", "equity / total_liabilities", -1, _per(_EQUITY, _TL)
    ),
    Ratio(
        "net_income_to_assets", "profitability", "net_income / total_assets", -1, _per(_NET, _TA)
    ),
    Ratio("ebit_to_assets", "profitability", "ebit / total_assets", -1, _per(_EBIT, _TA)),
    Ratio("ebit_margin", "profitability", "ebit / revenue", -1, _per(_EBIT, _REVENUE)),
    Ratio("net_margin", "profitability", "net_income / revenue", -1, _per(_NET, _REVENUE)),
    Ratio(
        "retained_earnings_to_assets",
        "profitability",
        "retained_earnings / total_assets",
        -1,
        _per(_line("retained_earnings"), _TA),
    ),
    Ratio("asset_turnover", "activity", "revenue / total_assets", 0, _per(_REVENUE, _TA)),
    Ratio(
        "receivables_days",
        "activity",
        "receivables * 365 / revenue",
        0,
        _per(_line("receivables") * DAYS_PER_YEAR, _REVENUE),
    ),
    Ratio(
        "inventory_days",
        "activity",
        "inventory * 365 / revenue",
        0,
        _per(_line("inventory") * DAYS_PER_YEAR, _REVENUE),
    ),
    Ratio(
        "interest_coverage",
        "coverage",
        "ebit / interest_expense",
        -1,
        _per(_EBIT, _line("interest_expense")),
    ),
    Ratio(
        "cash_flow_to_liabilities",
        "coverage",
        "operating_cash_flow / total_liabilities",
        -1,
        _per(_line("operating_cash_flow"), _TL),
    ),
    Ratio("log_total_assets", "size", "log10(total_assets)", 0, _log10_of_positive(_TA)),
    Ratio("log_revenue", "size", "log10(revenue)", 0, _log10_of_positive(_REVENUE)),
)

ALTMAN_Z_PRIME = "altman_z_prime"

RATIO_NAMES: tuple[str, ...] = (*(ratio.name for ratio in RATIOS), ALTMAN_Z_PRIME)

RATIO_DIRECTIONS: Mapping[str, int] = {
    **{ratio.name: ratio.direction for ratio in RATIOS},
    ALTMAN_Z_PRIME: -1,
}
"""+1: a higher value raises the PD; -1: it lowers the PD; 0: no economic prior."""

UNCONSTRAINED_RATIOS: Mapping[str, str] = {
    "ebit_margin": "revenue near zero gives extreme margins of either sign (dormant companies)",
    "net_margin": "revenue near zero gives extreme margins of either sign (dormant companies)",
    "interest_coverage": "interest expense near zero gives extreme coverage of either sign",
    "cash_ratio": "very high cash against tiny current liabilities marks shells and wind-downs",
    "ebit_to_assets": "extreme returns on a tiny asset base mark shells and one-off results",
    "net_income_to_assets": "extreme returns on a tiny asset base mark shells and one-off results",
}
"""Ratios whose economic direction holds in the middle of their range but not at its extremes, so
the model is not forced monotone in them (their direction still words trends and reasons). Each one
alone cost 0.004-0.015 inner cross-validated AUC when forced (docs/scoring.md, "Constraints")."""

MONOTONE_DIRECTIONS: Mapping[str, int] = {
    name: 0 if name in UNCONSTRAINED_RATIOS else direction
    for name, direction in RATIO_DIRECTIONS.items()
}
"""The direction a model is forced to respect per ratio (LightGBM monotone constraints)."""


def _altman_z_prime(weights: Mapping[str, float]) -> pl.Expr:
    """The weighted sum of the Z' components; null as soon as one component is null."""
    terms = [pl.col(name) * weight for name, weight in weights.items()]
    return pl.sum_horizontal(terms, ignore_nulls=False).alias(ALTMAN_Z_PRIME)


def _check_lines(statements: pl.DataFrame) -> None:
    for line in STATEMENT_LINES:
        if line not in statements.columns:
            continue
        dtype = statements.schema[line]
        if not (dtype.is_numeric() or dtype == pl.Null):
            raise InvalidInput(
                f"statement line {line!r} has type {dtype}; ratios need a numeric column",
                details={"column": line, "dtype": str(dtype)},
            )


def compute_ratios(
    statements: pl.DataFrame,
    *,
    keep: Sequence[str] = (),
    altman_weights: Mapping[str, float] = ALTMAN_Z_PRIME_WEIGHTS,
) -> pl.DataFrame:
    """One row per statement: the `keep` columns, then every ratio in RATIO_NAMES (Float64).

    Lines are the names in STATEMENT_LINES, in any numeric type (minor units, Decimal or float); a line
    absent from the frame counts as not reported. Size ratios are in the statement's own unit, so compare
    them only across statements in one currency and unit.
    """
    missing_keep = [name for name in keep if name not in statements.columns]
    if missing_keep:
        raise InvalidInput(f"columns to keep are not in the frame: {missing_keep}")
    _check_lines(statements)
    absent = [line for line in STATEMENT_LINES if line not in statements.columns]
    lines = statements.with_columns(pl.lit(None, dtype=pl.Float64).alias(line) for line in absent)
    ratios = lines.select(
        *[pl.col(name) for name in keep],
        *[ratio.expression.alias(ratio.name) for ratio in RATIOS],
    )
    return ratios.with_columns(_altman_z_prime(altman_weights))
