"""Days sales outstanding, two ways, pure: standard (period average) and countback (month walk).

Sales are the invoiced amounts (before credit notes) by issue date, converted to the report
currency at the same rates as the open balance. Results are Decimal days with one decimal,
rounded half-even from the exact fraction; None when there are no sales to divide by.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

import polars as pl

from tradecredit.fx.rates import Converter, round_half_even
from tradecredit.kit.dates import month_start, previous_month_start
from tradecredit.kit.errors import InvalidInput
from tradecredit.kit.money import from_minor

MAX_PERIOD_DAYS = 3660


@dataclass(frozen=True)
class Countback:
    days: Decimal | None
    months_walked: int
    history_exhausted: bool


@dataclass(frozen=True)
class DsoResult:
    countback_days: Decimal | None
    standard_days: Decimal | None
    period_days: int
    period_start: date
    open_minor: int
    period_sales_minor: int
    countback_months: int
    method: str


def tenths(numerator: int, denominator: int) -> Decimal:
    """numerator / denominator as a Decimal with one decimal place, rounded half-even."""
    return Decimal(round_half_even(numerator * 10, denominator)).scaleb(-1)


def standard_dso(open_minor: int, sales_minor: int, period_days: int) -> Decimal | None:
    """Open balance / sales of the period x days in the period."""
    if sales_minor <= 0:
        return None
    return tenths(open_minor * period_days, sales_minor)


def countback_dso(open_minor: int, months: Iterator[tuple[int, int]]) -> Countback:
    """Walk back through (days, sales) months, newest first, until the balance is used up.

    Each month whose sales the balance exceeds adds its days; the month where the balance runs
    out adds balance / sales x its days. If the history ends first (only rounding can cause it),
    the figure is the whole history's length. None when there is no month at all.
    """
    first = next(months, None)
    if first is None:
        return Countback(None, 0, False)
    if open_minor <= 0:
        return Countback(Decimal("0.0"), 1, False)
    balance, whole_days, walked = open_minor, 0, 0
    for days, sales in itertools.chain([first], months):
        walked += 1
        if sales > 0 and balance <= sales:
            return Countback(tenths(whole_days * sales + balance * days, sales), walked, False)
        balance -= sales
        whole_days += days
    return Countback(tenths(whole_days, 1), walked, True)


def daily_sales(invoices: pl.DataFrame, *, as_of: date) -> pl.LazyFrame:
    """Invoiced amount per (issue date, currency), for invoices issued on or before `as_of`."""
    return (
        invoices.lazy()
        .filter(pl.col("issue_date") <= as_of)
        .group_by("issue_date", "currency")
        .agg(pl.col("amount_minor").sum().alias("sales_minor"))
    )


def _converted_sum(frame: pl.DataFrame, converter: Converter) -> int:
    per_currency = frame.group_by("currency").agg(pl.col("sales_minor").sum())
    return sum(
        converter.get(code).convert_minor(int(amount))
        for code, amount in per_currency.sort("currency").iter_rows()
    )


def _months(daily: pl.DataFrame, *, as_of: date, converter: Converter) -> Iterator[tuple[int, int]]:
    """(days counted, converted sales) per month, newest first: the current month's days so far."""
    if daily.is_empty():
        return
    monthly = daily.with_columns(pl.col("issue_date").dt.month_start().alias("month"))
    earliest: date = min(monthly["month"].to_list())
    start, days = month_start(as_of), as_of.day
    while start >= earliest:
        yield days, _converted_sum(monthly.filter(pl.col("month") == start), converter)
        start = previous_month_start(start)
        days = calendar.monthrange(start.year, start.month)[1]


def _money(minor: int, currency: str) -> str:
    return f"{from_minor(minor, currency):,} {currency}"


def _method(result: DsoResult, countback: Countback, currency: str, as_of: date) -> str:
    balance = _money(result.open_minor, currency)
    if countback.days is None:
        first = f"Countback: not computed, no sales on or before {as_of.isoformat()}."
    else:
        first = (
            f"Countback: {countback.days} days. The open balance of {balance} is matched against "
            f"sales month by month back from {as_of.isoformat()} (the {as_of.day} days of this "
            f"month so far, then whole months; the month where the balance runs out counts "
            f"balance left / its sales x its days); {countback.months_walked} month(s) walked"
            + (
                "; the balance exceeds all recorded sales, so the whole history is counted."
                if countback.history_exhausted
                else "."
            )
        )
    period = (
        f"the {result.period_days} days {result.period_start.isoformat()} to {as_of.isoformat()}"
    )
    if result.standard_days is None:
        second = f"Standard: not computed, no sales in {period}."
    else:
        second = (
            f"Standard: {result.standard_days} days = open balance {balance} / sales "
            f"{_money(result.period_sales_minor, currency)} invoiced in {period} x {result.period_days}."
        )
    return f"{first} {second} Sales are invoiced amounts by issue date, before credit notes, in {currency}."


def dso_figures(
    daily: pl.DataFrame, *, as_of: date, open_minor: int, period_days: int, converter: Converter
) -> DsoResult:
    """Both DSO figures for an open balance (report-currency minor units) and the daily sales."""
    if not 1 <= period_days <= MAX_PERIOD_DAYS:
        raise InvalidInput(
            f"invalid DSO period of {period_days} days: between 1 and {MAX_PERIOD_DAYS}",
            details={"field": "dso_period_days", "value": period_days},
        )
    period_start = as_of - timedelta(days=period_days - 1)
    in_period = daily.filter(pl.col("issue_date").is_between(period_start, as_of))
    period_sales = _converted_sum(in_period, converter)
    countback = countback_dso(open_minor, _months(daily, as_of=as_of, converter=converter))
    result = DsoResult(
        countback_days=countback.days,
        standard_days=standard_dso(open_minor, period_sales, period_days),
        period_days=period_days,
        period_start=period_start,
        open_minor=open_minor,
        period_sales_minor=period_sales,
        countback_months=countback.months_walked,
        method="",
    )
    return replace(result, method=_method(result, countback, converter.target, as_of))
