"""Portfolio frames to table rows (plain dicts for Core inserts), foreign keys resolved.

Amounts go from decimal strings to integer minor units exactly (`portfolio.minor_units`); ids are
fresh UUIDv7 values, so they differ between loads while the content does not.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import polars as pl

from tradecredit.demo.portfolio import minor_units
from tradecredit.demo.statements import LINES
from tradecredit.kit.errors import InvalidInput
from tradecredit.kit.ids import new_id

Row = dict[str, Any]
Key = tuple[str, str]
"""A company's key: (country, registration number)."""


@dataclass(frozen=True)
class Stamp:
    """What every tenant row carries: a new id, the organisation and the load's timestamp."""

    org_id: uuid.UUID
    now: datetime

    def row(self, row_id: uuid.UUID | None = None, **values: Any) -> Row:
        return {
            "id": row_id or new_id(),
            "org_id": self.org_id,
            "created_at": self.now,
            **values,
        }


@dataclass
class InvoiceIds:
    by_row: list[uuid.UUID] = field(default_factory=list)
    by_number: dict[str, tuple[uuid.UUID, uuid.UUID]] = field(default_factory=dict)
    """invoice number -> (invoice id, company id)"""

    def lookup(self, number: str, *, table: str) -> tuple[uuid.UUID, uuid.UUID]:
        found = self.by_number.get(number)
        if found is None:
            raise InvalidInput(f"{table}: invoice {number!r} is not in the portfolio")
        return found


def _columns(frame: pl.DataFrame, *names: str) -> Iterable[tuple[Any, ...]]:
    return zip(*(frame.get_column(n).to_list() for n in names), strict=True)


def _company(ids: dict[Key, uuid.UUID], country: str, reg: str, *, table: str) -> uuid.UUID:
    found = ids.get((country, reg))
    if found is None:
        raise InvalidInput(f"{table}: company {reg!r} ({country}) is not in the portfolio")
    return found


def company_rows(frame: pl.DataFrame, stamp: Stamp) -> tuple[list[Row], dict[Key, uuid.UUID]]:
    """Group parents first, so that every row's parent exists when it is inserted."""
    ids = {(c, r): new_id() for r, c in _columns(frame, "registration_number", "country")}
    rows = []
    for (
        reg,
        country,
        name,
        sector,
        form,
        founded,
        parent_reg,
        parent_country,
        status,
        lang,
    ) in frame.select(
        "registration_number",
        "country",
        "name",
        "sector",
        "legal_form",
        "founded",
        "group_parent_registration_number",
        "group_parent_country",
        "status",
        "language",
    ).iter_rows():
        parent = None
        if parent_reg is not None:
            parent = _company(ids, parent_country, parent_reg, table="companies (group parent)")
        rows.append(
            {
                **stamp.row(ids[(country, reg)]),
                "updated_at": stamp.now,
                "registration_number": reg,
                "country": country,
                "name": name,
                "sector": sector,
                "legal_form": form,
                "founded": founded,
                "group_parent_id": parent,
                "status": status,
                "language": lang,
            }
        )
    rows.sort(key=lambda row: row["group_parent_id"] is not None)
    return rows, ids


def statement_rows(frame: pl.DataFrame, companies: dict[Key, uuid.UUID], stamp: Stamp) -> list[Row]:
    lines = {line: minor_units(frame, line).to_list() for line in LINES}
    keys = _columns(frame, "registration_number", "country", "period_end", "currency")
    return [
        stamp.row(
            company_id=_company(companies, country, reg, table="statements"),
            period_end=period_end,
            currency=currency,
            **{line: lines[line][i] for line in LINES},
        )
        for i, (reg, country, period_end, currency) in enumerate(keys)
    ]


def account_rows(
    frame: pl.DataFrame, companies: dict[Key, uuid.UUID], stamp: Stamp
) -> tuple[list[Row], dict[Key, uuid.UUID]]:
    limits = minor_units(frame, "credit_limit").to_list()
    rows: list[Row] = []
    ids: dict[Key, uuid.UUID] = {}
    fields = _columns(
        frame,
        "registration_number",
        "country",
        "payment_terms_days",
        "currency",
        "language",
        "collector",
        "dunning_policy",
        "on_hold",
    )
    for i, (reg, country, terms, currency, lang, collector, policy, hold) in enumerate(fields):
        row = stamp.row(
            company_id=_company(companies, country, reg, table="accounts"),
            payment_terms_days=terms,
            credit_limit_minor=limits[i],
            currency=currency,
            language=lang,
            collector=collector,
            dunning_policy=policy,
            on_hold=hold,
        )
        ids[(country, reg)] = row["id"]
        rows.append(row)
    return rows, ids


