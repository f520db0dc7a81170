"""Shape exposure results for the API and the CLI: names, amounts, rates used, paging."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any, cast

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.analytics.service import fx_note, rates_used, report_currency
from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.exposure.compute import PARTS, ExposureResult
from tradecredit.exposure.schemas import (
    Amounts,
    BuyerExposureOut,
    CompanyExposure,
    ExposureGrouping,
    ExposureList,
    GroupExposure,
    GroupExposureOut,
)
from tradecredit.exposure.service import buyer_exposure_result, group_exposure_result
from tradecredit.kit.clock import get_clock
from tradecredit.kit.errors import InvalidInput
from tradecredit.kit.money import from_minor

Identity = tuple[str, str, str]


def _identities(session: Session, *, actor: Actor, ids: Iterable[str]) -> dict[str, Identity]:
    """registration number, country and name of each company id (all of the organisation)."""
    wanted = [uuid.UUID(i) for i in ids]
    if not wanted:
        return {}
    rows = session.execute(
        select(Company.id, Company.registration_number, Company.country, Company.name).where(
            Company.org_id == actor.org_id, Company.id.in_(wanted)
        )
    )
    return {str(row[0]): (row[1], row[2], row[3]) for row in rows}


def _amounts(row: dict[str, Any], currency: str) -> dict[str, Any]:
    return {
        "open_invoices": from_minor(int(row["open_invoices_minor"]), currency),
        "uninvoiced_orders": from_minor(int(row["uninvoiced_orders_minor"]), currency),
        "uninvoiced_deliveries": from_minor(int(row["uninvoiced_deliveries_minor"]), currency),
        "total": from_minor(int(row["total_minor"]), currency),
        "fx_rate_date": row["fx_rate_date"],
    }


def _buyer(row: dict[str, Any], identity: Identity, currency: str) -> BuyerExposureOut:
    number, country, name = identity
    return BuyerExposureOut(
        company_id=uuid.UUID(row["company_id"]),
        registration_number=number,
        country=country,
        name=name,
        **_amounts(row, currency),
    )


def _group(row: dict[str, Any], identity: Identity, currency: str) -> GroupExposureOut:
    number, country, name = identity
    return GroupExposureOut(
        group_id=uuid.UUID(row["group_id"]),
        registration_number=number,
        country=country,
        name=name,
        members=int(row["members"]),
        **_amounts(row, currency),
    )


def _largest_first(rows: pl.DataFrame, key: str) -> pl.DataFrame:
    return rows.sort(["total_minor", key], descending=[True, False])


def _conversion(result: ExposureResult) -> dict[str, Any]:
    return {
        "as_of": result.as_of,
        "currency": result.currency,
        "fx_rates": rates_used(result.conversions),
        "fx_note": fx_note(result.currency, result.conversions),
    }


def _settings(
    session: Session, *, actor: Actor, as_of: date | None, currency: str | None
) -> tuple[date, str]:
    """The date asked for (default: today) and the currency (default: the organisation's)."""
    target = report_currency(session, actor=actor, currency=currency)
    return (as_of or get_clock().today()), target


def company_exposure(
    session: Session,
    *,
    actor: Actor,
    company_id: uuid.UUID,
    as_of: date | None = None,
    currency: str | None = None,
) -> CompanyExposure:
    day, target = _settings(session, actor=actor, as_of=as_of, currency=currency)
    result = buyer_exposure_result(
        session, actor=actor, company_ids=[company_id], as_of=day, currency=target
    )
    row = result.rows.row(0, named=True)
    names = _identities(session, actor=actor, ids=[row["company_id"]])
    return CompanyExposure(
        **_conversion(result), exposure=_buyer(row, names[row["company_id"]], target)
    )


def group_exposure(
    session: Session,
    *,
    actor: Actor,
    company_id: uuid.UUID,
    as_of: date | None = None,
    currency: str | None = None,
) -> GroupExposure:
    """The group `company_id` belongs to (headed by its ultimate parent), with every member."""
    day, target = _settings(session, actor=actor, as_of=as_of, currency=currency)
    groups = group_exposure_result(
        session, actor=actor, as_of=day, currency=target, member_of=company_id
    )
    assert groups.members is not None
    members = _largest_first(groups.members, "company_id")
    group_row = groups.rows.row(0, named=True)
    names = _identities(session, actor=actor, ids=members["company_id"].to_list())
    return GroupExposure(
        **_conversion(groups),
        group=_group(group_row, names[group_row["group_id"]], target),
        members=[
            _buyer(row, names[row["company_id"]], target) for row in members.iter_rows(named=True)
        ],
    )


def exposure_list(
    session: Session,
    *,
    actor: Actor,
    as_of: date | None = None,
    currency: str | None = None,
    by: ExposureGrouping | str = "buyer",
    limit: int = 100,
    offset: int = 0,
) -> ExposureList:
    """Every buyer (or group) of the organisation, largest total first, one page of them."""
    if by not in ("buyer", "group"):
        raise InvalidInput(
            f"invalid grouping by={by!r}: one of buyer, group", details={"field": "by"}
        )
    day, target = _settings(session, actor=actor, as_of=as_of, currency=currency)
    if by == "buyer":
        result = buyer_exposure_result(session, actor=actor, as_of=day, currency=target)
    else:
        result = group_exposure_result(session, actor=actor, as_of=day, currency=target)
    key = "company_id" if by == "buyer" else "group_id"
    rows = _largest_first(result.rows, key)
    page = rows.slice(offset, limit)
    names = _identities(session, actor=actor, ids=page[key].to_list())
    shape = _buyer if by == "buyer" else _group
    totals = rows.select(
        *(pl.col(part).sum() for part in (*PARTS, "total_minor")), pl.col("fx_rate_date").min()
    ).row(0, named=True)
    return ExposureList(
        **_conversion(result),
        by=cast(ExposureGrouping, by),
        totals=Amounts(**_amounts(totals, target)),
        items=[shape(row, names[row[key]], target) for row in page.iter_rows(named=True)],
        limit=limit,
        offset=offset,
        next_offset=offset + limit if offset + limit < rows.height else None,
    )
