"""Dated FX rates: record, read, and the rate table an aggregate converts with. Never commits.

Rates are reference data, not money movements: a write is audited but needs no idempotency key.
One direction per pair and date is stored, so a conversion never has to choose between two
quotes of the same day.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import BindParameter, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from tradecredit.audit import service as audit
from tradecredit.context import Actor
from tradecredit.db.prepared import Prepared
from tradecredit.db.snapshot import snapshot
from tradecredit.fx.models import FxRate
from tradecredit.fx.rates import DatedRate, RateTable
from tradecredit.fx.schemas import FxRateCreate
from tradecredit.kit.dates import DateRange
from tradecredit.kit.errors import AlreadyExists, NotFound
from tradecredit.organisations.roles import Permission


def _same_day_quote(session: Session, *, actor: Actor, data: FxRateCreate) -> FxRate | None:
    """A stored rate for this pair, in either direction, on the same date."""
    base, quote = data.base_currency, data.quote_currency
    return session.scalar(
        select(FxRate).where(
            FxRate.org_id == actor.org_id,
            FxRate.rate_date == data.rate_date,
            or_(
                and_(FxRate.base_currency == base, FxRate.quote_currency == quote),
                and_(FxRate.base_currency == quote, FxRate.quote_currency == base),
            ),
        )
    )


def add_rate(session: Session, *, actor: Actor, data: FxRateCreate) -> FxRate:
    actor.require(Permission.WRITE_LEDGER)
    existing = _same_day_quote(session, actor=actor, data=data)
    if existing is not None:
        raise AlreadyExists(
            f"a {existing.base_currency}/{existing.quote_currency} rate for "
            f"{data.rate_date.isoformat()} is already stored ({existing.rate}); "
            "one quote per pair and date",
            details={"id": str(existing.id)},
        )
    rate = FxRate(
        org_id=actor.org_id,
        rate_date=data.rate_date,
        base_currency=data.base_currency,
        quote_currency=data.quote_currency,
        rate=data.rate,
    )
    session.add(rate)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="fx_rate.created",
        entity_type="fx_rate",
        entity_id=rate.id,
        after=snapshot(rate),
    )
    return rate


def get_rate(session: Session, *, actor: Actor, rate_id: uuid.UUID) -> FxRate:
    actor.require(Permission.READ)
    rate = session.get(FxRate, rate_id)
    if rate is None or rate.org_id != actor.org_id:
        raise NotFound(f"no FX rate {rate_id}")
    return rate


def list_rates(
    session: Session,
    *,
    actor: Actor,
    dates: DateRange | None = None,
    currency: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[FxRate]:
    """Rates dated within `dates` (half-open), optionally those involving `currency`."""
    actor.require(Permission.READ)
    query = select(FxRate).where(FxRate.org_id == actor.org_id)
    if dates is not None:
        query = query.where(FxRate.rate_date >= dates.start, FxRate.rate_date < dates.end)
    if currency is not None:
        query = query.where(
            or_(FxRate.base_currency == currency, FxRate.quote_currency == currency)
        )
    query = query.order_by(FxRate.rate_date.desc(), FxRate.base_currency, FxRate.quote_currency)
    return session.scalars(query.limit(limit).offset(offset)).all()


def _rate_table_statement() -> Prepared:
    as_of: BindParameter[date] = bindparam("as_of")
    latest = (
        select(
            FxRate.base_currency,
            FxRate.quote_currency,
            func.max(FxRate.rate_date).label("rate_date"),
        )
        .where(FxRate.org_id == bindparam("org_id"), FxRate.rate_date <= as_of)
        .group_by(FxRate.base_currency, FxRate.quote_currency)
        .subquery()
    )
    return Prepared(
        select(FxRate.base_currency, FxRate.quote_currency, FxRate.rate, FxRate.rate_date)
        .join(
            latest,
            and_(
                FxRate.base_currency == latest.c.base_currency,
                FxRate.quote_currency == latest.c.quote_currency,
                FxRate.rate_date == latest.c.rate_date,
            ),
        )
        .where(FxRate.org_id == bindparam("org_id"))
    )


_RATE_TABLE = _rate_table_statement()
"""Prepared (`db.prepared`): the gates and instant decisions read it on every call that
converts."""


def rate_table(session: Session, *, actor: Actor, as_of: date) -> RateTable:
    """For every stored pair, its latest rate dated on or before `as_of`."""
    actor.require(Permission.READ)
    rows = _RATE_TABLE.all(session, {"org_id": actor.org_id, "as_of": as_of})
    return RateTable.from_rates((DatedRate(*row) for row in rows), as_of=as_of)
