"""Payment behaviour: profiles pay as they are meant to, and the ledger ends with every kind of debt."""

from __future__ import annotations

from datetime import date

import polars as pl

from tradecredit.demo.portfolio import Portfolio


def _mean_late(frame: pl.DataFrame) -> float:
    return float(frame.get_column("days_late").mean())  # type: ignore[arg-type]


def test_profiles_pay_with_their_lateness(named_lateness: pl.DataFrame) -> None:
    survivors = named_lateness.filter(~pl.col("defaulted"))
    by_profile = {
        profile: _mean_late(survivors.filter(pl.col("profile") == profile))
        for profile in ("prompt", "slow", "deteriorating", "part_payer")
    }
    assert -5 < by_profile["prompt"] < 8
    assert 20 < by_profile["slow"] < 70
    assert by_profile["deteriorating"] > by_profile["prompt"] + 10
    assert by_profile["part_payer"] > by_profile["prompt"]
    prompt = survivors.filter(pl.col("profile") == "prompt").get_column("days_late")
    assert prompt.abs().median() <= 5  # type: ignore[operator]


def test_deteriorating_payers_get_later_every_year(named_lateness: pl.DataFrame) -> None:
    worsening = named_lateness.filter((pl.col("profile") == "deteriorating") & ~pl.col("defaulted"))
    first = worsening.filter(pl.col("due_date") < date(2024, 10, 1))
    last = worsening.filter(pl.col("due_date") >= date(2025, 10, 1))
    assert _mean_late(last) > _mean_late(first) + 20
    rho = worsening.select(pl.corr("due_date", "days_late", method="spearman")).item()
    assert rho > 0.4
    prompt = named_lateness.filter((pl.col("profile") == "prompt") & ~pl.col("defaulted"))
    assert (
        abs(
            _mean_late(prompt.filter(pl.col("due_date") >= date(2025, 10, 1)))
            - _mean_late(prompt.filter(pl.col("due_date") < date(2024, 10, 1)))
        )
        < 3
    )


def test_failing_buyers_pay_later_as_the_filing_nears(named_lateness: pl.DataFrame) -> None:
    failing = named_lateness.filter(pl.col("defaulted")).with_columns(
        (pl.col("default_date") - pl.col("due_date")).dt.total_days().alias("to_filing")
    )
    early = failing.filter(pl.col("to_filing") > 270)
    close = failing.filter(pl.col("to_filing").is_between(60, 180))
    assert _mean_late(close) > _mean_late(early) + 15


def test_insolvent_buyers_leave_their_last_invoices_unpaid(invoice_ledger: pl.DataFrame) -> None:
    failed = invoice_ledger.filter(pl.col("defaulted"))
    unpaid = failed.filter(pl.col("open") > 0)
    per_buyer = unpaid.group_by("buyer_registration_number", "buyer_country").len()
    assert per_buyer.height >= 3
    assert per_buyer.height >= 0.8 * failed.select("buyer_registration_number").n_unique()
    last_months = failed.filter(
        (pl.col("default_date") - pl.col("issue_date")).dt.total_days() <= 45
    )
    assert last_months.filter(pl.col("open") > 0).height >= 0.8 * last_months.height


def test_ageing_has_every_bucket(portfolio: Portfolio, invoice_ledger: pl.DataFrame) -> None:
    days = (pl.lit(portfolio.end) - pl.col("due_date")).dt.total_days()
    bucket = (
        pl.when(days <= 0)
        .then(pl.lit("not_yet_due"))
        .when(days <= 30)
        .then(pl.lit("d1_30"))
        .when(days <= 60)
        .then(pl.lit("d31_60"))
        .when(days <= 90)
        .then(pl.lit("d61_90"))
        .when(days <= 120)
        .then(pl.lit("d91_120"))
        .otherwise(pl.lit("over_120"))
    )
    open_items = invoice_ledger.filter(pl.col("open") > 0).with_columns(bucket.alias("bucket"))
    counts = dict(open_items.group_by("bucket").len().iter_rows())
    assert set(counts) == {"not_yet_due", "d1_30", "d31_60", "d61_90", "d91_120", "over_120"}
    assert all(count >= 10 for count in counts.values()), counts
    over = open_items.filter(pl.col("bucket") == "over_120")
    kinds = set(over.get_column("profile").unique())
    assert "deteriorating" in kinds
    assert over.filter(pl.col("defaulted")).height > 0
    assert over.filter(~pl.col("defaulted")).height > 0
    disputed = over.join(portfolio.disputes.select("invoice_number"), on="invoice_number")
    assert disputed.height > 0


def test_partial_payments_leave_invoices_part_open(invoice_ledger: pl.DataFrame) -> None:
    part_open = invoice_ledger.filter((pl.col("allocated") > 0) & (pl.col("open") > 0))
    assert part_open.height >= 20


def test_most_history_is_settled(invoice_ledger: pl.DataFrame, portfolio: Portfolio) -> None:
    old = invoice_ledger.filter(pl.col("due_date") < date(2025, 9, 30))
    settled = old.filter(pl.col("open") == 0).height / old.height
    assert settled > 0.97
