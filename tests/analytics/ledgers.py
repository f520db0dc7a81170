"""Small in-memory ledgers for the pure analytics tests, built from plain tuples."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import polars as pl

from tradecredit.analytics.snapshot import LedgerSnapshot, from_keyed_frames
from tradecredit.fx.rates import DatedRate, RateTable

AS_OF = date(2026, 9, 30)


@dataclass
class Ledger:
    """Invoices, settlements and buyers keyed by readable ids, as the database would hold them."""

    companies: list[tuple[str, str, str, str]] = field(default_factory=list)
    invoices: list[tuple[str, str, str, int, date, date]] = field(default_factory=list)
    allocations: list[tuple[str, int, date]] = field(default_factory=list)
    credit_notes: list[tuple[str, int, date]] = field(default_factory=list)

    def company(self, key: str, *, country: str = "DE", sector: str = "C25") -> str:
        self.companies.append((key, f"Buyer {key}", country, sector))
        return key

    def invoice(
        self,
        key: str,
        amount_minor: int,
        *,
        due: date,
        issued: date | None = None,
        company: str = "A",
        currency: str = "EUR",
    ) -> str:
        self.invoices.append((key, company, currency, amount_minor, issued or due, due))
        return key

    def pay(self, invoice: str, amount_minor: int, on: date) -> None:
        self.allocations.append((invoice, amount_minor, on))

    def credit(self, invoice: str, amount_minor: int, on: date) -> None:
        self.credit_notes.append((invoice, amount_minor, on))

    def snapshot(self, as_of: date = AS_OF) -> LedgerSnapshot:
        names = {
            "id": pl.String,
            "company_id": pl.String,
            "currency": pl.String,
            "amount_minor": pl.Int64,
            "issue_date": pl.Date,
            "due_date": pl.Date,
        }
        settlement = {"invoice_id": pl.String, "amount_minor": pl.Int64}
        return from_keyed_frames(
            as_of=as_of,
            invoices=pl.DataFrame(self.invoices, schema=names, orient="row"),
            allocations=pl.DataFrame(
                self.allocations, schema=settlement | {"applied_on": pl.Date}, orient="row"
            ),
            credit_notes=pl.DataFrame(
                self.credit_notes, schema=settlement | {"issue_date": pl.Date}, orient="row"
            ),
            companies=pl.DataFrame(
                self.companies,
                schema=dict.fromkeys(["id", "name", "country", "sector"], pl.String),
                orient="row",
            ),
        )


def rates(*quotes: tuple[str, str, str, date], as_of: date = AS_OF) -> RateTable:
    """A rate table from (base, quote, rate, date) quotes."""
    return RateTable.from_rates(
        [DatedRate(base, quote, Decimal(rate), when) for base, quote, rate, when in quotes],
        as_of=as_of,
    )


NO_RATES = rates()
