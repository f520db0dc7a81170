"""Payment experience for progressive limits: pure Polars, no session.

- `history_months`: whole calendar months from a buyer's first invoice to the as-of date (a
  month counts once its day of the month is reached);
- `good_history`: no invoice due in the window (the policy's `established_after_months` before
  the as-of date) was settled, or is still open, more than `tolerance_days` after its due date.
  An invoice is settled when its allocations and credit notes dated on or before the as-of date
  cover its amount, on the latest of their dates (as in scoring's payment behaviour); an open
  one is measured up to the as-of date.
"""

from __future__ import annotations

from datetime import date

import polars as pl


def _months_between(first: pl.Expr, as_of: date) -> pl.Expr:
    months = (as_of.year - first.dt.year()) * 12 + (as_of.month - first.dt.month())
    return (months - (first.dt.day() > as_of.day).cast(pl.Int32)).clip(lower_bound=0)


def months_of_history(first_invoices: pl.DataFrame, *, as_of: date) -> pl.DataFrame:
    """`company_id`, `history_months` from each buyer's first invoice date (`first_issue`)."""
    return first_invoices.select(
        "company_id",
        _months_between(pl.col("first_issue"), as_of).cast(pl.Int64).alias("history_months"),
    )


def good_history(invoices: pl.DataFrame, *, as_of: date, tolerance_days: int) -> pl.DataFrame:
    """`company_id`, `good_history` for every buyer with an invoice in `invoices` (those due in
    the window, each with `amount_minor`, `due_date`, `settled_minor` and `last_settled_on`: the
    sum and the latest date of its allocations and credit notes up to `as_of`)."""
    covered = pl.col("settled_minor").fill_null(0) >= pl.col("amount_minor")
    settled_on = pl.when(covered).then(pl.col("last_settled_on"))
    days_late = (settled_on.fill_null(as_of) - pl.col("due_date")).dt.total_days()
    return invoices.group_by("company_id").agg(
        (days_late.max() <= tolerance_days).alias("good_history")
    )
