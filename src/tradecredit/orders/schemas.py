"""Orders in and out. The create-schema's field names are the orders import template's columns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tradecredit.kit.fields import (
    Amount,
    CountryCode,
    CurrencyCode,
    Reference,
    Text,
    check_fits_storage,
)

OrderStatusIn = Literal["ordered", "delivered", "invoiced", "cancelled"]
OrderStatus = Literal["ordered", "partly_delivered", "delivered", "invoiced", "cancelled"]
DELIVERED_STATUSES = ("delivered", "invoiced")


def amount_positive(amount: Decimal) -> str | None:
    return f"amount must be positive, got {amount}" if amount <= 0 else None


def delivery_not_before_order(order_date: date, delivery_date: date | None) -> str | None:
    if delivery_date is not None and delivery_date < order_date:
        return f"delivery date {delivery_date} is before order date {order_date}"
    return None


def status_fits_delivery(status: str | None, delivery_date: date | None) -> str | None:
    """A delivery date means delivered goods; `delivered` needs one."""
    if status == "delivered" and delivery_date is None:
        return "status delivered needs a delivery_date"
    if delivery_date is not None and status not in (None, *DELIVERED_STATUSES):
        return f"status {status} cannot have a delivery_date (delivered goods are 'delivered')"
    return None


def initial_status(status: str | None, delivery_date: date | None) -> str:
    """The status an order is created with: as given, else delivered when it has a date."""
    if status is not None:
        return status
    return "delivered" if delivery_date is not None else "ordered"


class OrderCreate(BaseModel):
    """An order; with `delivery_date` it was delivered in full on that day.

    `status` defaults to `delivered` when there is a delivery date, else `ordered`. `invoiced`
    and `cancelled` record orders that no longer count in exposure (an imported cancellation
    has no date: the order counts at no date)."""

    model_config = ConfigDict(extra="forbid")

    order_reference: Reference
    buyer_registration_number: Reference
    buyer_country: CountryCode
    currency: CurrencyCode
    amount: Amount
    order_date: date
    delivery_date: date | None = None
    status: OrderStatusIn | None = None

    @model_validator(mode="after")
    def _consistent(self) -> OrderCreate:
        for problem in (
            amount_positive(self.amount),
            delivery_not_before_order(self.order_date, self.delivery_date),
            status_fits_delivery(self.status, self.delivery_date),
        ):
            if problem is not None:
                raise ValueError(problem)
        check_fits_storage(self, ("amount",), self.currency)
        return self


class DeliveryCreate(BaseModel):
    """Goods delivered on `delivered_on`; `amount` defaults to everything not yet delivered."""

    model_config = ConfigDict(extra="forbid")

    delivered_on: date
    amount: Amount | None = Field(
        default=None, description="the delivered part, in the order's currency (default: the rest)"
    )

    @model_validator(mode="after")
    def _positive(self) -> DeliveryCreate:
        if self.amount is not None and self.amount <= 0:
            raise ValueError(f"amount must be positive, got {self.amount}")
        return self


class CancellationCreate(BaseModel):
    """Cancel what is not yet delivered; delivered goods stay exposure until invoiced."""

    model_config = ConfigDict(extra="forbid")

    cancelled_on: date
    reason: Text | None = None


class DeliveryOut(BaseModel):
    amount: Amount
    delivered_on: date


class OrderOut(BaseModel):
    id: uuid.UUID
    order_reference: str
    company_id: uuid.UUID
    account_id: uuid.UUID
    currency: str
    amount: Amount
    delivered_amount: Amount
    order_date: date
    status: OrderStatus
    cancelled_on: date | None
    cancellation_reason: str | None
    deliveries: list[DeliveryOut]
    created_at: datetime
    updated_at: datetime
