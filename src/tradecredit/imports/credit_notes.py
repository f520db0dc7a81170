"""Credit notes: each reduces its invoice's open amount; together they never exceed the
invoice amount (counting the notes already booked and the earlier rows of the file)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from tradecredit.imports.compare import Compared, conflict, file_values
from tradecredit.imports.lookup import credited_minor, invoices_by_number
from tradecredit.imports.plan import Context, Plan, chunked, new_row, repeated_rows
from tradecredit.imports.problems import Row
from tradecredit.kit.money import from_minor, to_minor
from tradecredit.receivables.models import CreditNote, Invoice
from tradecredit.receivables.schemas import CreditNoteCreate

COMPARED = (
    Compared("invoice_number", "invoice_id", looked_up=True),
    Compared("currency", "currency"),
    Compared("amount", "amount_minor", money=True),
    Compared("issue_date", "issue_date"),
    Compared("reason", "reason"),
)


def plan_credit_notes(ctx: Context, rows: Sequence[Row]) -> Plan:
    """Each check runs on every row whose columns it needs are readable. The running total per
    invoice counts each new note with a readable positive amount in the invoice's currency
    once, so an exceeding note is found even when another column of its row is bad."""
    plan = Plan()
    repeated = repeated_rows(
        ctx,
        rows,
        needs=("credit_note_number",),
        column="credit_note_number",
        reason=lambda v, first: (
            f"duplicate credit note number {v['credit_note_number']!r}: it appears more than "
            f"once in this file (first at row {first})"
        ),
    )
    invoices = invoices_by_number(
        ctx, (r.values["invoice_number"] for r in rows if r.has("invoice_number"))
    )
    stored = _load(
        ctx, [r.values["credit_note_number"] for r in rows if r.has("credit_note_number")]
    )
    credited = credited_minor(ctx, (invoice.id for invoice in invoices.values()))
    for row in rows:
        invoice = _invoice(ctx, row, invoices)
        wanted = file_values(row, COMPARED)
        if invoice is not None:
            wanted["invoice_id"] = invoice.id
        existing = stored.get(row.values.get("credit_note_number", ""))
        if existing is not None:
            _compare(ctx, plan, row, existing, wanted)
            continue
        if row.number in repeated or invoice is None or invoice.currency != wanted.get("currency"):
            continue
        positive = wanted.get("amount_minor", 0) > 0
        if positive and not _within_invoice(ctx, row, invoice, wanted, credited):
            continue
        if row.data is not None:
            values = new_row(CreditNote, ctx, **_fields(row.data, invoice))
            plan.add(CreditNote, values, action="credit_note.imported", entity="credit_note")
    return plan


def _invoice(ctx: Context, row: Row, invoices: dict[str, Invoice]) -> Invoice | None:
    """The credited invoice when its number is readable and known; its currency is checked
    against the row's when that is readable."""
    if "invoice_number" not in row.values:
        return None
    number = row.values["invoice_number"]
    invoice = invoices.get(number)
    if invoice is None:
        ctx.problems.at(
            row,
            "invoice_number",
            f"unknown invoice {number!r}: no invoice with this number; invoices must be "
            "imported first (tradecredit import invoices)",
        )
        return None
    currency = row.values.get("currency")
    if currency is not None and invoice.currency != currency:
        ctx.problems.at(
            row,
            "currency",
            f"currency {currency} differs from the currency of invoice {number!r} "
            f"({invoice.currency})",
        )
    return invoice


def _compare(
    ctx: Context, plan: Plan, row: Row, existing: CreditNote, wanted: dict[str, Any]
) -> None:
    what = f"credit note {existing.credit_note_number!r}"
    found = conflict(what, existing, wanted, COMPARED, ctx.present)
    if found:
        ctx.problems.at(row, found.column, found.reason)
    elif row.data is not None:
        plan.unchanged += 1


def _within_invoice(
    ctx: Context, row: Row, invoice: Invoice, wanted: dict[str, Any], credited: dict[uuid.UUID, int]
) -> bool:
    """Add the note to its invoice's running total, or report that it would exceed the invoice."""
    total = credited.get(invoice.id, 0) + wanted["amount_minor"]
    if total > invoice.amount_minor:
        ctx.problems.at(row, "amount", _exceeds(invoice, total))
        return False
    credited[invoice.id] = total
    return True


def _fields(data: CreditNoteCreate, invoice: Invoice) -> dict[str, Any]:
    return {
        "invoice_id": invoice.id,
        "company_id": invoice.company_id,
        "credit_note_number": data.credit_note_number,
        "currency": data.currency,
        "amount_minor": to_minor(data.amount, data.currency),
        "issue_date": data.issue_date,
        "reason": data.reason,
    }


def _exceeds(invoice: Invoice, total_minor: int) -> str:
    total = from_minor(total_minor, invoice.currency)
    amount = from_minor(invoice.amount_minor, invoice.currency)
    return (
        f"credit notes on invoice {invoice.invoice_number!r} would total {total}, more than its "
        f"amount {amount} {invoice.currency}"
    )


def _load(ctx: Context, numbers: list[str]) -> dict[str, CreditNote]:
    found: dict[str, CreditNote] = {}
    for chunk in chunked(sorted(set(numbers))):
        query = select(CreditNote).where(
            CreditNote.org_id == ctx.actor.org_id, CreditNote.credit_note_number.in_(chunk)
        )
        found.update((note.credit_note_number, note) for note in ctx.session.scalars(query))
    return found