def invoice_rows(
    frame: pl.DataFrame,
    companies: dict[Key, uuid.UUID],
    accounts: dict[Key, uuid.UUID],
    stamp: Stamp,
) -> tuple[list[Row], InvoiceIds]:
    amounts = minor_units(frame, "amount").to_list()
    vats = minor_units(frame, "vat_amount").to_list()
    rows: list[Row] = []
    ids = InvoiceIds()
    fields = _columns(
        frame,
        "invoice_number",
        "buyer_registration_number",
        "buyer_country",
        "currency",
        "issue_date",
        "due_date",
        "order_reference",
        "delivery_date",
    )
    for i, (number, reg, country, currency, issued, due, order, delivered) in enumerate(fields):
        row = stamp.row(
            account_id=_company(accounts, country, reg, table="invoices (account)"),
            company_id=_company(companies, country, reg, table="invoices"),
            invoice_number=number,
            currency=currency,
            amount_minor=amounts[i],
            vat_minor=vats[i],
            issue_date=issued,
            due_date=due,
            order_reference=order,
            delivery_date=delivered,
        )
        rows.append(row)
        ids.by_row.append(row["id"])
        ids.by_number[number] = (row["id"], row["company_id"])
    return rows, ids


def credit_note_rows(frame: pl.DataFrame, invoices: InvoiceIds, stamp: Stamp) -> list[Row]:
    amounts = minor_units(frame, "amount").to_list()
    rows = []
    fields = _columns(
        frame, "credit_note_number", "invoice_number", "currency", "issue_date", "reason"
    )
    for i, (note_number, number, currency, issued, reason) in enumerate(fields):
        invoice_id, company_id = invoices.lookup(number, table="credit notes")
        rows.append(
            stamp.row(
                invoice_id=invoice_id,
                company_id=company_id,
                credit_note_number=note_number,
                currency=currency,
                amount_minor=amounts[i],
                issue_date=issued,
                reason=reason,
            )
        )
    return rows


def payment_rows(
    frame: pl.DataFrame,
    companies: dict[Key, uuid.UUID],
    accounts: dict[Key, uuid.UUID],
    invoices: InvoiceIds,
    stamp: Stamp,
) -> list[Row]:
    amounts = minor_units(frame, "amount").to_list()
    rows = []
    fields = _columns(
        frame,
        "payment_reference",
        "payer_registration_number",
        "payer_country",
        "currency",
        "payment_date",
        "invoice_number",
    )
    for i, (reference, reg, country, currency, paid, named) in enumerate(fields):
        named_id = None if named is None else invoices.lookup(named, table="payments")[0]
        rows.append(
            stamp.row(
                account_id=_company(accounts, country, reg, table="payments (account)"),
                company_id=_company(companies, country, reg, table="payments"),
                payment_reference=reference,
                currency=currency,
                amount_minor=amounts[i],
                payment_date=paid,
                named_invoice_id=named_id,
            )
        )
    return rows


def allocation_rows(
    allocations: pl.DataFrame, payments: list[Row], invoices: InvoiceIds, stamp: Stamp
) -> list[Row]:
    return [
        stamp.row(
            payment_id=payments[payment_row]["id"],
            invoice_id=invoices.by_row[invoice_row],
            amount_minor=amount,
            applied_on=applied_on,
        )
        for payment_row, invoice_row, amount, applied_on in _columns(
            allocations, "payment_row", "invoice_row", "amount_minor", "applied_on"
        )
    ]


def dispute_rows(frame: pl.DataFrame, invoices: InvoiceIds, stamp: Stamp) -> list[Row]:
    amounts = minor_units(frame, "amount").to_list()
    return [
        stamp.row(
            invoice_id=invoices.lookup(number, table="disputes")[0],
            amount_minor=amounts[i],
            currency=currency,
            opened_on=opened,
            resolved_on=resolved,
            reason=reason,
        )
        for i, (number, currency, opened, resolved, reason) in enumerate(
            _columns(frame, "invoice_number", "currency", "opened_on", "resolved_on", "reason")
        )
    ]


def event_rows(frame: pl.DataFrame, companies: dict[Key, uuid.UUID], stamp: Stamp) -> list[Row]:
    return [
        stamp.row(
            company_id=_company(companies, country, reg, table="events"),
            kind=kind,
            event_date=day,
            source=source,
            severity=severity,
            description=description,
        )
        for reg, country, kind, day, source, severity, description in _columns(
            frame,
            "registration_number",
            "country",
            "kind",
            "event_date",
            "source",
            "severity",
            "description",
        )
    ]


def fx_rows(frame: pl.DataFrame, stamp: Stamp) -> list[Row]:
    return [
        stamp.row(rate_date=day, base_currency=base, quote_currency=quote, rate=Decimal(rate))
        for day, base, quote, rate in _columns(
            frame, "rate_date", "base_currency", "quote_currency", "rate"
        )
    ]
