"""Ledger objects in and out. Create-schemas use the import template's column names."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tradecredit.kit.fields import (
    Amount,
    CountryCode,
    CurrencyCode,
    Language,
    Reference,
    Text,
    check_fits_storage,
)


class _Positive(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _amount_positive(self) -> _Positive:
        amount = getattr(self, "amount", None)
        if amount is not None and amount <= 0:
            raise ValueError(f"amount must be positive, got {amount}")
        check_fits_storage(self, ("amount",), getattr(self, "currency", ""))
        return self


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    registration_number: Reference
    country: CountryCode
    payment_terms_days: int = Field(ge=0, le=720)
    credit_limit: Amount | None = None
    currency: CurrencyCode | None = None
    language: Language | None = None
    collector: Reference | None = None
    dunning_policy: Reference | None = None
    on_hold: bool = False

    @model_validator(mode="after")
    def _limit_needs_currency(self) -> AccountCreate:
        if self.credit_limit is not None:
            if self.currency is None:
                raise ValueError("credit_limit needs a currency")
            if self.credit_limit < 0:
                raise ValueError(f"credit_limit cannot be negative ({self.credit_limit})")
            check_fits_storage(self, ("credit_limit",), self.currency)
        return self


class AccountOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    company_id: uuid.UUID
    payment_terms_days: int
    credit_limit: Amount | None
    currency: str | None
    language: str | None
    collector: str | None
    dunning_policy: str | None
    on_hold: bool
    created_at: datetime


class AccountDetailOut(AccountOut):
    company_registration_number: str
    company_country: str
    company_name: str
    unapplied_credit: dict[str, Amount] = Field(
        description="per currency: payments received but not applied to any invoice"
    )


class InvoiceCreate(_Positive):
    invoice_number: Reference
    buyer_registration_number: Reference
    buyer_country: CountryCode
    currency: CurrencyCode
    amount: Amount
    issue_date: date
    due_date: date
    vat_amount: Amount | None = None
    order_reference: Reference | None = None
    delivery_date: date | None = None

    @model_validator(mode="after")
    def _dates_and_vat(self) -> InvoiceCreate:
        if self.due_date < self.issue_date:
            raise ValueError(f"due date {self.due_date} is before issue date {self.issue_date}")
        if self.vat_amount is not None and not 0 <= self.vat_amount <= self.amount:
            raise ValueError(f"vat_amount {self.vat_amount} must be between 0 and the amount")
        return self


class InvoiceOut(BaseModel):
    id: uuid.UUID
    invoice_number: str
    company_id: uuid.UUID
    account_id: uuid.UUID
    currency: str
    amount: Amount
    vat_amount: Amount | None
    open_amount: Amount
    issue_date: date
    due_date: date
    order_reference: str | None
    delivery_date: date | None
    created_at: datetime


class PaymentCreate(_Positive):
    payment_reference: Reference
    payer_registration_number: Reference
    payer_country: CountryCode
    currency: CurrencyCode
    amount: Amount
    payment_date: date
    invoice_number: Reference | None = Field(
        default=None, description="the invoice the payer names; otherwise oldest first"
    )


class AllocationOut(BaseModel):
    invoice_id: uuid.UUID
    invoice_number: str
    amount: Amount
    applied_on: date


class PaymentOut(BaseModel):
    id: uuid.UUID
    payment_reference: str
    company_id: uuid.UUID
    currency: str
    amount: Amount
    unapplied_amount: Amount
    payment_date: date
    allocations: list[AllocationOut]
    created_at: datetime


class CreditNoteCreate(_Positive):
    credit_note_number: Reference
    invoice_number: Reference
    currency: CurrencyCode
    amount: Amount
    issue_date: date
    reason: Text | None = None


class CreditNoteOut(BaseModel):
    id: uuid.UUID
    credit_note_number: str
    invoice_id: uuid.UUID
    currency: str
    amount: Amount
    issue_date: date
    reason: str | None
    created_at: datetime
