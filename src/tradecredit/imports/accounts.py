"""Customer accounts: one per buyer company; a changed account is updated."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from tradecredit.imports.lookup import COMPANY, company_ids, company_keys, known_company
from tradecredit.imports.plan import Context, Plan, chunked, new_row, repeated_rows
from tradecredit.imports.problems import Row
from tradecredit.receivables.models import CustomerAccount
from tradecredit.receivables.schemas import AccountCreate
from tradecredit.receivables.service import account_fields

FIELD_OF_COLUMN = {
    "payment_terms_days": "payment_terms_days",
    "credit_limit": "credit_limit_minor",
    "currency": "currency",
    "language": "language",
    "collector": "collector",
    "dunning_policy": "dunning_policy",
    "on_hold": "on_hold",
}


def plan_accounts(ctx: Context, rows: Sequence[Row]) -> Plan:
    """New accounts take the schema defaults; on an existing account an empty on_hold cell
    keeps the stored hold (an empty cell must not lift a hold)."""
    plan = Plan()
    repeated = repeated_rows(
        ctx,
        rows,
        needs=COMPANY,
        column="registration_number",
        reason=lambda v, first: (
            f"account of {v['registration_number']!r} in {v['country']} appears more than once "
            f"in this file (first at row {first})"
        ),
    )
    companies = company_ids(ctx, company_keys(rows))
    stored = _load(ctx, list(set(companies.values())))
    for row in rows:
        company_id = known_company(ctx, row, companies, role="company")
        if company_id is None or row.data is None or row.number in repeated:
            continue
        data: AccountCreate = row.data
        fields = account_fields(data)
        existing = stored.get(company_id)
        if existing is None:
            values = new_row(CustomerAccount, ctx, company_id=company_id, **fields)
            plan.add(CustomerAccount, values, action="account.imported", entity="customer_account")
            continue
        wanted: dict[str, Any] = {
            field: fields[field]
            for column, field in FIELD_OF_COLUMN.items()
            if column in ctx.present
        }
        if "on_hold" not in row.cells:
            wanted.pop("on_hold", None)
        plan.change(existing, wanted, action="account.updated", entity="customer_account")
    return plan


def _load(ctx: Context, company_ids: list[uuid.UUID]) -> dict[uuid.UUID, CustomerAccount]:
    found: dict[uuid.UUID, CustomerAccount] = {}
    for chunk in chunked(company_ids):
        query = select(CustomerAccount).where(
            CustomerAccount.org_id == ctx.actor.org_id, CustomerAccount.company_id.in_(chunk)
        )
        found.update((account.company_id, account) for account in ctx.session.scalars(query))
    return found
