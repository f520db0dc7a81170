"""Hand-computed payment behaviour. As of 2026-03-31; recent = paid after 2025-09-30."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from tradecredit.scoring.behaviour import BEHAVIOUR_COLUMNS, payment_behaviour

AS_OF = date(2026, 3, 31)


def invoices(*rows: tuple[str, str, int, date]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "invoice_id": pl.String,
            "company_id": pl.String,
            "amount_minor": pl.Int64,
            "due_date": pl.Date,
        },
        orient="row",
    )


def settlements(*rows: tuple[str, int, date], day: str) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"invoice_id": pl.String, "amount_minor": pl.Int64, day: pl.Date},
        orient="row",
    )


def behaviour(inv: pl.DataFrame, allocs: pl.DataFrame, notes: pl.DataFrame | None = None) -> dict:
    notes = notes if notes is not None else settlements(day="issue_date")
    frame = payment_behaviour(invoices=inv, allocations=allocs, credit_notes=notes, as_of=AS_OF)
    return {row["company_id"]: row for row in frame.iter_rows(named=True)}


def test_weighted_average_recent_earlier_and_trend() -> None:
    inv = invoices(
        ("i1", "A", 100_00, date(2025, 3, 1)),
        ("i2", "A", 300_00, date(2025, 11, 1)),
        ("i3", "A", 200_00, date(2026, 1, 10)),
    )
    allocs = settlements(
        ("i1", 50_00, date(2025, 3, 5)),
        ("i1", 50_00, date(2025, 3, 11)),  # last allocation: 10 days late
        ("i2", 300_00, date(2025, 12, 1)),  # 30 days late, recent
        ("i3", 200_00, date(2026, 1, 5)),  # 5 days early: 0, recent
        day="applied_on",
    )
    row = behaviour(inv, allocs)["A"]
    assert row["paid_invoices"] == 3
    assert row["dbt_average"] == pytest.approx((100 * 10 + 300 * 30 + 200 * 0) / 600)
    assert row["dbt_recent"] == pytest.approx((300 * 30) / 500)
    assert row["dbt_earlier"] == pytest.approx(10.0)
    assert row["dbt_trend"] == pytest.approx(18.0 - 10.0)
    assert row["overdue_30_share"] is None


def test_no_paid_invoice_gives_missing_days_never_zero() -> None:
    inv = invoices(("i1", "B", 1000, date(2026, 1, 1)), ("i2", "B", 3000, date(2026, 3, 15)))
    allocs = settlements(("i1", 400, date(2026, 2, 1)), day="applied_on")
    row = behaviour(inv, allocs)["B"]
    assert row["paid_invoices"] == 0
    assert row["dbt_average"] is None
    assert row["dbt_recent"] is None
    assert row["dbt_trend"] is None
    # open: i1 600 (89 days past due), i2 3000 (16 days): 600 / 3600
    assert row["overdue_30_share"] == pytest.approx(600 / 3600)


def test_settlements_after_as_of_do_not_count() -> None:
    inv = invoices(("i1", "C", 1000, date(2026, 1, 1)))
    allocs = settlements(("i1", 1000, date(2026, 4, 2)), day="applied_on")
    row = behaviour(inv, allocs)["C"]
    assert row["paid_invoices"] == 0
    assert row["overdue_30_share"] == pytest.approx(1.0)


def test_invoice_cleared_by_credit_note_alone_is_not_paid() -> None:
    inv = invoices(("i1", "D", 1000, date(2026, 1, 1)), ("i2", "D", 1000, date(2025, 6, 1)))
    allocs = settlements(("i2", 700, date(2025, 6, 21)), day="applied_on")
    notes = settlements(
        ("i1", 1000, date(2026, 1, 2)), ("i2", 300, date(2025, 6, 30)), day="issue_date"
    )
    row = behaviour(inv, allocs, notes)["D"]
    assert row["paid_invoices"] == 1
    assert row["dbt_average"] == pytest.approx(20.0)
    assert row["dbt_earlier"] == pytest.approx(20.0)
    assert row["dbt_recent"] is None
    assert row["dbt_trend"] is None


def test_buyers_are_kept_apart_and_columns_are_stable() -> None:
    inv = invoices(("i1", "E", 1000, date(2026, 1, 1)), ("i2", "F", 1000, date(2026, 1, 1)))
    allocs = settlements(("i1", 1000, date(2026, 1, 3)), day="applied_on")
    frame = payment_behaviour(
        invoices=inv, allocations=allocs, credit_notes=settlements(day="issue_date"), as_of=AS_OF
    )
    assert frame.columns == ["company_id", *BEHAVIOUR_COLUMNS]
    rows = {row["company_id"]: row for row in frame.iter_rows(named=True)}
    assert rows["E"]["dbt_average"] == pytest.approx(2.0)
    assert rows["F"]["dbt_average"] is None
