"""Every generated row is a valid import row: it passes the create-schemas the imports use."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from pydantic import BaseModel

from tradecredit.companies.schemas import CompanyCreate, StatementCreate
from tradecredit.demo.portfolio import Portfolio
from tradecredit.kit.countries import validate_country
from tradecredit.kit.currencies import exponent, validate_currency
from tradecredit.kit.money import from_minor, to_minor
from tradecredit.receivables.schemas import (
    AccountCreate,
    CreditNoteCreate,
    InvoiceCreate,
    PaymentCreate,
)

SCHEMAS: dict[str, type[BaseModel]] = {
    "companies": CompanyCreate,
    "statements": StatementCreate,
    "accounts": AccountCreate,
    "invoices": InvoiceCreate,
    "payments": PaymentCreate,
    "credit_notes": CreditNoteCreate,
}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_row_validates(portfolio: Portfolio, name: str) -> None:
    schema = SCHEMAS[name]
    for row in portfolio.frames()[name].iter_rows(named=True):
        present = {key: value for key, value in row.items() if value is not None}
        schema.model_validate(present)


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("invoices", ("amount", "vat_amount")),
        ("payments", ("amount",)),
        ("credit_notes", ("amount",)),
        ("disputes", ("amount",)),
        ("accounts", ("credit_limit",)),
        ("statements", ("revenue", "equity", "net_income", "operating_cash_flow")),
    ],
)
def test_amounts_carry_exactly_the_currency_decimals(
    portfolio: Portfolio, name: str, columns: tuple[str, ...]
) -> None:
    frame = portfolio.frames()[name]
    for currency, *amounts in frame.select("currency", *columns).iter_rows():
        for amount in amounts:
            if amount is not None:
                assert _digits(amount) == exponent(currency), (currency, amount)
                assert format(from_minor(to_minor(amount, currency), currency), "f") == amount


def _digits(amount: str) -> int:
    return len(amount.split(".")[1]) if "." in amount else 0


def test_disputes_and_events_and_rates_are_valid(portfolio: Portfolio) -> None:
    disputes = portfolio.disputes.join(
        portfolio.invoices.select("invoice_number", pl.col("amount").alias("invoice_amount")),
        on="invoice_number",
    )
    for currency, amount, invoice_amount in disputes.select(
        "currency", "amount", "invoice_amount"
    ).iter_rows():
        validate_currency(currency)
        assert 0 < to_minor(amount, currency) <= to_minor(invoice_amount, currency)
    for country in portfolio.events.get_column("country").unique():
        validate_country(country)
    for rate in portfolio.fx_rates.get_column("rate"):
        assert Decimal(rate) > 0


def test_credit_notes_stay_within_their_invoice(portfolio: Portfolio) -> None:
    notes = portfolio.credit_notes.join(
        portfolio.invoices.select(
            "invoice_number", pl.col("currency").alias("invoice_currency"), "amount", "issue_date"
        ),
        on="invoice_number",
        suffix="_invoice",
    )
    assert (notes.get_column("currency") == notes.get_column("invoice_currency")).all()
    assert (notes.get_column("issue_date") >= notes.get_column("issue_date_invoice")).all()
    totals: dict[str, int] = {}
    limits: dict[str, int] = {}
    for number, currency, amount, invoice_amount in notes.select(
        "invoice_number", "currency", "amount", "amount_invoice"
    ).iter_rows():
        totals[number] = totals.get(number, 0) + to_minor(amount, currency)
        limits[number] = to_minor(invoice_amount, currency)
    assert all(totals[n] <= limits[n] for n in totals)
