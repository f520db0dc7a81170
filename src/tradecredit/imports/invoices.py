"""Invoices: new ones are created (opening an account for a first-time buyer); an invoice
number that exists must carry identical content, or the row is a conflict."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from tradecredit.imports.compare import Compared, conflict
from tradecredit.imports.lookup import company_ids, ensure_accounts, invoices_by_number
from tradecredit.imports.lookup import unknown_company as unknown
from tradecredit.imports.plan import Context, Plan, new_row, unique_rows
from tradecredit.imports.problems import ValidRow
from tradecredit.receivables.models import Invoice
from tradecredit.receivables.schemas import InvoiceCreate
from tradecredit.receivables.service import invoice_fields

COMPARED = (
    Compared("buyer_registration_number", "company_id"),
    Compared("currency", "currency"),
    Compared("amount", "amount_minor", money=True),
    Compared("vat_amount", "vat_minor", money=True),
    Compared("issue_date", "issue_date"),
    Compared("due_date", "due_date"),
    Compared("order_reference", "order_reference"),
    Compared("delivery_date", "delivery_date"),
)


def plan_invoices(ctx: Context, rows: Sequence[ValidRow]) -> Plan:
    plan = Plan()
    rows = unique_rows(
        ctx,
        rows,
        key=lambda d: d.invoice_number,
        column="invoice_number",
        reason=lambda d, first: (
            f"duplicate invoice number {d.invoice_number!r} for this seller: it appears more "
            f"than once in this file (first at row {first})"
        ),
    )
    buyers = company_ids(ctx, (_buyer(r.data) for r in rows))
    stored = invoices_by_number(ctx, (r.data.invoice_number for r in rows))
    new: list[tuple[uuid.UUID, dict[str, Any]]] = []
    for row in rows:
        data: InvoiceCreate = row.data
        company_id = buyers.get(_buyer(data))
        if company_id is None:
            ctx.problems.at(row, "buyer_registration_number", unknown("buyer", _buyer(data)))
            continue
        fields = invoice_fields(data) | {"company_id": company_id}
        existing = stored.get(data.invoice_number)
        if existing is None:
            new.append((company_id, fields))
            continue
        found = conflict(
            f"duplicate invoice number: invoice {data.invoice_number!r}",
            existing,
            fields,
            COMPARED,
            ctx.present,
        )
        if found:
            ctx.problems.at(row, found.column, found.reason)
        else:
            plan.unchanged += 1
    accounts = ensure_accounts(ctx, plan, (company_id for company_id, _ in new))
    for company_id, fields in new:
        values = new_row(Invoice, ctx, account_id=accounts[company_id], **fields)
        plan.add(Invoice, values, action="invoice.imported", entity="invoice")
    return plan


def _buyer(data: InvoiceCreate) -> tuple[str, str]:
    return (data.buyer_registration_number, data.buyer_country)
