"""Replaying the payments through the ledger's allocation rule, without a database."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from tradecredit.demo.ledger import replay_allocations
from tradecredit.demo.portfolio import Portfolio, minor_units
from tradecredit.kit.errors import InvalidInput


def _payments(portfolio: Portfolio, allocations: pl.DataFrame) -> pl.DataFrame:
    applied = allocations.group_by("payment_row").agg(pl.col("amount_minor").sum().alias("applied"))
    return (
        portfolio.payments.with_columns(minor_units(portfolio.payments, "amount").alias("minor"))
        .with_row_index("payment_row")
        .with_columns(pl.col("payment_row").cast(pl.Int64))
        .join(applied, on="payment_row", how="left")
        .with_columns(pl.col("applied").fill_null(0))
        .with_columns((pl.col("minor") - pl.col("applied")).alias("unapplied"))
    )


def test_allocations_never_exceed_payments_or_invoices(
    portfolio: Portfolio, allocations: pl.DataFrame, invoice_ledger: pl.DataFrame
) -> None:
    assert (allocations.get_column("amount_minor") > 0).all()
    payments = _payments(portfolio, allocations)
    assert payments.filter(pl.col("unapplied") < 0).is_empty()
    assert invoice_ledger.filter(pl.col("open") < 0).is_empty()
    assert invoice_ledger.filter(pl.col("allocated") > pl.col("amount_minor")).is_empty()


def test_allocations_fall_on_the_payment_day_and_never_before_issue(
    portfolio: Portfolio, allocations: pl.DataFrame
) -> None:
    joined = allocations.join(
        portfolio.payments.select("payment_reference", "payment_date", "payer_registration_number"),
        on="payment_reference",
    ).join(
        portfolio.invoices.select("invoice_number", "issue_date", "buyer_registration_number"),
        on="invoice_number",
    )
    assert joined.height == allocations.height
    assert (joined.get_column("applied_on") == joined.get_column("payment_date")).all()
    assert (joined.get_column("issue_date") <= joined.get_column("applied_on")).all()
    same_payer = joined.get_column("payer_registration_number") == joined.get_column(
        "buyer_registration_number"
    )
    assert same_payer.all()


def test_named_payments_settle_their_invoice(
    portfolio: Portfolio, allocations: pl.DataFrame
) -> None:
    named = (
        portfolio.payments.with_row_index("payment_row")
        .with_columns(pl.col("payment_row").cast(pl.Int64))
        .filter(pl.col("invoice_number").is_not_null())
        .select("payment_row", pl.col("invoice_number").alias("named"))
    )
    first = allocations.join(named, on="payment_row")
    hits = (
        first.filter(pl.col("invoice_number") == pl.col("named")).select("payment_row").n_unique()
    )
    assert hits == named.height


def test_lump_payments_go_oldest_first_and_are_fully_applied(
    portfolio: Portfolio, allocations: pl.DataFrame
) -> None:
    payments = _payments(portfolio, allocations)
    lumps = payments.filter(pl.col("invoice_number").is_null())
    assert lumps.height > 0
    assert lumps.filter(pl.col("unapplied") != 0).is_empty()
    spread = (
        allocations.join(lumps.select("payment_row"), on="payment_row")
        .group_by("payment_row")
        .len()
    )
    assert spread.get_column("len").max() >= 3  # type: ignore[operator]


def test_some_overpayments_stay_unapplied(portfolio: Portfolio, allocations: pl.DataFrame) -> None:
    payments = _payments(portfolio, allocations)
    over = payments.filter(pl.col("unapplied") > 0)
    assert 10 <= over.height <= 60
    assert over.get_column("invoice_number").null_count() == 0
    assert (over.get_column("unapplied") < over.get_column("minor")).all()


def test_replay_is_deterministic(portfolio: Portfolio, allocations: pl.DataFrame) -> None:
    assert replay_allocations(portfolio).equals(allocations)


def test_small_portfolio_replays_cleanly(small_portfolio: Portfolio) -> None:
    allocations = replay_allocations(small_portfolio)
    assert allocations.height > small_portfolio.payments.height * 0.9
    payments = _payments(small_portfolio, allocations)
    assert payments.filter(pl.col("unapplied") < 0).is_empty()


def test_replay_names_an_unknown_invoice(small_portfolio: Portfolio) -> None:
    notes = small_portfolio.credit_notes.with_columns(
        pl.lit("INV-1999-000042").alias("invoice_number")
    )
    broken = dataclasses.replace(small_portfolio, credit_notes=notes)
    with pytest.raises(InvalidInput, match=r"credit notes: invoice 'INV-1999-000042'"):
        replay_allocations(broken)
