"""The recommended limit per buyer, with every constraint shown: pure Polars, no session.

Input: one row per buyer (`FORMULA_INPUTS`), amounts in integer minor units of the limit
currency; output: the same buyers with each constraint, the recommendation and the binding one.
All arithmetic is on integers (128-bit inside, 64-bit out); no float touches an amount.

Constraints (each None when it does not apply):

- grade: 0 when the grade is worse than the policy's `max_credit_grade`;
- capacity: the smallest of share(grade) x equity, working capital (current assets - current
  liabilities) and revenue of the latest statement; a base the statement lacks is skipped, a
  negative one counts as 0. No statement, or none of the three lines: capacity is not available;
- no_financials: the policy's `no_financials_limit`, only when capacity is not available (credit
  without financial statements is small credit: need, appetite and progressive still apply);
- progressive: for a buyer with less history than `established_after_months`: the starting
  limit, plus one step per `step_months` whole months of history when its payment history is
  good, at most the cap;
- appetite: max expected loss / (PD x LGD); not a constraint when the PD is 0 or unknown;
- need: expected annual sales x (payment terms + grace days) / 365; not available without
  expected sales.

Rounding: each constraint is rounded down to a whole minor unit; the recommendation, the
smallest of them, is rounded down to a whole `rounding_unit` of the limit currency. The binding
constraint is the one equal to that smallest value (ties: the order above).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

import polars as pl

from tradecredit.fx.rates import Conversion
from tradecredit.kit.currencies import exponent
from tradecredit.kit.errors import InvalidInput
from tradecredit.kit.money import MAX_MINOR_UNITS
from tradecredit.limits.policy import GRADES, CreditPolicy

PD_DTYPE = pl.Decimal(38, 18)
"""PDs as exact decimals with 18 places (callers round up to them: a PD is never understated)."""

FORMULA_INPUTS: dict[str, pl.DataType] = {
    "company_id": pl.String(),
    "grade": pl.Int64(),
    "pd": PD_DTYPE,
    "has_statement": pl.Boolean(),
    "equity_minor": pl.Int64(),
    "working_capital_minor": pl.Int64(),
    "revenue_minor": pl.Int64(),
    "expected_sales_minor": pl.Int64(),
    "payment_terms_days": pl.Int64(),
    "history_months": pl.Int64(),
    "good_history": pl.Boolean(),
}
CONSTRAINTS: tuple[str, ...] = (
    "grade",
    "capacity",
    "no_financials",
    "progressive",
    "appetite",
    "need",
)
"""Every constraint, in the order that breaks ties for the binding one."""
CAPACITY_BASES: tuple[str, ...] = ("equity", "working_capital", "revenue")
SHARE_SCALE = 10_000
"""Shares have at most 4 decimals, so share x 10,000 is an integer."""
_I128 = pl.Int128


@dataclass(frozen=True)
class PolicyAmounts:
    """The policy's amounts in minor units of the limit currency."""

    currency: str
    max_expected_loss: int
    starting_limit: int
    step: int
    cap: int
    no_financials_limit: int
    rounding_unit: int
    engine_authority: tuple[int, ...]


def policy_amounts(
    policy: CreditPolicy, *, currency: str, conversion: Conversion | None = None
) -> PolicyAmounts:
    """The policy's base-currency amounts converted exactly into `currency` (half-even to the
    minor unit); `conversion` is base -> `currency` and may be None when they are the same.
    The rounding unit is already in the limit currency's major units."""

    def minor(amount: Decimal) -> int:
        scaled = amount.scaleb(exponent(conversion.source if conversion else currency))
        whole = int(scaled.to_integral_value(rounding=ROUND_FLOOR))
        return conversion.convert_minor(whole) if conversion else whole

    unit = policy.rounding_unit.scaleb(exponent(currency))
    return PolicyAmounts(
        currency=currency,
        max_expected_loss=minor(policy.max_expected_loss),
        starting_limit=minor(policy.progressive.starting_limit),
        step=minor(policy.progressive.step),
        cap=minor(policy.progressive.cap),
        no_financials_limit=minor(policy.no_financials_limit),
        rounding_unit=max(1, int(unit.to_integral_value(rounding=ROUND_FLOOR))),
        engine_authority=tuple(minor(amount) for amount in policy.engine_authority),
    )


def _check(buyers: pl.DataFrame) -> pl.DataFrame:
    missing = [name for name in FORMULA_INPUTS if name not in buyers.columns]
    if missing:
        raise InvalidInput(f"the limit formula needs the columns {', '.join(missing)}")
    frame = buyers.select(pl.col(n).cast(t, strict=True) for n, t in FORMULA_INPUTS.items())
    bad = frame.filter(pl.col("grade").is_null() | ~pl.col("grade").is_between(1, GRADES))
    if bad.height:
        row = bad.row(0, named=True)
        raise InvalidInput(
            f"buyer {row['company_id']}: grade {row['grade']} is not a grade 1-{GRADES}"
        )
    return frame


