"""Portfolios shared by the demo tests: generating one is deterministic, so it is done once."""

from __future__ import annotations

import polars as pl
import pytest

from tradecredit.demo.generator import generate_portfolio
from tradecredit.demo.ledger import replay_allocations
from tradecredit.demo.portfolio import Portfolio, minor_units


@pytest.fixture(scope="session")
def portfolio() -> Portfolio:
    """The default demo portfolio (2,000 buyers, three years to 30 September 2026)."""
    return generate_portfolio()


@pytest.fixture(scope="session")
def allocations(portfolio: Portfolio) -> pl.DataFrame:
    return replay_allocations(portfolio)


@pytest.fixture(scope="session")
def small_portfolio() -> Portfolio:
    return generate_portfolio(seed=7, buyers=60)


@pytest.fixture(scope="session")
def invoice_ledger(portfolio: Portfolio, allocations: pl.DataFrame) -> pl.DataFrame:
    """Each invoice with its amount, allocations, credit notes and open amount at `end`,
    in minor units, and its buyer's hidden profile and fate."""
    invoices = portfolio.invoices.with_columns(
        minor_units(portfolio.invoices, "amount").alias("amount_minor")
    ).with_row_index("invoice_row")
    allocated = allocations.group_by("invoice_row").agg(
        pl.col("amount_minor").sum().alias("allocated")
    )
    notes = portfolio.credit_notes.with_columns(
        minor_units(portfolio.credit_notes, "amount").alias("credit_minor")
    )
    credited = notes.group_by("invoice_number").agg(pl.col("credit_minor").sum().alias("credited"))
    truth = portfolio.truth.rename(
        {"registration_number": "buyer_registration_number", "country": "buyer_country"}
    )
    return (
        invoices.with_columns(pl.col("invoice_row").cast(pl.Int64))
        .join(allocated, on="invoice_row", how="left")
        .join(credited, on="invoice_number", how="left")
        .with_columns(pl.col("allocated", "credited").fill_null(0))
        .with_columns(
            (pl.col("amount_minor") - pl.col("allocated") - pl.col("credited")).alias("open")
        )
        .join(truth, on=["buyer_registration_number", "buyer_country"], how="left")
    )


@pytest.fixture(scope="session")
def named_lateness(portfolio: Portfolio) -> pl.DataFrame:
    """Days beyond terms of every payment that names its invoice, with the payer's profile."""
    due = portfolio.invoices.select("invoice_number", "due_date")
    truth = portfolio.truth.rename(
        {"registration_number": "payer_registration_number", "country": "payer_country"}
    )
    return (
        portfolio.payments.filter(pl.col("invoice_number").is_not_null())
        .join(due, on="invoice_number")
        .with_columns(
            (pl.col("payment_date") - pl.col("due_date")).dt.total_days().alias("days_late")
        )
        .join(truth, on=["payer_registration_number", "payer_country"])
    )
