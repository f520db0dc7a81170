"""Gate checks and holds in and out; amounts are decimal strings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tradecredit.kit.currencies import exponent
from tradecredit.kit.fields import (
    Amount,
    CountryCode,
    CurrencyCode,
    Reference,
    Text,
    check_fits_storage,
)

StageName = Literal["quote", "order", "delivery", "invoice"]
OutcomeName = Literal["allow", "warn", "hold"]
HoldStatus = Literal["open", "released", "cancelled"]


class GateCheckIn(BaseModel):
    """A sale to check: name the buyer by `company_id` or by `registration_number` + `country`.

    `order_reference` names the order this sale belongs to (an order recorded in tradecredit
    is already in exposure, so its uninvoiced part is not counted twice). `delivered: true`
    (stage invoice only) says the goods are delivered: such an invoice is never held; naming
    an order whose delivered, uninvoiced goods cover the amount says the same."""

    model_config = ConfigDict(extra="forbid")

    stage: StageName
    company_id: uuid.UUID | None = None
    registration_number: Reference | None = None
    country: CountryCode | None = None
    amount: Amount
    currency: CurrencyCode
    order_reference: Reference | None = None
    delivered: bool = False
    as_of: date | None = Field(default=None, description="business date (default: today, UTC)")

    @model_validator(mode="after")
    def _consistent(self) -> GateCheckIn:
        by_key = self.registration_number is not None or self.country is not None
        if self.company_id is not None and by_key:
            raise ValueError("name the buyer by company_id or by registration_number + country")
        if self.company_id is None and (self.registration_number is None or self.country is None):
            raise ValueError("the buyer needs company_id, or registration_number and country")
        if self.amount <= 0:
            raise ValueError(f"amount must be positive, got {self.amount}")
        if self.delivered and self.stage != "invoice":
            raise ValueError(f"delivered applies to stage invoice only, not {self.stage}")
        check_fits_storage(self, ("amount",), self.currency)
        places = exponent(self.currency)
        if self.amount != self.amount.quantize(Decimal(1).scaleb(-places)):
            raise ValueError(
                f"amount {self.amount} has more decimals than {self.currency} allows ({places})"
            )
        return self


class ReasonOut(BaseModel):
    code: str = Field(description="stable code, e.g. OVER_LIMIT, OVERDUE_BEYOND_TOLERANCE")
    effect: Literal["hold", "warn", "info"]
    text_en: str
    text_zh: str


class GateCheckOut(BaseModel):
    """The gate's answer. Amounts from `limit` on are in `currency`: the limit's currency, or
    the organisation's base currency when the buyer has no limit."""

    outcome: OutcomeName
    reasons: list[ReasonOut]
    hold_id: uuid.UUID | None = Field(description="the hold created when the outcome is hold")
    stage: StageName
    company_id: uuid.UUID
    as_of: date
    requested_amount: Amount
    requested_currency: str
    currency: str
    amount: Amount = Field(description="the requested amount in `currency`")
    fx_rate_date: date | None = Field(description="rate used to convert the amount; null: none")
    already_counted: Amount = Field(description="the part of the amount exposure already held")
    limit: Amount | None
    limit_source: Literal["credit_limit", "account"] | None
    limit_valid_until: date | None
    exposure: Amount
    available: Amount | None
    exposure_after: Amount
    utilisation_after: Amount | None = Field(description="share of the limit, e.g. 0.8125")
    oldest_overdue_days: int | None


class HoldOut(BaseModel):
    id: uuid.UUID
    company_id: uuid.UUID
    stage: StageName
    amount: Amount
    currency: str
    order_reference: str | None
    as_of: date
    reasons: list[ReasonOut]
    position_currency: str
    limit: Amount | None
    exposure: Amount
    exposure_after: Amount
    requested_by: str
    status: HoldStatus
    created_at: datetime
    released_by: str | None
    release_reason: str | None
    released_at: datetime | None


class HoldDecisionIn(BaseModel):
    """Releasing or cancelling a hold needs a reason, kept in the hold and the audit trail."""

    model_config = ConfigDict(extra="forbid")

    reason: Text
