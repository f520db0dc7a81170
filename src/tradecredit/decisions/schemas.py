"""Checkout decisions in and out: amounts as decimal strings, reasons in English and Chinese."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from tradecredit.kit.currencies import exponent
from tradecredit.kit.fields import (
    Amount,
    CountryCode,
    CurrencyCode,
    Reference,
    Text,
)
from tradecredit.kit.money import MAX_MINOR_UNITS
from tradecredit.scoring.schemas import Figure, ReasonOut

MAX_TERMS_DAYS = 120
"""No checkout is ever sold on longer terms; the policy may set a lower maximum."""

OutcomeName = Literal["approve", "decline", "refer"]


class DecisionCreate(BaseModel):
    """A checkout asking for credit: who buys, how much, on which terms."""

    model_config = ConfigDict(extra="forbid")

    registration_number: Reference = Field(description="the buyer's registration number")
    country: CountryCode = Field(description="the buyer's ISO 3166 country")
    name: Text | None = Field(default=None, description="the buyer's name as the merchant knows it")
    currency: CurrencyCode
    amount: Amount = Field(description='the order amount, a decimal string such as "1250.00"')
    terms_days: Annotated[int, Field(ge=1, le=MAX_TERMS_DAYS, strict=True)] = Field(
        description=f"payment terms in days, 1-{MAX_TERMS_DAYS} (the policy may allow fewer)"
    )
    order_reference: Reference | None = Field(
        default=None,
        description="the merchant's order reference; the approved order is recorded under it "
        '(default "checkout-<decision id>") and invoiced by the invoice naming it',
    )

    @field_validator("amount")
    @classmethod
    def _positive_and_exact(cls, amount: Decimal, info: ValidationInfo) -> Decimal:
        if amount <= 0:
            raise ValueError(f"must be positive, got {amount}")
        currency = info.data.get("currency")
        if currency is None:
            return amount
        places = exponent(currency)
        scaled = amount.scaleb(places)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{amount} has more decimals than {currency} allows ({places})")
        if abs(scaled) > MAX_MINOR_UNITS:
            raise ValueError(f"{amount} is too large: at most {MAX_MINOR_UNITS // 10**places}")
        return amount


class BuyerOut(BaseModel):
    registration_number: str
    country: str
    name: str | None
    company_id: uuid.UUID | None = Field(description="null: the buyer is not known")


class DecisionOut(BaseModel):
    """The answer to a checkout. Limit amounts are in `limit_currency` (the buyer's limit
    currency, else the organisation's base currency)."""

    decision_id: uuid.UUID
    outcome: OutcomeName
    reasons: list[ReasonOut]
    buyer: BuyerOut
    amount: Amount
    currency: str
    terms_days: int
    limit: Amount | None = Field(
        description="the limit applied: the active credit limit, or the starting limit for a "
        "new buyer; null when none applies"
    )
    limit_left: Amount | None = Field(
        description="the limit less the exposure after this decision (an approval's order "
        "included); negative when the buyer is already over it"
    )
    exposure: Amount | None = Field(description="the exposure before this decision")
    limit_currency: str | None
    grade: int | None = Field(description="1 excellent ... 9 highest risk, 10 insolvent")
    pd: Figure | None = Field(description="12-month probability of default")
    score_as_of: date | None
    policy_version: int
    order_id: uuid.UUID | None = Field(description="the order reserving an approval's amount")
    order_reference: str | None
    expires_at: datetime | None = Field(
        description="an approval holds until then: invoice (or cancel) the order before it"
    )
    created_at: datetime


class ReleaseExpiredIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dry_run: bool = Field(default=False, description="list the expired reservations, cancel none")


class ReleasedOut(BaseModel):
    """An expired approval whose reserving order was cancelled (or, in a dry run, would be)."""

    decision_id: uuid.UUID
    order_id: uuid.UUID
    order_reference: str
    company_id: uuid.UUID
    amount: Amount
    currency: str
    expired_at: datetime


class ReleaseOut(BaseModel):
    dry_run: bool
    released: list[ReleasedOut]
