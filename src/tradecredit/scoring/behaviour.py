"""Payment behaviour per buyer from the ledger as of a date: pure Polars, no session.

Inputs (frames linked by id; `scores.py` loads them with Core selects scoped to the organisation):

- invoices: `invoice_id`, `company_id`, `amount_minor` (Int64), `due_date` (Date);
- allocations: `invoice_id`, `amount_minor`, `applied_on`;
- credit_notes: `invoice_id`, `amount_minor`, `issue_date`.

Rules. Only settlements dated on or before the as-of date count. An invoice is *paid* when its
allocations and credit notes cover its amount and at least one allocation exists (an invoice
cancelled by credit notes alone was never paid); its payment date is its last allocation's date,
and its days beyond terms are max(0, payment date - due date): paying early is not negative
lateness. Per buyer:

- `dbt_average`: days beyond terms of all paid invoices, weighted by invoice amount;
- `dbt_recent`: the same over invoices paid within `recent_months` (6) before the as-of date,
  `dbt_earlier` over those paid before, `dbt_trend` = recent - earlier (positive: paying later);
- `overdue_30_share`: open amount more than `overdue_days` (30) past due / open amount;
- `paid_invoices`: how many invoices are paid.

A buyer with no paid invoice has missing (null) day figures, never 0; a buyer with nothing open has
a missing overdue share. Weights are amounts in minor units of each invoice's own currency: a buyer
invoiced in several currencies is weighted without FX conversion (the days, not the amounts, are
the figure reported).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from tradecredit.scoring.overlays import months_before

BEHAVIOUR_COLUMNS: tuple[str, ...] = (
    "paid_invoices",
    "dbt_average",
    "dbt_recent",
    "dbt_earlier",
    "dbt_trend",
    "overdue_30_share",
)


@dataclass(frozen=True)
class BehaviourParameters:
    recent_months: int = 6
    overdue_days: int = 30


DEFAULT_BEHAVIOUR = BehaviourParameters()


def _settled(frame: pl.DataFrame, day_column: str, as_of: date) -> pl.DataFrame:
    return (
        frame.filter(pl.col(day_column) <= as_of)
        .group_by("invoice_id")
        .agg(
            pl.col("amount_minor").sum().alias("settled_minor"),
            pl.col(day_column).max().alias("last_day"),
            pl.len().alias("count"),
        )
    )


def _invoice_state(
    invoices: pl.DataFrame, allocations: pl.DataFrame, credit_notes: pl.DataFrame, as_of: date
) -> pl.DataFrame:
    paid = _settled(allocations, "applied_on", as_of).rename(
        {"settled_minor": "allocated_minor", "last_day": "paid_on", "count": "allocations"}
    )
    credited = _settled(credit_notes, "issue_date", as_of).select(
        "invoice_id", pl.col("settled_minor").alias("credited_minor")
    )
    return (
        invoices.filter(pl.col("due_date").is_not_null())
        .join(paid, on="invoice_id", how="left")
        .join(credited, on="invoice_id", how="left")
        .with_columns(
            (
                pl.col("amount_minor")
                - pl.col("allocated_minor").fill_null(0)
                - pl.col("credited_minor").fill_null(0)
            )
            .clip(lower_bound=0)
            .alias("open_minor")
        )
    )


def _weighted_days(condition: pl.Expr) -> pl.Expr:
    weight = pl.when(condition).then(pl.col("amount_minor")).otherwise(0)
    total = weight.sum()
    days = (pl.col("dbt") * weight).sum()
    return pl.when(total > 0).then(days.cast(pl.Float64) / total.cast(pl.Float64))


def payment_behaviour(
    *,
    invoices: pl.DataFrame,
    allocations: pl.DataFrame,
    credit_notes: pl.DataFrame,
    as_of: date,
    parameters: BehaviourParameters = DEFAULT_BEHAVIOUR,
) -> pl.DataFrame:
    """One row per buyer that has an invoice issued: `company_id` then BEHAVIOUR_COLUMNS."""
    state = _invoice_state(invoices, allocations, credit_notes, as_of)
    recent_from = months_before(as_of, parameters.recent_months)
    is_paid = (pl.col("open_minor") == 0) & pl.col("allocations").is_not_null()
    is_recent = pl.col("paid_on") > recent_from
    overdue = (pl.lit(as_of) - pl.col("due_date")).dt.total_days() > parameters.overdue_days
    open_total = pl.col("open_minor").sum()
    frame = (
        state.with_columns(
            (pl.col("paid_on") - pl.col("due_date"))
            .dt.total_days()
            .clip(lower_bound=0)
            .alias("dbt")
        )
        .group_by("company_id", maintain_order=True)
        .agg(
            is_paid.sum().cast(pl.Int64).alias("paid_invoices"),
            _weighted_days(is_paid).alias("dbt_average"),
            _weighted_days(is_paid & is_recent).alias("dbt_recent"),
            _weighted_days(is_paid & ~is_recent).alias("dbt_earlier"),
            pl.when(open_total > 0)
            .then(
                pl.when(overdue).then(pl.col("open_minor")).otherwise(0).sum().cast(pl.Float64)
                / open_total.cast(pl.Float64)
            )
            .alias("overdue_30_share"),
        )
    )
    return frame.with_columns(
        (pl.col("dbt_recent") - pl.col("dbt_earlier")).alias("dbt_trend")
    ).select("company_id", *BEHAVIOUR_COLUMNS)
