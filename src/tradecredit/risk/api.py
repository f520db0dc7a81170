"""Country and sector risk routes: reference data, the same for every organisation (read only).

Writing country risk is an administrator's import (`tradecredit risk import-oecd`), not an API call.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from tradecredit.api.deps import ActorDep, Page, PageDep, SessionDep, page_of
from tradecredit.kit.clock import get_clock
from tradecredit.organisations.roles import Permission
from tradecredit.risk import service
from tradecredit.risk.schemas import (
    CountryRisk,
    CountryRiskAnswer,
    RiskCountryCode,
    SectorRisk,
    risk_country_name,
)
from tradecredit.risk.sectors import sector_risk

router = APIRouter(tags=["risk"])

AsOf = Annotated[
    date | None,
    Query(description="the date the classification must be in force on (default today)"),
]
Source = Annotated[
    str, Query(min_length=1, max_length=64, description="whose classification (default the OECD)")
]


@router.get(
    "/country-risk/{country}",
    response_model=CountryRiskAnswer,
    summary="The country risk classification in force on a date",
)
def get_country_risk(
    country: Annotated[RiskCountryCode, Path(description="ISO 3166-1 alpha-2, e.g. DE")],
    session: SessionDep,
    actor: ActorDep,
    as_of: AsOf = None,
    history: Annotated[bool, Query(description="add every stored review, oldest first")] = False,
    source: Source = service.OECD_SOURCE,
) -> CountryRiskAnswer:
    """The latest review dated on or before `as_of`; `in_force` is null when none is stored yet.

    A country the OECD does not classify has `not_classified: true` and `oecd_class: null`; it
    is never reported as class 0.
    """
    actor.require(Permission.READ)
    day = as_of or get_clock().today()
    in_force = service.country_risk_as_of(session, country=country, as_of=day, source=source)
    reviews = None
    if history:
        reviews = service.country_risk_history(session, country=country, source=source)
    return CountryRiskAnswer(
        country=country,
        country_name=risk_country_name(country),
        as_of=day,
        source=source,
        in_force=in_force,
        history=reviews,
    )


@router.get(
    "/country-risk",
    response_model=Page[CountryRisk],
    summary="Every country's classification in force on a date",
)
def list_country_risk(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    as_of: AsOf = None,
    source: Source = service.OECD_SOURCE,
) -> Page[CountryRisk]:
    """One item per country with a review on or before `as_of`, by country code."""
    actor.require(Permission.READ)
    items = service.countries_in_force(
        session,
        as_of=as_of or get_clock().today(),
        source=source,
        limit=page.limit,
        offset=page.offset,
    )
    return page_of(items, page)


@router.get(
    "/sector-risk/{code}",
    response_model=SectorRisk,
    summary="The risk level, review frequency and indicators of a NACE sector",
)
def get_sector_risk(
    code: Annotated[str, Path(description="NACE rev. 2 section, division, group or class")],
    actor: ActorDep,
) -> SectorRisk:
    """E.g. `C` (manufacturing), `C21` (pharmaceuticals) or `G46.7`; a profile refines the section."""
    actor.require(Permission.READ)
    return sector_risk(code)
