"""Scores in and out of the API: PDs as decimal strings, reasons in English and Chinese."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from tradecredit.companies.schemas import CompanyStatus
from tradecredit.kit.fields import Amount, SectorCode


def _no_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError('send figures as decimal strings such as "12.5", not floats')
    return value


Figure = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    PlainSerializer(lambda d: format(d, "f"), return_type=str),
]
"""An exact decimal sent and returned as a string."""


class ReasonOut(BaseModel):
    code: str
    text_en: str
    text_zh: str


class ScoreOut(BaseModel):
    company_id: uuid.UUID | None = Field(description="null for posted data")
    model_version: str
    as_of: date
    pd: Figure = Field(description="12-month probability of default, 6 decimals")
    grade: int = Field(ge=1, le=10, description="1 excellent ... 9 highest risk, 10 insolvent")
    reasons: list[ReasonOut]
    inputs_hash: str
    stored: bool = Field(description="true: read from the stored scores; false: computed now")


class StatementLines(BaseModel):
    """Statement lines in major units of one currency; omit a line that is not known."""

    model_config = ConfigDict(extra="forbid")

    revenue: Amount | None = None
    ebit: Amount | None = None
    net_income: Amount | None = None
    interest_expense: Amount | None = None
    total_assets: Amount | None = None
    current_assets: Amount | None = None
    cash: Amount | None = None
    inventory: Amount | None = None
    receivables: Amount | None = None
    current_liabilities: Amount | None = None
    total_liabilities: Amount | None = None
    equity: Amount | None = None
    retained_earnings: Amount | None = None
    operating_cash_flow: Amount | None = None


class BehaviourFigures(BaseModel):
    """Payment behaviour as the ledger would compute it; omit what is not known."""

    model_config = ConfigDict(extra="forbid")

    dbt_average: Annotated[Figure, Field(ge=0, le=3650)] | None = None
    dbt_trend: Annotated[Figure, Field(ge=-3650, le=3650)] | None = None
    overdue_30_share: Annotated[Figure, Field(ge=0, le=1)] | None = None


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["insolvency_filing", "court_judgment", "payment_incident"]
    event_date: date
    severity: int = Field(ge=1, le=5)


class ScoreRequest(BaseModel):
    """Score posted figures without storing them."""

    model_config = ConfigDict(extra="forbid")

    as_of: date
    sector: SectorCode | None = Field(
        default=None, description="NACE code: reasons then quote the portfolio's sector median"
    )
    status: CompanyStatus = "active"
    founded: date | None = Field(
        default=None,
        description="founding date: the default model adds a company-age term (young firms "
        "default more often); omitted, age adds nothing",
    )
    statement: StatementLines = Field(default_factory=StatementLines)
    behaviour: BehaviourFigures = Field(default_factory=BehaviourFigures)
    events: list[EventIn] = Field(default_factory=list, max_length=1000)
