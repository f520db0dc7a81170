"""Payments: allocated in payment-date order (then file order) against open amounts that
already include the earlier payments of the same file; what is left stays unapplied."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from tradecredit.imports.compare import Compared, conflict, file_values
from tradecredit.imports.lookup import (
    company_ids,
    company_keys,
    ensure_accounts,
    invoices_by_number,
    known_company,
)
from tradecredit.imports.openbook import OpenBook
from tradecredit.imports.plan import Context, Plan, chunked, new_row, repeated_rows
from tradecredit.imports.problems import Row
from tradecredit.kit.money import to_minor
from tradecredit.receivables.models import Allocation, Invoice, Payment
from tradecredit.receivables.schemas import PaymentCreate

PAYER = ("payer_registration_number", "payer_country")
COMPARED = (
    Compared("currency", "currency"),
    Compared("amount", "amount_minor", money=True),
    Compared("payment_date", "payment_date"),
    Compared("invoice_number", "named_invoice_id", looked_up=True),
)
NOT_NAMED = object()
"""The named invoice is unknown, unreadable or wrong for this row (a problem says why)."""


def plan_payments(ctx: Context, rows: Sequence[Row]) -> Plan:
    """Each check runs on every row whose columns it needs are readable; only rows that passed
    everything are allocated (and only a file without problems is written)."""
    plan = Plan()
    repeated = repeated_rows(
        ctx,
        rows,
        needs=(*PAYER, "payment_reference"),
        column="payment_reference",
        reason=lambda v, first: (
            f"payment {v['payment_reference']!r} from {v['payer_registration_number']!r} in "
            f"{v['payer_country']} appears more than once in this file (first at row {first})"
        ),
    )
    payers = company_ids(ctx, company_keys(rows, PAYER))
    named = invoices_by_number(ctx, (n for r in rows if (n := r.values.get("invoice_number"))))
    stored = _load(ctx, [r.values["payment_reference"] for r in rows if r.has("payment_reference")])
    new: list[tuple[Row, dict[str, Any]]] = []
    for row in rows:
        company_id = known_company(ctx, row, payers, role="payer", columns=PAYER)
        invoice = _named_invoice(ctx, row, company_id, named)
        existing = _stored(stored, company_id, row)
        if existing is not None:
            _compare(ctx, plan, row, existing, invoice)
        elif (
            row.data is not None
            and row.number not in repeated
            and company_id is not None
            and invoice is not NOT_NAMED
        ):
            new.append((row, _fields(row.data, company_id, invoice)))
    _allocate_new(ctx, plan, new)
    return plan


def _stored(
    stored: dict[tuple[uuid.UUID, str], Payment], company_id: uuid.UUID | None, row: Row
) -> Payment | None:
    if company_id is None or not row.has("payment_reference"):
        return None
    return stored.get((company_id, row.values["payment_reference"]))


def _fields(data: PaymentCreate, company_id: uuid.UUID, invoice: object) -> dict[str, Any]:
    return {
        "company_id": company_id,
        "payment_reference": data.payment_reference,
        "currency": data.currency,
        "amount_minor": to_minor(data.amount, data.currency),
        "payment_date": data.payment_date,
        "named_invoice_id": invoice.id if isinstance(invoice, Invoice) else None,
    }


def _compare(ctx: Context, plan: Plan, row: Row, existing: Payment, invoice: object) -> None:
    """A stored payment must come with the same content, as far as this row can be read."""
    wanted = file_values(row, COMPARED)
    if invoice is not NOT_NAMED:
        wanted["named_invoice_id"] = invoice.id if isinstance(invoice, Invoice) else None
    what = f"payment {existing.payment_reference!r} from this payer"
    found = conflict(what, existing, wanted, COMPARED, ctx.present)
    if found:
        ctx.problems.at(row, found.column, found.reason)
    elif row.data is not None:
        plan.unchanged += 1


def _named_invoice(
    ctx: Context, row: Row, company_id: uuid.UUID | None, named: dict[str, Invoice]
) -> Invoice | object | None:
    """The invoice the payer names; None when it names none; NOT_NAMED when the name is bad or
    unreadable. Its buyer is checked when the payer is known, its currency when readable."""
    if "invoice_number" not in row.values:
        return NOT_NAMED
    number = row.values["invoice_number"]
    if number is None:
        return None
    invoice = named.get(number)
    if invoice is None:
        ctx.problems.at(
            row,
            "invoice_number",
            f"unknown invoice {number!r}: no invoice with this number; invoices must be "
            "imported first (tradecredit import invoices)",
        )
        return NOT_NAMED
    fine = True
    if company_id is not None and invoice.company_id != company_id:
        ctx.problems.at(row, "invoice_number", f"invoice {number!r} belongs to another buyer")
        fine = False
    currency = row.values.get("currency")
    if currency is not None and invoice.currency != currency:
        ctx.problems.at(
            row,
            "currency",
            f"currency {currency} differs from the currency of invoice {number!r} "
            f"({invoice.currency})",
        )
        fine = False
    return invoice if fine else NOT_NAMED


def _load(ctx: Context, references: list[str]) -> dict[tuple[uuid.UUID, str], Payment]:
    found: dict[tuple[uuid.UUID, str], Payment] = {}
    for chunk in chunked(sorted(set(references))):
        query = select(Payment).where(
            Payment.org_id == ctx.actor.org_id, Payment.payment_reference.in_(chunk)
        )
        found.update(((p.company_id, p.payment_reference), p) for p in ctx.session.scalars(query))
    return found


def _allocate_new(ctx: Context, plan: Plan, new: list[tuple[Row, dict[str, Any]]]) -> None:
    accounts = ensure_accounts(ctx, plan, (fields["company_id"] for _, fields in new))
    book = OpenBook.load(
        ctx.session, actor=ctx.actor, company_ids=(fields["company_id"] for _, fields in new)
    )
    allocations: list[dict[str, Any]] = []
    for _, fields in sorted(new, key=lambda pair: (pair[1]["payment_date"], pair[0].number)):
        result = book.allocate(
            (fields["company_id"], fields["currency"]),
            fields["amount_minor"],
            named=fields["named_invoice_id"],
        )
        payment = new_row(Payment, ctx, account_id=accounts[fields["company_id"]], **fields)
        applied = [
            new_row(
                Allocation,
                ctx,
                payment_id=payment["id"],
                invoice_id=a.invoice_id,
                amount_minor=a.amount_minor,
                applied_on=fields["payment_date"],
            )
            for a in result.allocations
        ]
        allocations.extend(applied)
        extra = {
            "allocations": [
                {"invoice": a.invoice_number, "minor": a.amount_minor} for a in result.allocations
            ],
            "unapplied_minor": result.unapplied_minor,
        }
        plan.add(Payment, payment, action="payment.imported", entity="payment", extra=extra)
    for values in allocations:
        plan.queue(Allocation, values)
