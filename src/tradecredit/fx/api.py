"""FX rate routes: record a dated rate, list rates by date range, read one."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from tradecredit.api.deps import ActorDep, SessionDep
from tradecredit.fx import service
from tradecredit.fx.schemas import FxRateCreate, FxRateOut
from tradecredit.kit.dates import DateRange
from tradecredit.kit.fields import CurrencyCode

router = APIRouter(prefix="/fx-rates", tags=["fx"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=FxRateOut)
def create_rate(data: FxRateCreate, session: SessionDep, actor: ActorDep) -> FxRateOut:
    """Record that on `rate_date` one `base_currency` bought `rate` `quote_currency`."""
    rate = service.add_rate(session, actor=actor, data=data)
    return FxRateOut.model_validate(rate)


@router.get("", response_model=list[FxRateOut])
def list_rates(
    session: SessionDep,
    actor: ActorDep,
    start: Annotated[date | None, Query(description="first rate date included")] = None,
    end: Annotated[date | None, Query(description="first rate date excluded: [start, end)")] = None,
    currency: Annotated[
        CurrencyCode | None, Query(description="only pairs involving this currency")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[FxRateOut]:
    """Rates newest first, optionally within a date range and for one currency."""
    dates = None
    if start is not None or end is not None:
        dates = DateRange(start or date.min, end or date.max)
    rates = service.list_rates(
        session, actor=actor, dates=dates, currency=currency, limit=limit, offset=offset
    )
    return [FxRateOut.model_validate(rate) for rate in rates]


@router.get("/{rate_id}", response_model=FxRateOut)
def get_rate(rate_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> FxRateOut:
    return FxRateOut.model_validate(service.get_rate(session, actor=actor, rate_id=rate_id))
