"""Payments: allocated in payment-date order (then file order) against open amounts that
already include the earlier payments of the same file; what is left stays unapplied."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from tradecredit.imports.compare import Compared, conflict
from tradecredit.imports.lookup import company_ids, ensure_accounts, invoices_by_number
from tradecredit.imports.lookup import unknown_company as unknown
from tradecredit.imports.openbook import OpenBook
from tradecredit.imports.plan import Context, Plan, chunked, new_row, unique_rows
from tradecredit.imports.problems import ValidRow
from tradecredit.kit.money import to_minor
from tradecredit.receivables.models import Allocation, Invoice, Payment
from tradecredit.receivables.schemas import PaymentCreate

COMPARED = (
    Compared("currency", "currency"),
    Compared("amount", "amount_minor", money=True),
    Compared("payment_date", "payment_date"),
    Compared("invoice_number", "named_invoice_id"),
)
NOT_NAMED = object()


def plan_payments(ctx: Context, rows: Sequence[ValidRow]) -> Plan:
    plan = Plan()
    rows = unique_rows(
        ctx,
        rows,
        key=lambda d: (*_payer(d), d.payment_reference),
        column="payment_reference",
        reason=lambda d, first: (
            f"payment {d.payment_reference!r} from {d.payer_registration_number!r} in "
            f"{d.payer_country} appears more than once in this file (first at row {first})"
        ),
    )
    payers = company_ids(ctx, (_payer(r.data) for r in rows))
    named = invoices_by_number(ctx, (r.data.invoice_number for r in rows if r.data.invoice_number))
    stored = _load(ctx, [r.data.payment_reference for r in rows])
    new: list[tuple[ValidRow, dict[str, Any]]] = []
    for row in rows:
        fields = _fields(ctx, row, payers, named)
        if fields is None:
            continue
        existing = stored.get((fields["company_id"], fields["payment_reference"]))
        if existing is None:
            new.append((row, fields))
            continue
        what = f"payment {fields['payment_reference']!r} from this payer"
        found = conflict(what, existing, fields, COMPARED, ctx.present)
        if found:
            ctx.problems.at(row, found.column, found.reason)
        else:
            plan.unchanged += 1
    _allocate_new(ctx, plan, new)
    return plan


def _payer(data: PaymentCreate) -> tuple[str, str]:
    return (data.payer_registration_number, data.payer_country)


def _fields(
    ctx: Context,
    row: ValidRow,
    payers: dict[tuple[str, str], uuid.UUID],
    named: dict[str, Invoice],
) -> dict[str, Any] | None:
    data: PaymentCreate = row.data
    company_id = payers.get(_payer(data))
    if company_id is None:
        ctx.problems.at(row, "payer_registration_number", unknown("payer", _payer(data)))
        return None
    invoice = _named_invoice(ctx, row, company_id, named)
    if invoice is NOT_NAMED:
        return None
    return {
        "company_id": company_id,
        "payment_reference": data.payment_reference,
        "currency": data.currency,
        "amount_minor": to_minor(data.amount, data.currency),
        "payment_date": data.payment_date,
        "named_invoice_id": invoice.id if isinstance(invoice, Invoice) else None,
    }


def _named_invoice(
    ctx: Context, row: ValidRow, company_id: uuid.UUID, named: dict[str, Invoice]
) -> Invoice | object | None:
    """The invoice the payer names; None when it names none; NOT_NAMED when the name is bad."""
    data: PaymentCreate = row.data
    if data.invoice_number is None:
        return None
    invoice = named.get(data.invoice_number)
    if invoice is None:
        ctx.problems.at(
            row,
            "invoice_number",
            f"unknown invoice {data.invoice_number!r}: no invoice with this number; invoices "
            "must be imported first (tradecredit import invoices)",
        )
        return NOT_NAMED
    if invoice.company_id != company_id:
        ctx.problems.at(
            row, "invoice_number", f"invoice {data.invoice_number!r} belongs to another buyer"
        )
        return NOT_NAMED
    if invoice.currency != data.currency:
        ctx.problems.at(
            row,
            "currency",
            f"currency {data.currency} differs from the currency of invoice "
            f"{data.invoice_number!r} ({invoice.currency})",
        )
        return NOT_NAMED
    return invoice


def _load(ctx: Context, references: list[str]) -> dict[tuple[uuid.UUID, str], Payment]:
    found: dict[tuple[uuid.UUID, str], Payment] = {}
    for chunk in chunked(sorted(set(references))):
        query = select(Payment).where(
            Payment.org_id == ctx.actor.org_id, Payment.payment_reference.in_(chunk)
        )
        found.update(((p.company_id, p.payment_reference), p) for p in ctx.session.scalars(query))
    return found


def _allocate_new(ctx: Context, plan: Plan, new: list[tuple[ValidRow, dict[str, Any]]]) -> None:
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
