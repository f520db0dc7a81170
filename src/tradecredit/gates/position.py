"""A buyer's credit position on a date: its limit, exposure, oldest overdue invoice, account
hold and company status. The gates and the instant decisions read it for one buyer at a time.

Everything is a handful of indexed selects on (org_id, company_id, ...): the company row, the
active credit limit, the customer account, the oldest open invoice past due, and the exposure
(`tradecredit.exposure.service.buyer_exposures`, a few index ranges for one buyer).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecredit.companies.service import get_company
from tradecredit.context import Actor
from tradecredit.exposure.service import buyer_exposures
from tradecredit.kit.money import from_minor
from tradecredit.limits.decisions import current_limit
from tradecredit.limits.policy_store import base_currency
from tradecredit.organisations.roles import Permission
from tradecredit.receivables.allocation import open_minor
from tradecredit.receivables.models import Allocation, CreditNote, CustomerAccount, Invoice
from tradecredit.receivables.service import find_account

LimitSource = Literal["credit_limit", "account"]
UTILISATION_PLACES = Decimal("0.0001")
"""Utilisation is shown to basis points; rules compare exact amounts, never this rounded share."""


@dataclass(frozen=True)
class CreditPosition:
    """Amounts are in `currency`: the limit's currency, or the organisation's base currency
    when the buyer has no limit.

    `limit` is the buyer's active credit limit (`limit_source` "credit_limit", set by a limit
    decision); without one, the internal credit limit on the customer account ("account", as
    the seller imported it, with no expiry); None when there is neither; then `available` and `utilisation` are None too.
    A limit of 0 (a refusal) has no utilisation either: any exposure is over it.
    `limit_expired`: the limit's `valid_until` is before `as_of` (it is valid through that day).
    `oldest_overdue_days`: days past due, on `as_of`, of the open invoice due earliest among
    those past due; None when nothing open is past due.
    """

    company_id: uuid.UUID
    as_of: date
    currency: str
    limit: Decimal | None
    limit_source: LimitSource | None
    limit_valid_until: date | None
    limit_expired: bool
    exposure: Decimal
    exposure_fx_rate_date: date | None
    available: Decimal | None
    utilisation: Decimal | None
    oldest_overdue_days: int | None
    account_on_hold: bool
    company_status: str

    @property
    def has_limit(self) -> bool:
        return self.limit is not None


@dataclass(frozen=True)
class LimitInForce:
    amount_minor: int
    currency: str
    valid_until: date | None
    source: LimitSource


def limit_in_force(
    session: Session, *, actor: Actor, company_id: uuid.UUID, account: CustomerAccount | None
) -> LimitInForce | None:
    """The active decided limit, else the account's internal limit, else None."""
    decided = current_limit(session, actor=actor, company_id=company_id)
    if decided is not None:
        return LimitInForce(
            decided.amount_minor, decided.currency, decided.valid_until, "credit_limit"
        )
    if account is not None and account.credit_limit_minor is not None and account.currency:
        return LimitInForce(account.credit_limit_minor, account.currency, None, "account")
    return None


def utilisation_of(exposure: Decimal, limit: Decimal | None) -> Decimal | None:
    """exposure / limit to basis points (half-even); None without a positive limit."""
    if limit is None or limit <= 0:
        return None
    return (exposure / limit).quantize(UTILISATION_PLACES, rounding=ROUND_HALF_EVEN)


def _past_due(actor: Actor, company_id: uuid.UUID, as_of: date) -> tuple[Any, ...]:
    return (
        Invoice.org_id == actor.org_id,
        Invoice.company_id == company_id,
        Invoice.due_date < as_of,
        Invoice.issue_date <= as_of,
    )


def _settled_minor(
    session: Session, actor: Actor, company_id: uuid.UUID, as_of: date
) -> dict[uuid.UUID, int]:
    """Per past-due invoice: allocations applied and credit notes issued on or before `as_of`.

    The organisation is filtered on the invoice, not on the settlement row: with an org_id
    term on allocations too, SQLite walks the organisation-wide org_id index of allocations
    (about 15x slower for a busy buyer of the demo portfolio) instead of the invoice_id one."""
    settled: dict[uuid.UUID, int] = defaultdict(int)
    for table, dated in ((Allocation, Allocation.applied_on), (CreditNote, CreditNote.issue_date)):
        rows = session.execute(
            select(table.invoice_id, func.sum(table.amount_minor))
            .join(Invoice, Invoice.id == table.invoice_id)
            .where(*_past_due(actor, company_id, as_of), dated <= as_of)
            .group_by(table.invoice_id)
        ).all()
        for invoice_id, amount in rows:
            settled[invoice_id] += int(amount)
    return settled


def oldest_overdue_days(
    session: Session, *, actor: Actor, company_id: uuid.UUID, as_of: date
) -> int | None:
    """Days past due of the buyer's earliest-due invoice still open on `as_of` and past due
    then (open = amount - allocations applied - credit notes issued by that date)."""
    invoices = session.execute(
        select(Invoice.id, Invoice.amount_minor, Invoice.due_date)
        .where(*_past_due(actor, company_id, as_of))
        .order_by(Invoice.due_date, Invoice.id)
    ).all()
    if not invoices:
        return None
    settled = _settled_minor(session, actor, company_id, as_of)
    for invoice_id, amount_minor, due_date in invoices:
        if open_minor(amount_minor, settled[invoice_id], 0) > 0:
            return (as_of - due_date).days
    return None


def credit_position(
    session: Session, *, actor: Actor, company_id: uuid.UUID, as_of: date
) -> CreditPosition:
    """The buyer's position on `as_of` with its current (active) credit limit.

    A company of another organisation is NotFound; a missing FX rate for the exposure is
    FxRateMissing naming the pair and the date.
    """
    actor.require(Permission.READ)
    company = get_company(session, actor=actor, company_id=company_id)
    account = find_account(session, actor=actor, company_id=company_id)
    found = limit_in_force(session, actor=actor, company_id=company_id, account=account)
    currency = found.currency if found else base_currency(session, actor=actor)
    limit = from_minor(found.amount_minor, currency) if found else None
    exposure = buyer_exposures(
        session, actor=actor, company_ids=[company_id], as_of=as_of, currency=currency
    )[company_id]
    valid_until = found.valid_until if found else None
    return CreditPosition(
        company_id=company_id,
        as_of=as_of,
        currency=currency,
        limit=limit,
        limit_source=found.source if found else None,
        limit_valid_until=valid_until,
        limit_expired=valid_until is not None and valid_until < as_of,
        exposure=exposure.total,
        exposure_fx_rate_date=exposure.fx_rate_date,
        available=None if limit is None else limit - exposure.total,
        utilisation=utilisation_of(exposure.total, limit),
        oldest_overdue_days=oldest_overdue_days(
            session, actor=actor, company_id=company_id, as_of=as_of
        ),
        account_on_hold=bool(account and account.on_hold),
        company_status=company.status,
    )
