"""Exposure as of a date, a pure computation over Polars frames (no session).

A buyer's exposure is what it owes now plus what it will owe for goods ordered or delivered:

- open invoices: amount - allocations - credit notes, the open-item rule of
  `tradecredit.analytics.open_items` (disputed amounts stay in it);
- uninvoiced deliveries: goods delivered on or before the date and not yet invoiced;
- uninvoiced orders: the rest of an order, neither delivered nor invoiced.

An order is invoiced by every invoice whose `order_reference` is the order's reference (any buyer
of the organisation), issued on or before the date; an invoice in another currency counts at the
dated rate into the order's currency. The invoiced amount, capped at the order amount, is taken
off the deliveries first (goods are invoiced once delivered), then off the undelivered rest, so
a sale is counted once: in the order while it is not invoiced, in the invoice afterwards.
An order with status `invoiced` counts nothing. A cancelled order keeps its delivered, uninvoiced
part and drops the rest. Orders placed after the date count nothing.

Amounts are summed per buyer and currency in minor units, then each sum is converted once into
the target currency (exact, half-even); the total is the sum of the three parts, and a group's
figures are the sums of its members' figures, so everything reconciles exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from tradecredit.analytics.conversion import convert_minor_array
from tradecredit.fx.rates import Conversion, Converter, RateTable, resolve

PARTS = ("open_invoices_minor", "uninvoiced_orders_minor", "uninvoiced_deliveries_minor")
ORDER_SCHEMA: dict[str, Any] = {
    "order_reference": pl.String,
    "company_id": pl.String,
    "currency": pl.String,
    "amount_minor": pl.Int64,
    "order_date": pl.Date,
    "status": pl.String,
    "cancelled_on": pl.Date,
}
DELIVERY_SCHEMA: dict[str, Any] = {
    "order_reference": pl.String,
    "amount_minor": pl.Int64,
    "delivered_on": pl.Date,
}
ORDER_INVOICE_SCHEMA: dict[str, Any] = {
    "order_reference": pl.String,
    "currency": pl.String,
    "amount_minor": pl.Int64,
    "issue_date": pl.Date,
}
OPEN_ITEM_SCHEMA: dict[str, Any] = {
    "company_id": pl.String,
    "currency": pl.String,
    "open_minor": pl.Int64,
}


@dataclass(frozen=True)
class ExposureResult:
    """One row per buyer (or group) in target minor units, and the conversions used.

    For groups, `members` holds the buyer rows with their `group_id`."""

    as_of: date
    currency: str
    rows: pl.DataFrame
    conversions: tuple[Conversion, ...]
    members: pl.DataFrame | None = None


def _sum_by(frame: pl.DataFrame, key: str, value: str, alias: str) -> pl.DataFrame:
    return frame.group_by(key).agg(pl.col(value).sum().alias(alias))


def _invoiced_in_order_currency(
    orders: pl.DataFrame, invoices: pl.DataFrame, rates: RateTable
) -> pl.DataFrame:
    """Per order reference: its invoices' amounts, each in the order's currency."""
    matched = invoices.join(
        orders.select("order_reference", pl.col("currency").alias("order_currency")),
        on="order_reference",
        how="inner",
    )
    parts = []
    pairs = matched.partition_by(["currency", "order_currency"], as_dict=True)
    for (source, target), chunk in sorted(pairs.items(), key=lambda pair: str(pair[0])):
        conversion = resolve(rates, str(source), str(target))
        converted = convert_minor_array(chunk["amount_minor"].to_numpy(), conversion)
        parts.append(chunk.select("order_reference").with_columns(amount_minor=converted))
    if not parts:
        return pl.DataFrame(schema={"order_reference": pl.String, "invoiced_minor": pl.Int64})
    return _sum_by(pl.concat(parts), "order_reference", "amount_minor", "invoiced_minor")


def order_positions(
    *,
    orders: pl.DataFrame,
    deliveries: pl.DataFrame,
    invoices: pl.DataFrame,
    as_of: date,
    rates: RateTable,
) -> pl.DataFrame:
    """Per order counted on `as_of`, in its own currency: delivered, invoiced, and the
    uninvoiced orders and deliveries parts (see the module docstring for the rule)."""
    live = orders.filter((pl.col("order_date") <= as_of) & (pl.col("status") != "invoiced"))
    delivered = _sum_by(
        deliveries.filter(pl.col("delivered_on") <= as_of),
        "order_reference",
        "amount_minor",
        "delivered_minor",
    )
    invoiced = _invoiced_in_order_currency(
        live, invoices.filter(pl.col("issue_date") <= as_of), rates
    )
    cancelled = (pl.col("status") == "cancelled") & (
        pl.col("cancelled_on").is_null() | (pl.col("cancelled_on") <= as_of)
    )
    counted = pl.min_horizontal("amount_minor", "invoiced_minor")
    return (
        live.join(delivered, on="order_reference", how="left")
        .join(invoiced, on="order_reference", how="left")
        .with_columns(pl.col("delivered_minor", "invoiced_minor").fill_null(0))
        .with_columns(
            uninvoiced_deliveries_minor=(pl.col("delivered_minor") - counted).clip(lower_bound=0),
            uninvoiced_orders_minor=pl.when(cancelled)
            .then(0)
            .otherwise(pl.col("amount_minor") - pl.max_horizontal("delivered_minor", counted))
            .clip(lower_bound=0),
        )
    )


def _native_parts(open_items: pl.DataFrame, positions: pl.DataFrame) -> pl.DataFrame:
    """Per buyer and currency, the three parts in that currency's minor units."""
    keys = ["company_id", "currency"]
    invoices = open_items.select(
        *keys,
        pl.col("open_minor").alias("open_invoices_minor"),
        pl.lit(0, pl.Int64).alias("uninvoiced_orders_minor"),
        pl.lit(0, pl.Int64).alias("uninvoiced_deliveries_minor"),
    )
    orders = positions.select(
        *keys,
        pl.lit(0, pl.Int64).alias("open_invoices_minor"),
        pl.col("uninvoiced_orders_minor").cast(pl.Int64),
        pl.col("uninvoiced_deliveries_minor").cast(pl.Int64),
    )
    combined = pl.concat([invoices.cast({"currency": pl.String}), orders])
    return (
        combined.group_by(keys)
        .agg(pl.col(part).sum() for part in PARTS)
        .filter(pl.any_horizontal(pl.col(part) != 0 for part in PARTS))
    )


