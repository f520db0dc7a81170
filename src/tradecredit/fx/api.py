"""FX rate routes: record a dated rate, list rates by date range, read one.

Rates are reference data, not money movements, but their POST takes an `Idempotency-Key` like
every other POST, so an integrator can retry any write the same way.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tradecredit.api.deps import ActorDep, Page, PageDep, SessionDep, page_of
from tradecredit.api.idempotency import KEYED_WRITE_RESPONSES, IdempotencyKeyDep, respond_once
from tradecredit.fx import service
from tradecredit.fx.schemas import FxRateCreate, FxRateOut
from tradecredit.kit.dates import DateRange
from tradecredit.kit.fields import CurrencyCode
from tradecredit.organisations.roles import Permission

router = APIRouter(prefix="/fx-rates", tags=["fx"])


@router.post(
    "",
    status_code=201,
    response_model=FxRateOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Record a dated FX rate",
)
def create_rate(
    data: FxRateCreate,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    """Record that on `rate_date` one `base_currency` bought `rate` `quote_currency`."""
    return respond_once(
        session,
        actor=actor,
        key=key,
        request=request,
        body=data,
        permission=Permission.WRITE_LEDGER,
        operation=lambda: FxRateOut.model_validate(
            service.add_rate(session, actor=actor, data=data)
        ),
    )


@router.get("", response_model=Page[FxRateOut], summary="List FX rates, newest first")
def list_rates(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    start: Annotated[date | None, Query(description="first rate date included")] = None,
    end: Annotated[date | None, Query(description="first rate date excluded: [start, end)")] = None,
    currency: Annotated[
        CurrencyCode | None, Query(description="only pairs involving this currency")
    ] = None,
) -> Page[FxRateOut]:
    """Rates newest first, optionally within a date range and for one currency."""
    dates = None
    if start is not None or end is not None:
        dates = DateRange(start or date.min, end or date.max)
    rates = service.list_rates(
        session, actor=actor, dates=dates, currency=currency, limit=page.limit, offset=page.offset
    )
    return page_of([FxRateOut.model_validate(rate) for rate in rates], page)


@router.get("/{rate_id}", response_model=FxRateOut, summary="Get an FX rate")
def get_rate(rate_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> FxRateOut:
    return FxRateOut.model_validate(service.get_rate(session, actor=actor, rate_id=rate_id))
