"""Bulk look-ups of what the database already holds: a few chunked queries per file."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select

from tradecredit.companies.models import Company
from tradecredit.imports.plan import Context, Plan, chunked, new_row
from tradecredit.imports.problems import Row
from tradecredit.receivables.models import CreditNote, CustomerAccount, Invoice
from tradecredit.receivables.service import DEFAULT_PAYMENT_TERMS_DAYS

CompanyKey = tuple[str, str]
COMPANY = ("registration_number", "country")


def unknown_company(role: str, key: CompanyKey) -> str:
    registration_number, country = key
    return (
        f"unknown {role} {registration_number!r} in {country}: no company with this "
        "registration_number + country; companies must be imported first "
        "(tradecredit import companies)"
    )


def company_keys(rows: Iterable[Row], columns: tuple[str, str] = COMPANY) -> set[CompanyKey]:
    """The readable (registration_number, country) keys the rows name in `columns`."""
    return {(row.values[columns[0]], row.values[columns[1]]) for row in rows if row.has(*columns)}


def known_company(
    ctx: Context,
    row: Row,
    companies: dict[CompanyKey, uuid.UUID],
    *,
    role: str,
    columns: tuple[str, str] = COMPANY,
) -> uuid.UUID | None:
    """The id of the company the row names in `columns`; None when the key cannot be read, or
    when no such company exists (then a problem on the registration number column)."""
    key = row.key(*columns)
    if key is None:
        return None
    company_id = companies.get((key[0], key[1]))
    if company_id is None:
        ctx.problems.at(row, columns[0], unknown_company(role, (key[0], key[1])))
    return company_id


def company_ids(ctx: Context, keys: Iterable[CompanyKey]) -> dict[CompanyKey, uuid.UUID]:
    """Ids of the companies named by (registration_number, country) that exist."""
    wanted = set(keys)
    numbers = sorted({number for number, _ in wanted})
    found: dict[CompanyKey, uuid.UUID] = {}
    for chunk in chunked(numbers):
        rows = ctx.session.execute(
            select(Company.registration_number, Company.country, Company.id).where(
                Company.org_id == ctx.actor.org_id, Company.registration_number.in_(chunk)
            )
        )
        for number, country, company_id in rows:
            if (number, country) in wanted:
                found[(number, country)] = company_id
    return found


def invoices_by_number(ctx: Context, numbers: Iterable[str]) -> dict[str, Invoice]:
    found: dict[str, Invoice] = {}
    for chunk in chunked(sorted(set(numbers))):
        query = select(Invoice).where(
            Invoice.org_id == ctx.actor.org_id, Invoice.invoice_number.in_(chunk)
        )
        found.update((invoice.invoice_number, invoice) for invoice in ctx.session.scalars(query))
    return found


def credited_minor(ctx: Context, invoice_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Per invoice, the credit notes already booked against it."""
    totals: dict[uuid.UUID, int] = {}
    for chunk in chunked(sorted(set(invoice_ids))):
        rows = ctx.session.execute(
            select(CreditNote.invoice_id, func.sum(CreditNote.amount_minor))
            .where(CreditNote.org_id == ctx.actor.org_id, CreditNote.invoice_id.in_(chunk))
            .group_by(CreditNote.invoice_id)
        )
        totals.update((invoice_id, int(total)) for invoice_id, total in rows)
    return totals


def ensure_accounts(
    ctx: Context, plan: Plan, company_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """Account id per company; companies without one get an account with the default terms,
    as `receivables.service.ensure_account` does for a single invoice (audited 'account.opened')."""
    wanted = sorted(set(company_ids))
    accounts: dict[uuid.UUID, uuid.UUID] = {}
    for chunk in chunked(wanted):
        rows = ctx.session.execute(
            select(CustomerAccount.company_id, CustomerAccount.id).where(
                CustomerAccount.org_id == ctx.actor.org_id, CustomerAccount.company_id.in_(chunk)
            )
        )
        accounts.update((company_id, account_id) for company_id, account_id in rows)
    for company_id in wanted:
        if company_id in accounts:
            continue
        values = new_row(
            CustomerAccount,
            ctx,
            company_id=company_id,
            payment_terms_days=DEFAULT_PAYMENT_TERMS_DAYS,
            on_hold=False,
        )
        plan.add(
            CustomerAccount,
            values,
            action="account.opened",
            entity="customer_account",
            from_file=False,
        )
        plan.accounts_opened += 1
        accounts[company_id] = values["id"]
    return accounts
