"""Companies and statements in and out. Field names are the import template's column names."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tradecredit.companies.models import STATEMENT_LINES

# Re-exported: the importers' row rules (imports/rules.py) import it from here.
from tradecredit.kit.fields import (
    Amount,
    CountryCode,
    CurrencyCode,
    Language,
    Reference,
    SectorCode,
    Text,
    check_fits_storage,
)

CompanyStatus = Literal["active", "insolvent", "dissolved"]


class CompanyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    registration_number: Reference
    country: CountryCode
    name: Text
    sector: SectorCode
    legal_form: Reference | None = None
    founded: date | None = None
    group_parent_registration_number: Reference | None = None
    group_parent_country: CountryCode | None = None
    status: CompanyStatus = "active"
    language: Language | None = None

    @model_validator(mode="after")
    def _parent_needs_both_keys(self) -> CompanyCreate:
        if (self.group_parent_registration_number is None) != (self.group_parent_country is None):
            raise ValueError(
                "group_parent_registration_number and group_parent_country go together"
            )
        return self


class CompanyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    registration_number: str
    country: str
    name: str
    sector: str
    legal_form: str | None
    founded: date | None
    group_parent_id: uuid.UUID | None
    status: str
    language: str | None
    created_at: datetime
    updated_at: datetime


class StatementCreate(BaseModel):
    """Statement lines in major units; omit a line that is not known (it stays missing, not 0)."""

    model_config = ConfigDict(extra="forbid")

    registration_number: Reference
    country: CountryCode
    period_end: date
    currency: CurrencyCode
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

    @model_validator(mode="after")
    def _non_negative_stocks(self) -> StatementCreate:
        for line in (
            "total_assets",
            "current_assets",
            "cash",
            "inventory",
            "receivables",
            "current_liabilities",
            "total_liabilities",
            "revenue",
        ):
            value = getattr(self, line)
            if value is not None and value < 0:
                raise ValueError(f"{line} cannot be negative ({value})")
        check_fits_storage(self, STATEMENT_LINES, self.currency)
        return self


class StatementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    company_id: uuid.UUID
    period_end: date
    currency: str
    lines: dict[str, Amount | None] = Field(description="statement lines in major units")
    created_at: datetime


class StatementList(BaseModel):
    """A company's statements, oldest period first."""

    items: list[StatementOut]
