"""Exposure per buyer and per corporate group, in one currency, as of a date. Read-only.

`buyer_exposures` is the entry point other domains call (credit limits, gates, instant
decisions). For a handful of buyers (up to `FEW_BUYERS_BY_SQL`) it runs `single.py`: a few
aggregate selects and integer arithmetic, the same figures without building frames; for more it
runs the frame path (`frames.py` + `compute.py`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from tradecredit.context import Actor
from tradecredit.exposure.compute import (
    ExposureResult,
    buyer_exposure,
    group_exposure,
    order_positions,
    ultimate_parents,
)
from tradecredit.exposure.frames import load_companies, load_open_items, load_order_frames
from tradecredit.exposure.single import BuyerParts, few_buyer_parts
from tradecredit.fx.service import rate_table
from tradecredit.kit.currencies import validate_currency
from tradecredit.kit.money import from_minor
from tradecredit.organisations.roles import Permission

FEW_BUYERS_BY_SQL = 20
"""Up to this many buyers, `buyer_exposures` aggregates in SQL (`single.py`); above, frames."""


@dataclass(frozen=True, slots=True)
class Exposure:
    """What one buyer (or one group) owes and will owe, in `currency`.

    `fx_rate_date` is the date of the oldest FX rate used to convert its amounts into
    `currency`; None when every amount was already in `currency` (or there is none).
    """

    company_id: uuid.UUID
    currency: str
    open_invoices: Decimal
    uninvoiced_orders: Decimal
    uninvoiced_deliveries: Decimal
    total: Decimal
    fx_rate_date: date | None


def exposure_from_row(row: dict[str, Any], *, key: str, currency: str) -> Exposure:
    return Exposure(
        company_id=uuid.UUID(row[key]),
        currency=currency,
        open_invoices=from_minor(int(row["open_invoices_minor"]), currency),
        uninvoiced_orders=from_minor(int(row["uninvoiced_orders_minor"]), currency),
        uninvoiced_deliveries=from_minor(int(row["uninvoiced_deliveries_minor"]), currency),
        total=from_minor(int(row["total_minor"]), currency),
        fx_rate_date=row["fx_rate_date"],
    )


def exposure_from_parts(company_id: uuid.UUID, parts: BuyerParts, *, currency: str) -> Exposure:
    return Exposure(
        company_id=company_id,
        currency=currency,
        open_invoices=from_minor(parts.open_invoices_minor, currency),
        uninvoiced_orders=from_minor(parts.uninvoiced_orders_minor, currency),
        uninvoiced_deliveries=from_minor(parts.uninvoiced_deliveries_minor, currency),
        total=from_minor(parts.total_minor, currency),
        fx_rate_date=parts.fx_rate_date,
    )


def _exposure_of(
    session: Session,
    *,
    actor: Actor,
    companies: pl.DataFrame,
    company_ids: Sequence[uuid.UUID] | None,
    as_of: date,
    currency: str,
) -> ExposureResult:
    rates = rate_table(session, actor=actor, as_of=as_of)
    orders, deliveries, invoices = load_order_frames(
        session, actor=actor, as_of=as_of, company_ids=company_ids
    )
    positions = order_positions(
        orders=orders, deliveries=deliveries, invoices=invoices, as_of=as_of, rates=rates
    )
    return buyer_exposure(
        companies=companies,
        open_items=load_open_items(session, actor=actor, as_of=as_of, company_ids=company_ids),
        positions=positions,
        as_of=as_of,
        currency=currency,
        rates=rates,
    )


def buyer_exposure_result(
    session: Session,
    *,
    actor: Actor,
    company_ids: Sequence[uuid.UUID] | None = None,
    as_of: date,
    currency: str,
) -> ExposureResult:
    """One row per buyer of the organisation (or of `company_ids`), in company id order."""
    actor.require(Permission.READ)
    target = validate_currency(currency.strip().upper())
    ids = None if company_ids is None else list(dict.fromkeys(company_ids))
    companies = load_companies(session, actor=actor, company_ids=ids)
    return _exposure_of(
        session, actor=actor, companies=companies, company_ids=ids, as_of=as_of, currency=target
    )


def buyer_exposures(
    session: Session,
    *,
    actor: Actor,
    company_ids: Sequence[uuid.UUID] | None = None,
    as_of: date,
    currency: str,
) -> dict[uuid.UUID, Exposure]:
    """Exposure of every buyer of the organisation (or of `company_ids`), zero where nothing
    is open. A company id of another organisation is NotFound; a missing FX rate is
    FxRateMissing naming the pair and the date."""
    if company_ids is not None and len(set(company_ids)) <= FEW_BUYERS_BY_SQL:
        return few_buyer_exposures(
            session, actor=actor, company_ids=company_ids, as_of=as_of, currency=currency
        )
    return frame_buyer_exposures(
        session, actor=actor, company_ids=company_ids, as_of=as_of, currency=currency
    )


def few_buyer_exposures(
    session: Session,
    *,
    actor: Actor,
    company_ids: Sequence[uuid.UUID],
    as_of: date,
    currency: str,
) -> dict[uuid.UUID, Exposure]:
    """`buyer_exposures` through aggregate selects (`single.py`), for a handful of buyers."""
    actor.require(Permission.READ)
    target = validate_currency(currency.strip().upper())
    found = few_buyer_parts(
        session, actor=actor, company_ids=company_ids, as_of=as_of, currency=target
    )
    return {
        company_id: exposure_from_parts(company_id, parts, currency=target)
        for company_id, parts in found.items()
    }


def frame_buyer_exposures(
    session: Session,
    *,
    actor: Actor,
    company_ids: Sequence[uuid.UUID] | None = None,
    as_of: date,
    currency: str,
) -> dict[uuid.UUID, Exposure]:
    """`buyer_exposures` through the frame path (`frames.py` + `compute.py`), for portfolios."""
    result = buyer_exposure_result(
        session, actor=actor, company_ids=company_ids, as_of=as_of, currency=currency
    )
    return {
        exposure.company_id: exposure
        for exposure in (
            exposure_from_row(row, key="company_id", currency=result.currency)
            for row in result.rows.iter_rows(named=True)
        )
    }


def group_exposure_result(
    session: Session,
    *,
    actor: Actor,
    as_of: date,
    currency: str,
    member_of: uuid.UUID | None = None,
) -> ExposureResult:
    """One row per group (`group_id`: its ultimate parent; a company with neither parent nor
    subsidiaries is a group of one). With `member_of`, only the group that company is in."""
    actor.require(Permission.READ)
    target = validate_currency(currency.strip().upper())
    if member_of is not None:
        load_companies(session, actor=actor, company_ids=[member_of])
    companies = load_companies(session, actor=actor, company_ids=None)
    groups = ultimate_parents(companies)
    ids: list[uuid.UUID] | None = None
    if member_of is not None:
        root = groups.filter(pl.col("company_id") == str(member_of))["group_id"].item()
        groups = groups.filter(pl.col("group_id") == root)
        ids = [uuid.UUID(value) for value in groups["company_id"].to_list()]
        companies = companies.filter(pl.col("id").is_in(groups["company_id"].implode()))
    buyers = _exposure_of(
        session, actor=actor, companies=companies, company_ids=ids, as_of=as_of, currency=target
    )
    return group_exposure(buyers, groups)
