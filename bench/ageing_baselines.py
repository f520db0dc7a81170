"""The same query written the straightforward way: pandas, and a plain Polars group-by.

Both compute what `tradecredit.analytics.ageing.age_ledger(by="buyer")` computes: open amount
per invoice (amount - allocations - credit notes dated on or before the as-of date, floored at
0), each open item converted exactly (integer half-even, like the production code, so the
results can be compared to the cent), six buckets by days past due, sums per (buyer, bucket), share
over 120 days, and both DSO figures. They share only the scalar DSO walk with production.
(Polars 2 renamed `pl.cut` to `bin_intervals`; the Polars version uses it as `cut` was used.)
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from tradecredit.analytics.dso import countback_dso, standard_dso
from tradecredit.analytics.schemas import BUCKETS
from tradecredit.kit.dates import previous_month_start

EDGES = [0, 30, 60, 90, 120]
Factors = Mapping[str, tuple[int, int]]
"""Per currency: (numerator, denominator) from its minor units to report minor units."""


def _half_even(value: Any, numerator: int, denominator: int) -> Any:
    quotient, remainder = divmod(value * numerator, denominator)
    twice = remainder * 2
    return quotient + ((twice > denominator) | ((twice == denominator) & (quotient % 2 == 1)))


def _dso(
    monthly: dict[tuple[date, str], int],
    period: dict[str, int],
    factors: Factors,
    open_minor: int,
    as_of: date,
    period_days: int,
) -> tuple[str | None, str | None]:
    def convert(amounts: dict[str, int]) -> int:
        return sum(int(_half_even(a, *factors[c])) for c, a in sorted(amounts.items()))

    def months() -> Iterator[tuple[int, int]]:
        if not monthly:
            return
        earliest = min(month for month, _ in monthly)
        start, days = as_of.replace(day=1), as_of.day
        while start >= earliest:
            here = {c: a for (m, c), a in monthly.items() if m == start}
            yield days, convert(here)
            start = previous_month_start(start)
            days = calendar.monthrange(start.year, start.month)[1]

    standard = standard_dso(open_minor, convert(period), period_days)
    countback = countback_dso(open_minor, months()).days
    return (None if countback is None else str(countback)), (
        None if standard is None else str(standard)
    )


def _share(over: pd.Series, total: pd.Series) -> pd.Series:
    positive = total > 0
    share = _half_even(over.astype("int64"), 10_000, total.where(positive, 1).astype("int64"))
    return share.astype("Int64").where(positive)


def _half_even_expr(value: pl.Expr, numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    product = value * numerator
    quotient = product // denominator
    twice = (product - quotient * denominator) * 2
    up = (twice > denominator) | ((twice == denominator) & (quotient % 2 == 1))
    return quotient + up.cast(pl.Int64)


def pandas_ageing(
    frames: dict[str, pd.DataFrame], as_of: date, factors: Factors, period_days: int
) -> dict[str, Any]:
    invoices, cut = frames["invoices"], pd.Timestamp(as_of)
    allocations, credit_notes = frames["allocations"], frames["credit_notes"]
    settled = (
        pd.concat(
            [
                allocations.loc[allocations["applied_on"] <= cut, ["invoice", "amount_minor"]],
                credit_notes.loc[credit_notes["issue_date"] <= cut, ["invoice", "amount_minor"]],
            ]
        )
        .groupby("invoice")["amount_minor"]
        .sum()
    )
    issued = invoices.loc[invoices["issue_date"] <= cut]
    items = issued.join(settled.rename("settled"))
    items["open"] = (items["amount_minor"] - items["settled"].fillna(0).astype("int64")).clip(
        lower=0
    )
    items = items.loc[items["open"] > 0].copy()
    currency = items["currency"].astype(str)
    for code, (numerator, denominator) in factors.items():
        mask = np.asarray(currency == code)
        values = items.loc[mask, "open"].to_numpy(np.int64)
        items.loc[mask, "open"] = _half_even(values, numerator, denominator)
    days = (cut - items["due_date"]).dt.days
    items["bucket"] = pd.cut(days, bins=[-np.inf, *EDGES, np.inf], labels=list(BUCKETS))
    rows = items.pivot_table(
        index="company",
        columns="bucket",
        values="open",
        aggfunc="sum",
        fill_value=0,
        observed=True,
    ).reindex(columns=list(BUCKETS), fill_value=0)
    rows["total"] = rows[list(BUCKETS)].sum(axis=1)
    rows["open_invoices"] = items.groupby("company").size()
    rows["share_over_120_e4"] = _share(rows["over_120"], rows["total"])
    rows = rows.reset_index().rename(columns={"company": "group"})
    sales = invoices.loc[invoices["issue_date"] <= cut]
    month = sales["issue_date"].dt.to_period("M")
    monthly = sales.groupby([month, "currency"], observed=True)["amount_minor"].sum()
    start = pd.Timestamp(as_of - timedelta(days=period_days - 1))
    recent = sales.loc[sales["issue_date"] >= start]
    period = recent.groupby("currency", observed=True)["amount_minor"].sum()
    total = int(rows["total"].sum())
    dso = _dso(
        {(m.start_time.date(), str(c)): int(v) for (m, c), v in monthly.items()},
        {str(c): int(v) for c, v in period.items()},
        factors,
        total,
        as_of,
        period_days,
    )
    return {"rows": pl.from_pandas(rows), "total": total, "dso": dso}


def polars_ageing(
    frames: dict[str, pl.DataFrame], as_of: date, factors: Factors, period_days: int
) -> dict[str, Any]:
    invoices = (
        frames["invoices"]
        .lazy()
        .with_row_index("invoice")
        .with_columns(pl.col("invoice").cast(pl.Int64))
    )
    settled = (
        pl.concat(
            [
                frames["allocations"]
                .lazy()
                .filter(pl.col("applied_on") <= as_of)
                .select("invoice", "amount_minor"),
                frames["credit_notes"]
                .lazy()
                .filter(pl.col("issue_date") <= as_of)
                .select("invoice", "amount_minor"),
            ]
        )
        .group_by("invoice")
        .agg(pl.col("amount_minor").sum().alias("settled"))
    )
    items = (
        invoices.filter(pl.col("issue_date") <= as_of)
        .join(settled, on="invoice", how="left")
        .with_columns(
            (pl.col("amount_minor") - pl.col("settled").fill_null(0))
            .clip(lower_bound=0)
            .alias("open")
        )
        .filter(pl.col("open") > 0)
        .with_columns(
            (pl.lit(as_of) - pl.col("due_date"))
            .dt.total_days()
            .bin_intervals(EDGES, labels=list(BUCKETS), right_closed=True)
            .alias("bucket")
        )
    )
    factor = pl.LazyFrame(
        {
            "currency": list(factors),
            "num": [f[0] for f in factors.values()],
            "den": [f[1] for f in factors.values()],
        }
    ).with_columns(pl.col("currency").cast(frames["invoices"].schema["currency"]))
    converted = items.join(factor, on="currency").with_columns(
        _half_even_expr(pl.col("open"), pl.col("num"), pl.col("den")).alias("open")
    )
    cells = converted.group_by("company", "bucket").agg(pl.col("open").sum()).collect()
    wide = cells.pivot(on="bucket", index="company", values="open")
    wide = wide.with_columns(
        pl.lit(0, dtype=pl.Int64).alias(b) for b in BUCKETS if b not in wide.columns
    ).with_columns(pl.col(b).fill_null(0) for b in BUCKETS)
    counts = items.group_by("company").agg(pl.len().cast(pl.Int64).alias("open_invoices")).collect()
    rows = (
        wide.select("company", *BUCKETS)
        .with_columns(pl.sum_horizontal(*BUCKETS).alias("total"))
        .join(counts, on="company")
        .rename({"company": "group"})
    )
    share = _half_even_expr(pl.col("over_120"), pl.lit(10_000), pl.col("total"))
    rows = rows.with_columns(
        pl.when(pl.col("total") > 0).then(share).otherwise(None).alias("share_over_120_e4")
    )
    sales = frames["invoices"].lazy().filter(pl.col("issue_date") <= as_of)
    monthly = (
        sales.group_by(
            pl.col("issue_date").dt.month_start().alias("month"), pl.col("currency").cast(pl.String)
        )
        .agg(pl.col("amount_minor").sum())
        .collect()
    )
    start = as_of - timedelta(days=period_days - 1)
    period = (
        sales.filter(pl.col("issue_date") >= start)
        .group_by(pl.col("currency").cast(pl.String))
        .agg(pl.col("amount_minor").sum())
        .collect()
    )
    total = int(rows["total"].sum())
    dso = _dso(
        {(m, c): int(a) for m, c, a in monthly.iter_rows()},
        dict(period.iter_rows()),
        factors,
        total,
        as_of,
        period_days,
    )
    return {"rows": rows, "total": total, "dso": dso}
