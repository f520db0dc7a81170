"""Ageing: a pure function over a ledger snapshot (Polars frames in, Polars frames out).

Every open invoice falls in exactly one bucket, so the buckets add up to the open balance:
not yet due (due on or after the as-of date), 1-30, 31-60, 61-90, 91-120 and over 120 days past
due. Money stays in Int64 minor units. Each open item is converted to the report currency with
exact rational arithmetic, rounded half-even once, then summed per (bucket, group) by an integer
scatter-add; a row's total is the sum of its buckets and the grand totals are sums of the rows,
so everything reconciles exactly, and the grand total is the same in every grouping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast, get_args

import numpy as np
import polars as pl
import pycountry

from tradecredit.analytics.conversion import convert_minor_array
from tradecredit.analytics.dso import DsoResult, daily_sales, dso_figures
from tradecredit.analytics.open_items import OVER_120, largest, open_items
from tradecredit.analytics.schemas import BUCKETS, AgeingGrouping
from tradecredit.analytics.snapshot import LedgerSnapshot
from tradecredit.fx.rates import Conversion, Converter, RateTable
from tradecredit.kit.countries import NACE_SECTIONS, country_name
from tradecredit.kit.currencies import validate_currency
from tradecredit.kit.errors import InvalidInput

GROUPINGS: tuple[str, ...] = get_args(AgeingGrouping)
SHARE_SCALE = 10_000
"""share_over_120 is kept as an integer number of ten-thousandths (4 decimals)."""
_INT64_LIMIT = 2**63
ROW_COLUMNS = ("key", "label", *BUCKETS, "total", "share_over_120_e4", "open_invoices")


@dataclass(frozen=True)
class AgeingResult:
    """Rows (one per group) and totals in report-currency minor units, plus what produced them."""

    as_of: date
    by: AgeingGrouping
    currency: str
    rows: pl.DataFrame
    totals: dict[str, Any]
    conversions: tuple[Conversion, ...]
    dso: DsoResult


def validate_grouping(by: str) -> AgeingGrouping:
    if by not in GROUPINGS:
        raise InvalidInput(
            f"invalid grouping by={by!r}: one of {', '.join(GROUPINGS)}",
            details={"field": "by", "value": by},
        )
    return cast(AgeingGrouping, by)


@dataclass(frozen=True)
class Items:
    """Open items as arrays: buyer row, currency (index into `currencies`), amount, bucket."""

    company: np.ndarray
    currency: np.ndarray
    currencies: list[str]
    open_minor: np.ndarray
    bucket: np.ndarray


def item_arrays(items: pl.DataFrame) -> Items:
    """The open items as arrays; currencies numbered in code order (an Enum column is free)."""
    column = items["currency"]
    if not isinstance(column.dtype, pl.Enum):
        column = column.cast(pl.Enum(sorted(column.unique().to_list())))
    categories = list(cast(pl.Enum, column.dtype).categories)
    codes = column.to_physical().cast(pl.Int64).to_numpy()
    present = np.flatnonzero(np.bincount(codes, minlength=len(categories)))
    ordered = sorted(present.tolist(), key=lambda k: categories[k])
    renumber = np.full(len(categories), -1, dtype=np.int64)
    renumber[ordered] = np.arange(len(ordered))
    return Items(
        company=items["company"].to_numpy(),
        currency=renumber[codes],
        currencies=[categories[k] for k in ordered],
        open_minor=items["open_minor"].to_numpy(),
        bucket=items["bucket"].cast(pl.Int64).to_numpy(),
    )


@dataclass(frozen=True)
class Groups:
    """The report's rows before aggregation: one key per group, and each open item's group."""

    keys: pl.Series
    of_item: np.ndarray


def _dense_codes(values: pl.Series) -> tuple[pl.Series, np.ndarray]:
    keys = values.unique().sort()
    index = pl.int_range(keys.len(), eager=True)
    codes = values.replace_strict(keys, index, return_dtype=pl.Int64)
    return keys, codes.to_numpy()


def _groups(items: Items, companies: pl.DataFrame, by: str) -> Groups:
    if by == "total":
        return Groups(pl.Series("key", ["total"]), np.zeros(len(items.company), dtype=np.int64))
    if by == "currency":
        return Groups(pl.Series("key", items.currencies, dtype=pl.String), items.currency)
    if by == "buyer":
        return Groups(companies["id"].alias("key"), items.company)
    attribute = companies["country"] if by == "country" else companies["sector"].str.slice(0, 1)
    keys, codes = _dense_codes(attribute.fill_null(""))
    return Groups(keys.alias("key"), codes[items.company])


def bucket_sums(
    group: np.ndarray, bucket: np.ndarray, amount: np.ndarray, groups: int
) -> np.ndarray:
    """Open amount per (bucket, group), flat (bucket-major): an exact integer scatter-add."""
    sums = np.zeros(len(BUCKETS) * groups, dtype=np.int64)
    np.add.at(sums, bucket * groups + group, amount)
    return sums


def _by_currency(items: Items, group: np.ndarray) -> tuple[np.ndarray, ...]:
    """Group, bucket and amount arrays ordered by currency, and where each currency starts."""
    if len(items.currencies) == 1:
        bounds = np.array([0, len(group)])
        return group, items.bucket, items.open_minor, bounds
    order = np.argsort(items.currency.astype(np.int16), kind="stable")
    codes = items.currency[order]
    bounds = np.searchsorted(codes, np.arange(len(items.currencies) + 1))
    return group[order], items.bucket[order], items.open_minor[order], bounds


def _converted_buckets(items: Items, groups: Groups, converter: Converter) -> pl.DataFrame:
    """Each open item converted (rounded half-even once), then summed per (bucket, group).

    Converting item by item, as an ERP does, makes the grand total the same whichever way the
    report is grouped; converting group sums would let views differ by a rounding cent.
    """
    count = groups.keys.len()
    group, bucket, amount, bounds = _by_currency(items, groups.of_item)
    converted = np.empty_like(amount)
    for index, code in enumerate(items.currencies):
        part = slice(bounds[index], bounds[index + 1])
        conversion = converter.get(code)
        largest_item = int(np.abs(amount[part]).max()) if amount[part].size else 0
        if (largest_item + 1) * conversion.numerator // conversion.denominator >= _INT64_LIMIT:
            _refuse(converter.target)
        converted[part] = convert_minor_array(amount[part], conversion)
    if exact_sum(np.abs(converted)) >= _INT64_LIMIT:
        _refuse(converter.target)
    matrix = bucket_sums(group, bucket, converted, count).reshape(len(BUCKETS), count)
    return pl.DataFrame({name: matrix[i] for i, name in enumerate(BUCKETS)})


def exact_sum(values: np.ndarray) -> int:
    """The exact sum of non-negative Int64 values: high and low 32-bit halves summed apart."""
    high = int((values >> 32).sum())
    low = int((values & 0xFFFFFFFF).sum())
    return (high << 32) + low


def _refuse(currency: str) -> None:
    """The whole open balance bounds every partial sum: refuse rather than risk a wrap."""
    raise InvalidInput(
        f"the open balance in {currency} exceeds 64-bit minor units; "
        "report in a currency with fewer units per unit of value"
    )


def share_over_120(over_120: pl.Expr, total: pl.Expr, *, dtype: pl.DataType) -> pl.Expr:
    """over_120 / total in ten-thousandths, half-even; null when the total is 0."""
    numerator = over_120.cast(dtype) * SHARE_SCALE
    denominator = total.cast(dtype)
    quotient = numerator // denominator
    twice = (numerator - quotient * denominator) * 2
    up = (twice > denominator) | ((twice == denominator) & ((quotient % 2) == 1))
    share = (quotient + up.cast(dtype)).cast(pl.Int64)
    return pl.when(total > 0).then(share).otherwise(None)


def _share_dtype(largest_total: int) -> pl.DataType:
    return pl.Int64() if largest_total * SHARE_SCALE * 2 < 2**62 else pl.Int128()


def _rows(buckets: pl.DataFrame, groups: Groups) -> pl.DataFrame:
    """Groups with open invoices: buckets, the total as the sum of buckets, and the share."""
    counts = np.bincount(groups.of_item, minlength=groups.keys.len()).astype(np.int64)
    rows = (
        buckets.with_columns(
            groups.keys.alias("key"),
            pl.Series("open_invoices", counts, dtype=pl.Int64),
            pl.int_range(pl.len(), dtype=pl.Int64).alias("group"),
        )
        .filter(pl.col("open_invoices") > 0)
        .with_columns(pl.sum_horizontal(*BUCKETS).alias("total"))
    )
    dtype = _share_dtype(largest(rows["total"]))
    share = share_over_120(pl.col(BUCKETS[OVER_120]), pl.col("total"), dtype=dtype)
    return rows.with_columns(share.alias("share_over_120_e4"))


def _currency_name(code: str) -> str:
    found = pycountry.currencies.get(alpha_3=code)
    return str(found.name) if found else code


def _labels(rows: pl.DataFrame, companies: pl.DataFrame, by: str) -> pl.DataFrame:
    if by == "buyer":
        named = companies.select("name", "country")[rows["group"]]
        label = named.select(pl.format("{} ({})", "name", "country").alias("label"))
        return rows.with_columns(label["label"])
    keys = rows["key"].to_list()
    if by == "country":
        labels = [country_name(k) if k else "unknown country" for k in keys]
    elif by == "sector":
        labels = [NACE_SECTIONS[k][0] if k in NACE_SECTIONS else "unknown sector" for k in keys]
    elif by == "currency":
        labels = [_currency_name(k) for k in keys]
    else:
        labels = ["All buyers" for _ in keys]
    return rows.with_columns(pl.Series("label", labels, dtype=pl.String))


def _totals(rows: pl.DataFrame) -> dict[str, Any]:
    sums = {name: int(rows[name].sum()) for name in (*BUCKETS, "open_invoices")}
    sums["total"] = sum(sums[name] for name in BUCKETS)
    share = share_over_120(
        pl.lit(sums[BUCKETS[OVER_120]]), pl.lit(sums["total"]), dtype=pl.Int128()
    )
    sums["share_over_120_e4"] = pl.select(share).item()
    return sums


def age_ledger(
    snapshot: LedgerSnapshot,
    *,
    as_of: date,
    by: str = "total",
    currency: str,
    rates: RateTable,
    dso_period_days: int = 90,
) -> AgeingResult:
    """The ageing table by `by` and the DSO figures, in `currency`, as of `as_of`.

    Rows come largest total first (ties in group order: buyers in the companies frame's order,
    other keys sorted).
    """
    grouping = validate_grouping(by)
    validate_currency(currency)
    items = item_arrays(open_items(snapshot, as_of=as_of))
    groups = _groups(items, snapshot.companies, grouping)
    converter = Converter(rates, currency)
    buckets = _converted_buckets(items, groups, converter)
    ranked = _rows(buckets, groups).sort("total", descending=True, maintain_order=True)
    rows = _labels(ranked, snapshot.companies, grouping).select(ROW_COLUMNS)
    totals = _totals(rows)
    dso = dso_figures(
        daily_sales(snapshot.invoices, as_of=as_of).collect(engine="streaming"),
        as_of=as_of,
        open_minor=totals["total"],
        period_days=dso_period_days,
        converter=converter,
    )
    return AgeingResult(as_of, grouping, currency, rows, totals, converter.used(), dso)