def _by_grade(values: Sequence[Decimal], scale: int) -> pl.Expr:
    mapping = {grade: int(value * scale) for grade, value in enumerate(values, start=1)}
    return pl.col("grade").replace_strict(mapping, return_dtype=_I128)


def _capacity(policy: CreditPolicy) -> list[pl.Expr]:
    working_capital = pl.col("working_capital_minor")
    bases = {
        "equity": pl.col("equity_minor"),
        "working_capital": working_capital,
        "revenue": pl.col("revenue_minor"),
    }
    shares = {
        "equity": policy.capacity.equity_share,
        "working_capital": policy.capacity.working_capital_share,
        "revenue": policy.capacity.revenue_share,
    }
    return [
        pl.when(pl.col("has_statement"))
        .then(
            base.cast(_I128).clip(lower_bound=0)
            * _by_grade(shares[name], SHARE_SCALE)
            // SHARE_SCALE
        )
        .alias(f"capacity_{name}")
        for name, base in bases.items()
    ]


def _appetite(policy: CreditPolicy, amounts: PolicyAmounts) -> pl.Expr:
    pd_scaled = pl.col("pd").to_physical().cast(_I128)
    lgd_scaled = int(policy.lgd * SHARE_SCALE)
    numerator = pl.lit(amounts.max_expected_loss * 10**18 * SHARE_SCALE, dtype=_I128)
    return pl.when(pd_scaled > 0).then(numerator // (pd_scaled * lgd_scaled)).alias("appetite")


def _need(policy: CreditPolicy) -> pl.Expr:
    days = pl.col("payment_terms_days").fill_null(policy.default_payment_terms_days)
    sales = pl.col("expected_sales_minor").cast(_I128).clip(lower_bound=0)
    return (sales * (days + policy.grace_days).cast(_I128) // 365).alias("need")


def _progressive(policy: CreditPolicy, amounts: PolicyAmounts) -> pl.Expr:
    months = pl.col("history_months").fill_null(0).clip(lower_bound=0)
    steps = pl.when(pl.col("good_history").fill_null(False)).then(
        months // policy.progressive.step_months
    )
    grown = pl.lit(amounts.starting_limit, dtype=_I128) + steps.fill_null(0).cast(_I128) * (
        amounts.step
    )
    return (
        pl.when(months < policy.progressive.established_after_months)
        .then(pl.min_horizontal(grown, pl.lit(amounts.cap, dtype=_I128)))
        .alias("progressive")
    )


def _binding(names: Sequence[str], smallest: pl.Expr) -> pl.Expr:
    chosen = pl.lit(None, dtype=pl.String)
    for name in reversed(names):
        chosen = pl.when(pl.col(name) == smallest).then(pl.lit(name)).otherwise(chosen)
    return chosen


def recommend_limits(
    buyers: pl.DataFrame, *, policy: CreditPolicy, amounts: PolicyAmounts
) -> pl.DataFrame:
    """One row per buyer: `company_id`, `grade`, each constraint as `<name>_minor` (null when
    it does not apply), `capacity_basis`, `recommended_minor` and `binding`."""
    frame = _check(buyers).with_columns(_capacity(policy))
    capacity_columns = [f"capacity_{name}" for name in CAPACITY_BASES]
    capacity = pl.min_horizontal(capacity_columns)
    frame = frame.with_columns(
        capacity.alias("capacity"),
        _binding(capacity_columns, capacity).str.strip_prefix("capacity_").alias("basis"),
    ).with_columns(
        pl.when(pl.col("grade") > policy.max_credit_grade)
        .then(pl.lit(0, dtype=_I128))
        .alias("grade"),
        pl.when(pl.col("capacity").is_null())
        .then(pl.lit(amounts.no_financials_limit, dtype=_I128))
        .alias("no_financials"),
        _progressive(policy, amounts),
        _appetite(policy, amounts),
        _need(policy),
        pl.col("grade").alias("buyer_grade"),
    )
    smallest = pl.min_horizontal(list(CONSTRAINTS))
    unit = amounts.rounding_unit
    limit = pl.lit(MAX_MINOR_UNITS, dtype=_I128)
    return frame.select(
        "company_id",
        pl.col("buyer_grade").cast(pl.Int64).alias("grade"),
        *[
            pl.col(name).clip(upper_bound=limit).cast(pl.Int64).alias(f"{name}_minor")
            for name in CONSTRAINTS
        ],
        pl.col("basis").alias("capacity_basis"),
        (smallest // unit * unit).clip(upper_bound=limit).cast(pl.Int64).alias("recommended_minor"),
        _binding(CONSTRAINTS, smallest).alias("binding"),
    )
