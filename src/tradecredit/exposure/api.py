"""Routes: exposure per buyer, per group, and the portfolio list. Read-only."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from tradecredit.api.deps import ActorDep, PageDep, SessionDep
from tradecredit.exposure import report
from tradecredit.exposure.schemas import (
    CompanyExposure,
    ExposureGrouping,
    ExposureList,
    GroupExposure,
)
from tradecredit.kit.fields import CurrencyCode

router = APIRouter(tags=["exposure"])

AsOf = Annotated[date | None, Query(description="the date, YYYY-MM-DD (default: today)")]
Currency = Annotated[
    CurrencyCode | None,
    Query(description="currency of the amounts (default: the organisation's base currency)"),
]


@router.get("/exposure", response_model=ExposureList, summary="Exposure of every buyer or group")
def exposure_list(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    as_of: AsOf = None,
    currency: Currency = None,
    by: Annotated[ExposureGrouping, Query(description="one row per buyer or per group")] = "buyer",
) -> ExposureList:
    """Open invoices + uninvoiced orders + uninvoiced deliveries, largest total first.

    Amounts in other currencies are converted at the latest rate on or before `as_of`; the rates
    used are listed with their dates. `totals` covers every row, not just this page.
    """
    return report.exposure_list(
        session,
        actor=actor,
        as_of=as_of,
        currency=currency,
        by=by,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/companies/{company_id}/exposure",
    response_model=CompanyExposure,
    summary="One buyer's exposure",
)
def company_exposure(
    company_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    as_of: AsOf = None,
    currency: Currency = None,
) -> CompanyExposure:
    return report.company_exposure(
        session, actor=actor, company_id=company_id, as_of=as_of, currency=currency
    )


@router.get(
    "/groups/{parent_company_id}/exposure",
    response_model=GroupExposure,
    summary="A corporate group's exposure: the parent and every company below it",
)
def group_exposure(
    parent_company_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    as_of: AsOf = None,
    currency: Currency = None,
) -> GroupExposure:
    """The group is headed by the ultimate parent of `parent_company_id` (a subsidiary's id
    gives its whole group); its figures are the sums over every member."""
    return report.group_exposure(
        session, actor=actor, company_id=parent_company_id, as_of=as_of, currency=currency
    )
