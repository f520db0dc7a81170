"""Analytics routes: the ageing report with DSO."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from tradecredit.analytics import service
from tradecredit.analytics.dso import MAX_PERIOD_DAYS
from tradecredit.analytics.schemas import AgeingGrouping, AgeingReport
from tradecredit.api.deps import ActorDep, SessionDep
from tradecredit.kit.fields import CurrencyCode

router = APIRouter(tags=["analytics"])


@router.get("/ageing", response_model=AgeingReport)
def ageing(
    session: SessionDep,
    actor: ActorDep,
    as_of: Annotated[date, Query(description="the report date, YYYY-MM-DD")],
    by: Annotated[
        AgeingGrouping, Query(description="rows per buyer, country, sector...")
    ] = "total",
    currency: Annotated[
        CurrencyCode | None,
        Query(description="report currency (default: the organisation's base currency)"),
    ] = None,
    dso_days: Annotated[
        int, Query(ge=1, le=MAX_PERIOD_DAYS, description="period of the standard DSO, in days")
    ] = 90,
    top: Annotated[
        int | None, Query(ge=1, description="return only the largest N rows; totals cover all")
    ] = None,
) -> AgeingReport:
    """Open receivables by days past due, with the share over 120 days and DSO (both methods).

    Buckets add up exactly to the open balance; amounts in other currencies are converted at the
    latest rate on or before `as_of`, and the rates used are listed with their dates.
    """
    return service.ageing_report(
        session,
        actor=actor,
        as_of=as_of,
        by=by,
        currency=currency,
        dso_period_days=dso_days,
        top=top,
    )