def _converted(native: pl.DataFrame, converter: Converter) -> pl.DataFrame:
    """The parts in target minor units; `fx_rate_date` is the oldest rate each one used.
    Currencies are converted in code order, so a missing rate is always reported the same way."""
    parts = []
    by_currency = native.partition_by("currency", as_dict=True)
    for (source,), chunk in sorted(by_currency.items(), key=lambda pair: str(pair[0])):
        conversion = converter.get(str(source))
        converted = {
            part: convert_minor_array(chunk[part].to_numpy(), conversion) for part in PARTS
        }
        parts.append(
            chunk.select("company_id").with_columns(
                **{part: pl.Series(values, dtype=pl.Int64) for part, values in converted.items()},
                fx_rate_date=pl.lit(conversion.oldest_rate_date, dtype=pl.Date),
            )
        )
    schema = {"company_id": pl.String, **dict.fromkeys(PARTS, pl.Int64), "fx_rate_date": pl.Date}
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def buyer_exposure(
    *,
    companies: pl.DataFrame,
    open_items: pl.DataFrame,
    positions: pl.DataFrame,
    as_of: date,
    currency: str,
    rates: RateTable,
) -> ExposureResult:
    """One row per company in `companies` (column `id`), zero where nothing is open.

    `open_items`: company_id, currency, open_minor; `positions`: `order_positions`' output.
    Columns: company_id, the three parts, total_minor, fx_rate_date (null: nothing converted).
    """
    converter = Converter(rates, currency)
    converted = _converted(_native_parts(open_items, positions), converter)
    per_buyer = converted.group_by("company_id").agg(
        *(pl.col(part).sum() for part in PARTS), pl.col("fx_rate_date").min()
    )
    rows = (
        companies.select(pl.col("id").cast(pl.String).alias("company_id"))
        .join(per_buyer, on="company_id", how="left", maintain_order="left")
        .with_columns(pl.col(part).fill_null(0) for part in PARTS)
        .with_columns(total_minor=pl.sum_horizontal(*PARTS))
    )
    return ExposureResult(as_of, currency, rows, converter.used())


def ultimate_parents(companies: pl.DataFrame) -> pl.DataFrame:
    """company_id -> group_id: the top of its chain of `group_parent_id`s.

    A parent outside the frame ends the chain. A chain that runs into a cycle ends at the
    cycle's smallest id, so every member of a cycle lands in the same group.
    """
    parent_of = dict(
        zip(
            companies["id"].cast(pl.String).to_list(),
            companies["group_parent_id"].cast(pl.String).to_list(),
            strict=True,
        )
    )
    roots: dict[str, str] = {}
    for start in parent_of:
        path: list[str] = []
        position: dict[str, int] = {}
        node = start
        while True:
            if node in roots:
                root = roots[node]
                break
            if node in position:
                root = min(path[position[node] :])
                break
            position[node] = len(path)
            path.append(node)
            parent = parent_of[node]
            if parent is None or parent not in parent_of:
                root = node
                break
            node = parent
        for member in path:
            roots[member] = root
    return pl.DataFrame(
        {"company_id": list(roots), "group_id": list(roots.values())},
        schema={"company_id": pl.String, "group_id": pl.String},
    )


def group_exposure(buyers: ExposureResult, groups: pl.DataFrame) -> ExposureResult:
    """Sum the buyer rows per ultimate parent (`ultimate_parents`' output): one row per group,
    the parent included, with `members` (how many companies) and the oldest rate date used."""
    members = buyers.rows.join(groups, on="company_id", how="left").with_columns(
        pl.col("group_id").fill_null(pl.col("company_id"))
    )
    rows = (
        members.group_by("group_id")
        .agg(
            pl.len().alias("members"),
            *(pl.col(part).sum() for part in (*PARTS, "total_minor")),
            pl.col("fx_rate_date").min(),
        )
        .sort("group_id")
    )
    return ExposureResult(buyers.as_of, buyers.currency, rows, buyers.conversions, members)


def frame(rows: list[tuple[Any, ...]], schema: dict[str, Any]) -> pl.DataFrame:
    """Rows of a Core select as a frame with `schema` (uuids as strings)."""
    columns = [list(column) for column in zip(*rows, strict=True)] or [[] for _ in schema]
    data = {
        name: [None if v is None else str(v) for v in values] if dtype == pl.String else values
        for (name, dtype), values in zip(schema.items(), columns, strict=True)
    }
    return pl.DataFrame(data, schema=schema)
