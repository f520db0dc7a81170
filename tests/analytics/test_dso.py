"""DSO worked examples, computed by hand in each test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from analytics.ledgers import AS_OF, NO_RATES, Ledger, rates
from tradecredit.analytics.ageing import age_ledger
from tradecredit.analytics.dso import countback_dso, standard_dso
from tradecredit.kit.errors import InvalidInput


def _worked_ledger() -> Ledger:
    """Sales: 15 Jul 4,000.00; 10 Aug 6,200.00; 5 Sep 3,000.00. 3,200.00 of July's is paid."""
    ledger = Ledger()
    ledger.company("A")
    ledger.invoice("jul", 400_000, issued=date(2026, 7, 15), due=date(2026, 8, 14))
    ledger.invoice("aug", 620_000, issued=date(2026, 8, 10), due=date(2026, 9, 9))
    ledger.invoice("sep", 300_000, issued=date(2026, 9, 5), due=date(2026, 10, 5))
    ledger.pay("jul", 320_000, date(2026, 8, 20))
    return ledger


def test_countback_and_standard_worked_example() -> None:
    result = age_ledger(_worked_ledger().snapshot(), as_of=AS_OF, currency="EUR", rates=NO_RATES)
    dso = result.dso
    # open = 800 + 6,200 + 3,000 = 10,000.00
    assert dso.open_minor == 1_000_000
    # September (30 days so far): 10,000 - 3,000 = 7,000 left, 30 days;
    # August (31 days): 7,000 - 6,200 = 800 left, 61 days;
    # July: 800 / 4,000 x 31 = 6.2 days -> 67.2 days.
    assert dso.countback_days == Decimal("67.2")
    assert dso.countback_months == 3
    # 90 days 3 Jul - 30 Sep: sales 13,200; 10,000 / 13,200 x 90 = 68.18 -> 68.2 days.
    assert dso.period_start == date(2026, 7, 3)
    assert dso.period_sales_minor == 1_320_000
    assert dso.standard_days == Decimal("68.2")
    assert "10,000.00 EUR" in dso.method
    assert "13,200.00 EUR" in dso.method
    assert "90 days 2026-07-03 to 2026-09-30" in dso.method
    assert "Countback: 67.2 days" in dso.method
    assert "Standard: 68.2 days" in dso.method


def test_a_shorter_standard_period_sees_fewer_sales() -> None:
    result = age_ledger(
        _worked_ledger().snapshot(), as_of=AS_OF, currency="EUR", rates=NO_RATES, dso_period_days=30
    )
    # 1 - 30 Sep: sales 3,000; 10,000 / 3,000 x 30 = 100.0 days.
    assert result.dso.period_sales_minor == 300_000
    assert result.dso.standard_days == Decimal("100.0")


def test_sales_in_other_currencies_are_converted_for_dso() -> None:
    ledger = Ledger()
    ledger.company("A")
    ledger.invoice("usd", 200_000, currency="USD", issued=date(2026, 9, 10), due=date(2026, 10, 10))
    ledger.invoice("eur", 100_000, issued=date(2026, 8, 10), due=date(2026, 9, 9))
    ledger.pay("eur", 100_000, date(2026, 9, 1))
    result = age_ledger(
        ledger.snapshot(), as_of=AS_OF, currency="EUR", rates=rates(("EUR", "USD", "2", AS_OF))
    )
    # open = 2,000 USD = 1,000 EUR; sales 1,000 + 1,000 EUR in 90 days -> 1,000/2,000 x 90 = 45.0.
    assert result.dso.standard_days == Decimal("45.0")
    # September's sales (1,000 EUR) cover the balance exactly: 1,000/1,000 x 30 = 30.0 days.
    assert result.dso.countback_days == Decimal("30.0")


def test_a_month_without_sales_counts_its_days_while_the_balance_lasts() -> None:
    # open 1,000; September has no sales (30 days); August sold 2,000: 30 + 1,000/2,000 x 31.
    assert countback_dso(1_000, iter([(30, 0), (31, 2_000), (31, 5_000)])).days == Decimal("45.5")


def test_rounding_is_half_even_to_one_decimal() -> None:
    assert standard_dso(1, 4, 1) == Decimal("0.2")  # 0.25 -> 0.2
    assert standard_dso(3, 4, 1) == Decimal("0.8")  # 0.75 -> 0.8
    assert countback_dso(1, iter([(1, 4)])).days == Decimal("0.2")


def test_no_sales_means_no_figure_and_no_balance_means_zero() -> None:
    assert standard_dso(1_000, 0, 90) is None
    assert countback_dso(1_000, iter([])).days is None
    assert countback_dso(0, iter([(30, 5_000)])).days == Decimal("0.0")
    empty = age_ledger(Ledger().snapshot(), as_of=AS_OF, currency="EUR", rates=NO_RATES)
    assert empty.dso.countback_days is None
    assert empty.dso.standard_days is None
    assert "not computed" in empty.dso.method


def test_a_balance_beyond_all_sales_counts_the_whole_history() -> None:
    walk = countback_dso(150, iter([(30, 100)]))
    assert walk.days == Decimal("30.0")
    assert walk.history_exhausted


def test_the_standard_period_must_be_sensible() -> None:
    with pytest.raises(InvalidInput, match="DSO period"):
        age_ledger(
            Ledger().snapshot(), as_of=AS_OF, currency="EUR", rates=NO_RATES, dso_period_days=0
        )
