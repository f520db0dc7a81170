"""Credit notes: each reduces its invoice's open amount; together they never exceed the
invoice amount (counting the notes already booked and the earlier rows of the file)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from tradecredit.imports.compare import Compared, conflict
from tradecredit.imports.lookup import credited_minor, invoices_by_number
from tradecredit.imports.plan import Context, Plan, chunked, new_row, unique_rows
from tradecredit.imports.problems import ValidRow
from tradecredit.kit.money import from_minor, to_minor
from tradecredit.receivables.models import CreditNote, Invoice
from tradecredit.receivables.schemas import CreditNoteCreate

COMPARED = (
    Compared("invoice_number", "invoice_id"),
    Compared("currency", "currency"),
    Compared("amount", "amount_minor", money=True),
    Compared("issue_date", "issue_date"),
    Compared("reason", "reason"),
)


def plan_credit_notes(ctx: Context, rows: Sequence[ValidRow]) -> Plan:
    plan = Plan()
    rows = unique_rows(
        ctx,
        rows,
        key=lambda d: d.credit_note_number,
        column="credit_note_number",
        reason=lambda d, first: (
            f"duplicate credit note number {d.credit_note_number!r}: it appears more than once "
            f"in this file (first at row {first})"
        ),
    )
    invoices = invoices_by_number(ctx, (r.data.invoice_number for r in rows))
    stored = _load(ctx, [r.data.credit_note_number for r in rows])
    credited = credited_minor(ctx, (invoice.id for invoice in invoices.values()))
    for row in rows:
        data: CreditNoteCreate = row.data
        invoice = _invoice(ctx, row, invoices)
        if invoice is None:
            continue
        amount_minor = to_minor(data.amount, data.currency)
        fields = {
            "invoice_id": invoice.id,
            "company_id": invoice.company_id,
            "credit_note_number": data.credit_note_number,
            "currency": data.currency,
            "amount_minor": amount_minor,
            "issue_date": data.issue_date,
            "reason": data.reason,
        }
        existing = stored.get(data.credit_note_number)
        if existing is not None:
            what = f"credit note {data.credit_note_number!r}"
            found = conflict(what, existing, fields, COMPARED, ctx.present)
            if found:
                ctx.problems.at(row, found.column, found.reason)
            else:
                plan.unchanged += 1
            continue
        total = credited.get(invoice.id, 0) + amount_minor
        if total > invoice.amount_minor:
            ctx.problems.at(row, "amount", _exceeds(invoice, total))
            continue
        credited[invoice.id] = total
        values = new_row(CreditNote, ctx, **fields)
        plan.add(CreditNote, values, action="credit_note.imported", entity="credit_note")
    return plan


def _invoice(ctx: Context, row: ValidRow, invoices: dict[str, Invoice]) -> Invoice | None:
    data: CreditNoteCreate = row.data
    invoice = invoices.get(data.invoice_number)
    if invoice is None:
        ctx.problems.at(
            row,
            "invoice_number",
            f"unknown invoice {data.invoice_number!r}: no invoice with this number; invoices "
            "must be imported first (tradecredit import invoices)",
        )
        return None
    if invoice.currency != data.currency:
        ctx.problems.at(
            row,
            "currency",
            f"currency {data.currency} differs from the currency of invoice "
            f"{data.invoice_number!r} ({invoice.currency})",
        )
        return None
    return invoice


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
