"""Replay a portfolio's payments through the ledger's allocation rule, without a database.

Per payer and currency, payments are taken in (payment date, reference) order. Before each one,
the invoices issued on or before its date join the open items and the credit notes issued on or
before it reduce them; `receivables.allocation.allocate` then settles the named invoice first and
the rest oldest first, and whatever is left stays unapplied on the account. This is the rule the
ledger applies one payment at a time, so the demo's allocations are the ledger's own.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from tradecredit.demo.portfolio import Portfolio, minor_units
from tradecredit.kit.errors import InvalidInput
from tradecredit.receivables.allocation import OpenItem, allocate


@dataclass(frozen=True, slots=True)
class _Invoice:
    row: int
    number: str
    issue: date
    due: date
    amount: int


@dataclass
class _Account:
    """One payer's invoices, credit notes and payments in one currency, each sorted by date."""

    invoices: list[_Invoice] = field(default_factory=list)
    credits: list[tuple[date, int, int]] = field(default_factory=list)
    payments: list[tuple[date, str, int, int, int | None]] = field(default_factory=list)


def replay_allocations(portfolio: Portfolio) -> pl.DataFrame:
    """One row per allocation: which payment (row) settled how much of which invoice (row), when."""
    accounts, invoice_ids = _accounts(portfolio)
    rows: list[tuple[int, int, int, date]] = []
    for key in sorted(accounts):
        rows.extend(_replay_account(accounts[key], invoice_ids))
    frame = pl.DataFrame(
        rows,
        schema={
            "payment_row": pl.Int64,
            "invoice_row": pl.Int64,
            "amount_minor": pl.Int64,
            "applied_on": pl.Date,
        },
        orient="row",
    )
    frame = frame.sort("payment_row", "invoice_row")
    references = portfolio.payments.get_column("payment_reference")
    numbers = portfolio.invoices.get_column("invoice_number")
    return frame.with_columns(
        references.gather(frame.get_column("payment_row")).alias("payment_reference"),
        numbers.gather(frame.get_column("invoice_row")).alias("invoice_number"),
    )


def _accounts(portfolio: Portfolio) -> tuple[dict[tuple[str, str, str], _Account], list[uuid.UUID]]:
    accounts: dict[tuple[str, str, str], _Account] = defaultdict(_Account)
    invoices = portfolio.invoices
    amounts = minor_units(invoices, "amount").to_list()
    by_number: dict[str, tuple[tuple[str, str, str], int]] = {}
    for row, (number, reg, country, currency, issue, due) in enumerate(
        invoices.select(
            "invoice_number",
            "buyer_registration_number",
            "buyer_country",
            "currency",
            "issue_date",
            "due_date",
        ).iter_rows()
    ):
        key = (country, reg, currency)
        accounts[key].invoices.append(_Invoice(row, number, issue, due, amounts[row]))
        by_number[number] = (key, row)
    notes = portfolio.credit_notes
    for (number, issued), amount in zip(
        notes.select("invoice_number", "issue_date").iter_rows(),
        minor_units(notes, "amount").to_list(),
        strict=True,
    ):
        key, row = _known(by_number, number, table="credit notes")
        accounts[key].credits.append((issued, row, amount))
    payments = portfolio.payments
    for row, ((reference, reg, country, currency, paid, named), amount) in enumerate(
        zip(
            payments.select(
                "payment_reference",
                "payer_registration_number",
                "payer_country",
                "currency",
                "payment_date",
                "invoice_number",
            ).iter_rows(),
            minor_units(payments, "amount").to_list(),
            strict=True,
        )
    ):
        named_row = None if named is None else _known(by_number, named, table="payments")[1]
        accounts[(country, reg, currency)].payments.append(
            (paid, reference, row, amount, named_row)
        )
    for account in accounts.values():
        account.invoices.sort(key=lambda i: (i.issue, i.row))
        account.credits.sort()
        account.payments.sort()
    return dict(accounts), [uuid.UUID(int=row) for row in range(invoices.height)]


def _known(
    by_number: dict[str, tuple[tuple[str, str, str], int]], number: str, *, table: str
) -> tuple[tuple[str, str, str], int]:
    found = by_number.get(number)
    if found is None:
        raise InvalidInput(f"{table}: invoice {number!r} is not in the portfolio")
    return found


def _replay_account(
    account: _Account, invoice_ids: list[uuid.UUID]
) -> list[tuple[int, int, int, date]]:
    open_minor: dict[int, int] = {}
    credited: dict[int, int] = defaultdict(int)
    by_row = {invoice.row: invoice for invoice in account.invoices}
    next_invoice = next_credit = 0
    rows: list[tuple[int, int, int, date]] = []
    for paid, _reference, payment_row, amount, named_row in account.payments:
        while next_invoice < len(account.invoices) and account.invoices[next_invoice].issue <= paid:
            invoice = account.invoices[next_invoice]
            open_minor[invoice.row] = max(0, invoice.amount - credited[invoice.row])
            next_invoice += 1
        while next_credit < len(account.credits) and account.credits[next_credit][0] <= paid:
            _day, row, credit = account.credits[next_credit]
            credited[row] += credit
            if row in open_minor:
                open_minor[row] = max(0, open_minor[row] - credit)
            next_credit += 1
        candidates = _candidates(open_minor, named_row, amount)
        items = [
            OpenItem(invoice_ids[row], by_row[row].number, by_row[row].issue, by_row[row].due, left)
            for row, left in candidates
            if left > 0
        ]
        named = [] if named_row is None else [invoice_ids[named_row]]
        result = allocate(amount, items, named=named)
        for allocated in result.allocations:
            row = allocated.invoice_id.int
            open_minor[row] -= allocated.amount_minor
            if open_minor[row] == 0:
                del open_minor[row]
            rows.append((payment_row, row, allocated.amount_minor, paid))
    return rows


def _candidates(
    open_minor: dict[int, int], named_row: int | None, amount: int
) -> list[tuple[int, int]]:
    """The open items `allocate` needs to see: the named invoice alone when it absorbs the whole
    payment (the rule stops there), otherwise every open invoice of the account."""
    if named_row is not None and open_minor.get(named_row, 0) >= amount:
        return [(named_row, open_minor[named_row])]
    return list(open_minor.items())
