"""Worked examples of the recommended-limit formula, computed by hand from the default policy.

Default policy (docs/limits.md): capacity shares at grade 1-2 equity 10%, working capital 20%,
revenue 8%, scaled by 1, 1, 0.9, 0.8, 0.65, 0.5, 0.35, 0.2, 0, 0 for grades 1-10; grace 15 days;
LGD 0.45; max expected loss 5,000; progressive start 5,000 + 5,000 per 3 months of good history,
cap 25,000, established after 12 months; no-financials limit 5,000; max credit grade 8; rounding
down to 100. All amounts EUR.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from tradecredit.fx.rates import Conversion, DatedRate, Leg
from tradecredit.kit.errors import InvalidInput
from tradecredit.limits.formula import FORMULA_INPUTS, policy_amounts, recommend_limits
from tradecredit.limits.policy import DEFAULT_POLICY, CreditPolicy

EUR = policy_amounts(DEFAULT_POLICY, currency="EUR")


def buyer(name: str, **values: Any) -> dict[str, Any]:
    """An established buyer with good history and no figures; `values` in EUR major units."""
    row: dict[str, Any] = dict.fromkeys(FORMULA_INPUTS)
    row |= {"company_id": name, "history_months": 36, "good_history": True}
    row |= {"has_statement": values.pop("statement", True)}
    for key, value in values.items():
        row[key] = int(Decimal(value) * 100) if key.endswith("_minor") else value
    return row


def run(*rows: dict[str, Any], policy: CreditPolicy = DEFAULT_POLICY) -> dict[str, dict[str, Any]]:
    frame = pl.DataFrame(list(rows), schema=FORMULA_INPUTS)
    amounts = policy_amounts(policy, currency="EUR")
    result = recommend_limits(frame, policy=policy, amounts=amounts)
    return {row["company_id"]: row for row in result.iter_rows(named=True)}


STATEMENT = {
    "equity_minor": "1000000",
    "working_capital_minor": "400000",
    "revenue_minor": "5000000",
}

# (buyer, expected recommended EUR, binding constraint, expected constraints in EUR)
WORKED_EXAMPLES: list[tuple[dict[str, Any], str, str, dict[str, str | None]]] = [
    (
        # grade 3: equity 1,000,000 x 9% = 90,000; WC 400,000 x 18% = 72,000; revenue
        # 5,000,000 x 7.2% = 360,000 -> capacity 72,000. need 1,200,000 x (30+15)/365 =
        # 147,945.20. appetite 5,000 / (0.004 x 0.45) = 2,777,777.77 -> capacity binds.
        buyer("capacity", grade=3, pd=Decimal("0.004"), **STATEMENT,
              expected_sales_minor="1200000", payment_terms_days=30),
        "72000",
        "capacity",
        {"capacity": "72000.00", "need": "147945.20", "appetite": "2777777.77",
         "progressive": None, "no_financials": None, "grade": None},
    ),
    (
        # grade 2, small sales: need 200,000 x (60+15)/365 = 41,095.89 -> rounded down to 41,000.
        buyer("need", grade=2, pd=Decimal("0.002"), **STATEMENT,
              expected_sales_minor="200000", payment_terms_days=60),
        "41000",
        "need",
        {"capacity": "80000.00", "need": "41095.89", "appetite": "5555555.55"},
    ),
    (
        # grade 8, PD 12%: appetite 5,000 / (0.12 x 0.45) = 92,592.59; capacity at 20%:
        # equity 2,000,000 x 2% = 40,000, WC 1,000,000 x 4% = 40,000, revenue 20,000,000 x
        # 1.6% = 320,000 -> 40,000; need 3,000,000 x 45/365 = 369,863.01. Capacity binds.
        buyer("grade8", grade=8, pd=Decimal("0.12"), equity_minor="2000000",
              working_capital_minor="1000000", revenue_minor="20000000",
              expected_sales_minor="3000000", payment_terms_days=30),
        "40000",
        "capacity",
        {"capacity": "40000.00", "appetite": "92592.59", "need": "369863.01"},
    ),
    (
        # grade 6, PD 3.5%: appetite 5,000 / (0.035 x 0.45) = 317,460.31; capacity 5% x
        # 10,000,000 = 500,000 / 10% x 8,000,000 = 800,000 / 4% x 50,000,000 = 2,000,000;
        # need 10,000,000 x 45/365 = 1,232,876.71 -> appetite binds, 317,400.
        buyer("appetite", grade=6, pd=Decimal("0.035"), equity_minor="10000000",
              working_capital_minor="8000000", revenue_minor="50000000",
              expected_sales_minor="10000000", payment_terms_days=30),
        "317400",
        "appetite",
        {"appetite": "317460.31", "capacity": "500000.00"},
    ),
    (
        # no statement: capacity not available, the no-financials limit 5,000 applies;
        # need 600,000 x 45/365 = 73,972.60 does not bind.
        buyer("no statement", grade=5, pd=Decimal("0.015"), statement=False,
              expected_sales_minor="600000", payment_terms_days=30),
        "5000",
        "no_financials",
        {"capacity": None, "no_financials": "5000.00", "need": "73972.60"},
    ),
    (
        # a statement without equity, current items or revenue is no better than none
        buyer("empty statement", grade=4, pd=Decimal("0.008")),
        "5000",
        "no_financials",
        {"capacity": None, "no_financials": "5000.00", "need": None},
    ),
    (
        # grade 10 (insolvent): the grade cap is 0 and nothing is recommended
        buyer("grade10", grade=10, pd=Decimal("1"), **STATEMENT,
              expected_sales_minor="1200000", payment_terms_days=30),
        "0",
        "grade",
        {"grade": "0.00", "capacity": "0.00"},
    ),
    (
        # grade 9: above the policy's max credit grade 8 -> 0, bound by grade
        buyer("grade9", grade=9, pd=Decimal("0.3"), **STATEMENT),
        "0",
        "grade",
        {"grade": "0.00"},
    ),
    (
        # new buyer, 7 months of good history: 5,000 + 2 steps x 5,000 = 15,000
        buyer("new good", grade=3, pd=Decimal("0.004"), **STATEMENT,
              expected_sales_minor="1200000", history_months=7),
        "15000",
        "progressive",
        {"progressive": "15000.00", "capacity": "72000.00"},
    ),
    (
        # new buyer with a payment beyond tolerance: back to the starting limit
        buyer("new late", grade=3, pd=Decimal("0.004"), **STATEMENT,
              history_months=11, good_history=False),
        "5000",
        "progressive",
        {"progressive": "5000.00"},
    ),
    (
        # brand-new buyer, no ledger, no statement: progressive start and no-financials tie at
        # 5,000; ties go to no_financials (the earlier constraint)
        buyer("brand new", grade=5, pd=Decimal("0.015"), statement=False, history_months=0,
              good_history=False),
        "5000",
        "no_financials",
        {"progressive": "5000.00", "no_financials": "5000.00"},
    ),
    (
        # negative equity: that base gives 0 capacity
        buyer("negative equity", grade=4, pd=Decimal("0.008"), equity_minor="-50000",
              working_capital_minor="100000", revenue_minor="900000"),
        "0",
        "capacity",
        {"capacity": "0.00"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("row", "recommended", "binding", "constraints"),
    WORKED_EXAMPLES,
    ids=[example[0]["company_id"] for example in WORKED_EXAMPLES],
)
def test_worked_example(
    row: dict[str, Any], recommended: str, binding: str, constraints: dict[str, str | None]
) -> None:
    result = run(row)[row["company_id"]]
    assert result["recommended_minor"] == int(Decimal(recommended) * 100)
    assert result["binding"] == binding
    for name, expected in constraints.items():
        got = result[f"{name}_minor"]
        assert got == (None if expected is None else int(Decimal(expected) * 100)), name


def test_all_rows_at_once_give_the_same_answers() -> None:
    together = run(*(example[0] for example in WORKED_EXAMPLES))
    for row, recommended, binding, _ in WORKED_EXAMPLES:
        found = together[row["company_id"]]
        assert (found["recommended_minor"], found["binding"]) == (
            int(Decimal(recommended) * 100),
            binding,
        )


def test_capacity_basis_names_the_smallest_base() -> None:
    result = run(WORKED_EXAMPLES[0][0])["capacity"]
    assert result["capacity_basis"] == "working_capital"


def test_huge_figures_do_not_overflow_and_tiny_pd_has_no_float_error() -> None:
    row = buyer(
        "huge",
        grade=1,
        pd=Decimal("0.000000000000000001"),
        equity_minor="90000000000000000",
        working_capital_minor="90000000000000000",
        revenue_minor="90000000000000000",
        expected_sales_minor="90000000000000000",
    )
    result = run(row)["huge"]
    assert result["appetite_minor"] == 2**63 - 1
    assert result["capacity_minor"] == 720_000_000_000_000_000
    assert result["capacity_basis"] == "revenue"
    assert result["recommended_minor"] % 10_000 == 0


def test_rounding_unit_comes_from_the_policy() -> None:
    policy = DEFAULT_POLICY.model_copy(update={"rounding_unit": Decimal("1000")})
    row = WORKED_EXAMPLES[3][0]
    assert run(row, policy=policy)["appetite"]["recommended_minor"] == 317_000_00


def test_policy_amounts_convert_exactly_into_another_currency() -> None:
    rate = DatedRate("EUR", "USD", Decimal("1.0850"), rate_date=date(2026, 3, 1))
    amounts = policy_amounts(
        DEFAULT_POLICY, currency="USD", conversion=Conversion("EUR", "USD", (Leg(rate, False),))
    )
    assert amounts.max_expected_loss == 542_500
    assert amounts.engine_authority[0] == 27_125_000
    assert amounts.rounding_unit == 10_000
    assert EUR.engine_authority[-1] == 0


def test_a_grade_outside_1_to_10_is_refused_naming_the_buyer() -> None:
    with pytest.raises(InvalidInput, match="buyer bad: grade 11"):
        run(buyer("bad", grade=11, pd=Decimal("0.1")))


def test_missing_columns_are_named() -> None:
    with pytest.raises(InvalidInput, match="grade"):
        recommend_limits(pl.DataFrame({"company_id": ["x"]}), policy=DEFAULT_POLICY, amounts=EUR)
