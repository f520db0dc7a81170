"""A buyer's credit position on a date: its limit, exposure, oldest overdue invoice, account
hold and company status. The gates and the instant decisions read it for one buyer at a time.

Three prepared statements (`db.prepared`), all on (org_id, company_id) indexes: the company row
joined to its organisation (base currency), customer account and active credit limit
(`buyer_select`, which the instant decisions extend with the score and the policy version and
run with the buyer lock); then the exposure with the oldest overdue due date
(`exposure.one.one_buyer_parts`: open invoices per currency, live orders with their
invoices).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, bindparam, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.db.prepared import Prepared
from tradecredit.exposure.memo import ExposureMemo
from tradecredit.exposure.one import one_buyer_parts
from tradecredit.kit.currencies import validate_currency
from tradecredit.kit.errors import NotFound
from tradecredit.kit.money import from_minor
from tradecredit.limits.models import CreditLimit
from tradecredit.organisations.models import Organisation
from tradecredit.organisations.roles import Permission
from tradecredit.receivables.models import CustomerAccount

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


@dataclass(frozen=True, slots=True)
class BuyerRow:
    """What `buyer_select` reads: the company, its account (None fields: no account), its
    active credit limit (None fields: none) and the organisation's base currency."""

    company_id: uuid.UUID
    status: str
    account_id: uuid.UUID | None
    account_on_hold: bool | None
    account_limit_minor: int | None
    account_currency: str | None
    limit_minor: int | None
    limit_currency: str | None
    limit_valid_until: date | None
    base_currency: str

    @property
    def limit_in_force(self) -> LimitInForce | None:
        """The active decided limit, else the account's internal limit, else None."""
        if self.limit_minor is not None and self.limit_currency is not None:
            return LimitInForce(
                self.limit_minor, self.limit_currency, self.limit_valid_until, "credit_limit"
            )
        if self.account_limit_minor is not None and self.account_currency:
            return LimitInForce(self.account_limit_minor, self.account_currency, None, "account")
        return None


BUYER_COLUMNS = len(BuyerRow.__dataclass_fields__)
"""How many leading columns of a `buyer_select` row make the BuyerRow."""


def buyer_select(
    *extra: ColumnElement[Any] | InstrumentedAttribute[Any],
) -> Select[*tuple[Any, ...]]:
    """Companies with their organisation, account and active limit (at most one each: unique
    on (org_id, company_id), the limit by the partial unique index on active ones); `extra`
    columns follow the BuyerRow's. The caller adds the WHERE on Company."""
    statement: Select[*tuple[Any, ...]] = (
        select(
            Company.id,
            Company.status,
            CustomerAccount.id,
            CustomerAccount.on_hold,
            CustomerAccount.credit_limit_minor,
            CustomerAccount.currency,
            CreditLimit.amount_minor,
            CreditLimit.currency,
            CreditLimit.valid_until,
            Organisation.base_currency,
            *extra,
        )
        .select_from(Company)
        .join(Organisation, Organisation.id == Company.org_id)
        .outerjoin(
            CustomerAccount,
            and_(
                CustomerAccount.org_id == Company.org_id,
                CustomerAccount.company_id == Company.id,
            ),
        )
        .outerjoin(
            CreditLimit,
            and_(
                CreditLimit.org_id == Company.org_id,
                CreditLimit.company_id == Company.id,
                CreditLimit.active.is_(True),
            ),
        )
    )
    return statement


def buyer_row(row: tuple[Any, ...]) -> BuyerRow:
    return BuyerRow(*row[:BUYER_COLUMNS])


_BUYER_BY_ID = Prepared(
    buyer_select().where(
        Company.org_id == bindparam("org_id"), Company.id == bindparam("company_id")
    )
)


def utilisation_of(exposure: Decimal, limit: Decimal | None) -> Decimal | None:
    """exposure / limit to basis points (half-even); None without a positive limit."""
    if limit is None or limit <= 0:
        return None
    return (exposure / limit).quantize(UTILISATION_PLACES, rounding=ROUND_HALF_EVEN)


def credit_position(
    session: Session, *, actor: Actor, company_id: uuid.UUID, as_of: date
) -> CreditPosition:
    """The buyer's position on `as_of` with its current (active) credit limit.

    A company of another organisation is NotFound; a missing FX rate for the exposure is
    FxRateMissing naming the pair and the date.
    """
    actor.require(Permission.READ)
    row = _BUYER_BY_ID.first(session, {"org_id": actor.org_id, "company_id": company_id})
    if row is None:
        raise NotFound(f"no company {company_id}")
    return position_of(session, actor=actor, buyer=buyer_row(row), as_of=as_of)


def position_of(
    session: Session,
    *,
    actor: Actor,
    buyer: BuyerRow,
    as_of: date,
    memo: ExposureMemo | None = None,
) -> CreditPosition:
    """The position of a buyer already read with `buyer_select` (the caller checked READ);
    its exposure from `memo` when given (a decision worker's, `exposure.memo`)."""
    found = buyer.limit_in_force
    currency = found.currency if found else buyer.base_currency
    limit = from_minor(found.amount_minor, currency) if found else None
    target = validate_currency(currency.strip().upper())
    parts_of = one_buyer_parts if memo is None else memo.parts
    one = parts_of(session, actor=actor, company_id=buyer.company_id, as_of=as_of, currency=target)
    exposure = from_minor(one.parts.total_minor, target)
    valid_until = found.valid_until if found else None
    overdue = one.oldest_overdue_due
    return CreditPosition(
        company_id=buyer.company_id,
        as_of=as_of,
        currency=currency,
        limit=limit,
        limit_source=found.source if found else None,
        limit_valid_until=valid_until,
        limit_expired=valid_until is not None and valid_until < as_of,
        exposure=exposure,
        exposure_fx_rate_date=one.parts.fx_rate_date,
        available=None if limit is None else limit - exposure,
        utilisation=utilisation_of(exposure, limit),
        oldest_overdue_days=None if overdue is None else (as_of - overdue).days,
        account_on_hold=bool(buyer.account_on_hold),
        company_status=buyer.status,
    )
