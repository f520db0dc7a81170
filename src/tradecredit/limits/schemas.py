"""Limits in and out of the API: amounts and shares as decimal strings, reasons in en and zh."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tradecredit.kit.fields import Amount, CurrencyCode, Text, check_fits_storage
from tradecredit.limits.policy import CreditPolicy
from tradecredit.scoring.schemas import Figure, ReasonOut

OutcomeName = Literal["approved", "partly_approved", "conditional", "referred", "refused"]
RoleName = Literal["credit_analyst", "credit_manager", "underwriter", "admin"]


class CreditPolicyOut(BaseModel):
    version: int = Field(description="0: the documented defaults, nothing set yet")
    currency: str = Field(description="the organisation's base currency: the policy's amounts")
    set_by: str | None
    set_at: datetime | None
    policy: CreditPolicy


class Constraints(BaseModel):
    """Each constraint of the formula in the limit currency; null where it does not apply."""

    grade: Amount | None
    capacity: Amount | None
    no_financials: Amount | None
    progressive: Amount | None
    appetite: Amount | None
    need: Amount | None


class RecommendationInputs(BaseModel):
    grade: int
    pd: Figure
    score_as_of: date
    score_stored: bool
    statement_period_end: date | None
    statement_currency: str | None
    expected_annual_sales: Amount | None
    payment_terms_days: int | None
    history_months: int
    good_history: bool


class RecommendationOut(BaseModel):
    company_id: uuid.UUID
    name: str
    as_of: date
    currency: str
    policy_version: int
    recommended: Amount
    binding: str = Field(description="the constraint equal to the recommendation")
    capacity_basis: str | None = Field(description="equity, working_capital or revenue")
    constraints: Constraints
    inputs: RecommendationInputs
    reasons: list[ReasonOut]


class LimitRequestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    company_id: uuid.UUID
    amount: Amount = Field(description="the limit requested, in major units")
    currency: CurrencyCode
    reason: Text | None = None
    expected_annual_sales: Amount | None = Field(
        default=None, description="replaces the ledger's 12-month sales in the need constraint"
    )
    confirm_below_exposure: bool = Field(
        default=False, description="set a limit below the buyer's current exposure if so decided"
    )
    as_of: date | None = Field(default=None, description="decision date (default: today)")

    @model_validator(mode="after")
    def _positive(self) -> LimitRequestCreate:
        if self.amount <= 0:
            raise ValueError(f"amount must be above 0, got {self.amount}")
        if self.expected_annual_sales is not None and self.expected_annual_sales <= 0:
            raise ValueError(
                f"expected_annual_sales must be above 0, got {self.expected_annual_sales}"
            )
        check_fits_storage(self, ("amount", "expected_annual_sales"), self.currency)
        return self


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Amount | None = Field(default=None, description="default: the amount requested")
    reason: Text
    confirm_below_exposure: bool = False


class RefuseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text


class ConditionOut(BaseModel):
    kind: str = Field(description="guarantee or prepayment")
    amount: Amount | None
    share: Figure | None


class DecisionOut(BaseModel):
    id: uuid.UUID
    outcome: OutcomeName
    amount: Amount | None = Field(description="granted; 0 when refused; null when referred")
    currency: str
    conditions: list[ConditionOut]
    reasons: list[ReasonOut]
    decided_on: date
    valid_until: date
    decided_by: str = Field(description="engine, or user:<email>")
    decided_by_user_id: uuid.UUID | None
    authority: Amount | None = Field(description="the authority the decision was made under")
    authority_currency: str | None
    referred_to_role: str | None
    grade: int | None
    pd: Figure | None
    recommended: Amount | None
    binding: str | None
    policy_version: int
    exposure: Amount | None
    below_exposure_confirmed: bool
    created_at: datetime


class LimitRequestOut(BaseModel):
    id: uuid.UUID
    company_id: uuid.UUID
    amount: Amount
    currency: str
    requested_by: str
    reason: str | None
    expected_annual_sales: Amount | None
    confirm_below_exposure: bool
    as_of: date
    status: OutcomeName
    referred_to_role: str | None
    created_at: datetime
    decisions: list[DecisionOut]


class CreditLimitOut(BaseModel):
    id: uuid.UUID
    company_id: uuid.UUID
    amount: Amount
    currency: str
    set_on: date
    valid_until: date
    review_on: date
    grade: int | None
    decision_id: uuid.UUID
    active: bool
    ended_at: datetime | None
    created_at: datetime


class CompanyLimitOut(BaseModel):
    company_id: uuid.UUID
    current: CreditLimitOut | None = Field(description="null: no limit set")
    history: list[CreditLimitOut] = Field(description="every limit set, newest first")


class ReviewOut(BaseModel):
    limit: CreditLimitOut
    name: str
    why: list[ReasonOut]


class DueForReviewOut(BaseModel):
    as_of: date
    items: list[ReviewOut]
