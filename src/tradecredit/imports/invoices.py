"""Invoices: new ones are created (opening an account for a first-time buyer); an invoice
number that exists must carry identical content, or the row is a conflict."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from tradecredit.imports.compare import Compared, conflict, file_values
from tradecredit.imports.lookup import (
    company_ids,
    company_keys,
    ensure_accounts,
    invoices_by_number,
    known_company,
)
from tradecredit.imports.plan import Context, Plan, new_row, repeated_rows
from tradecredit.imports.problems import Row
from tradecredit.receivables.models import Invoice
from tradecredit.receivables.service import invoice_fields

BUYER = ("buyer_registration_number", "buyer_country")
COMPARED = (
    Compared("buyer_registration_number", "company_id", looked_up=True),
    Compared("currency", "currency"),
    Compared("amount", "amount_minor", money=True),
    Compared("vat_amount", "vat_minor", money=True),
    Compared("issue_date", "issue_date"),
    Compared("due_date", "due_date"),
    Compared("order_reference", "order_reference"),
    Compared("delivery_date", "delivery_date"),
)


def plan_invoices(ctx: Context, rows: Sequence[Row]) -> Plan:
    """Each check runs on every row whose columns it needs are readable; only rows that passed
    everything are planned (and only a file without problems is written)."""
    plan = Plan()
    repeated = repeated_rows(
        ctx,
        rows,
        needs=("invoice_number",),
        column="invoice_number",
        reason=lambda v, first: (
            f"duplicate invoice number {v['invoice_number']!r} for this seller: it appears more "
            f"than once in this file (first at row {first})"
        ),
    )
    buyers = company_ids(ctx, company_keys(rows, BUYER))
    stored = invoices_by_number(
        ctx, (r.values["invoice_number"] for r in rows if r.has("invoice_number"))
    )
    new: list[tuple[uuid.UUID, dict[str, Any]]] = []
    for row in rows:
        company_id = known_company(ctx, row, buyers, role="buyer", columns=BUYER)
        existing = stored.get(row.values.get("invoice_number", ""))
        if existing is not None:
            _compare(ctx, plan, row, existing, company_id)
        elif row.data is not None and company_id is not None and row.number not in repeated:
            new.append((company_id, invoice_fields(row.data) | {"company_id": company_id}))
    accounts = ensure_accounts(ctx, plan, (company_id for company_id, _ in new))
    for company_id, fields in new:
        values = new_row(Invoice, ctx, account_id=accounts[company_id], **fields)
        plan.add(Invoice, values, action="invoice.imported", entity="invoice")
    return plan


def _compare(
    ctx: Context, plan: Plan, row: Row, existing: Invoice, company_id: uuid.UUID | None
) -> None:
    """A stored invoice number must come with the same content, as far as this row can be read."""
    wanted = file_values(row, COMPARED)
    if company_id is not None:
        wanted["company_id"] = company_id
    what = f"duplicate invoice number: invoice {existing.invoice_number!r}"
    found = conflict(what, existing, wanted, COMPARED, ctx.present)
    if found:
        ctx.problems.at(row, found.column, found.reason)
    elif row.data is not None:
        plan.unchanged += 1
