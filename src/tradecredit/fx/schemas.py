"""FX rates in and out. A rate is an exact positive decimal string; floats are refused."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, model_validator

from tradecredit.kit.errors import TradecreditError
from tradecredit.kit.fields import CurrencyCode
from tradecredit.kit.money import to_decimal

MAX_RATE_DIGITS = 20
"""Significant digits a stored rate may carry (published rates carry 4 to 10)."""
MAX_RATE_TEXT = 40
"""Length of the plain decimal form ("0.000123"), which is how the rate is stored."""


def _rate(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError('rates must be sent as decimal strings such as "1.0850", not floats')
    try:
        rate = to_decimal(value)
    except TradecreditError as error:
        raise ValueError(error.message) from None
    if rate <= 0:
        raise ValueError(f"a rate must be positive, got {rate}")
    digits = len(rate.normalize().as_tuple().digits)
    if digits > MAX_RATE_DIGITS:
        raise ValueError(f"rate {rate} has {digits} significant digits; at most {MAX_RATE_DIGITS}")
    if len(format(rate, "f")) > MAX_RATE_TEXT:
        raise ValueError(
            f"rate {rate} is out of range: written out it exceeds {MAX_RATE_TEXT} characters"
        )
    return rate


Rate = Annotated[
    Decimal,
    BeforeValidator(_rate),
    PlainSerializer(lambda d: format(d, "f"), return_type=str),
]
"""One unit of the base currency in units of the quote currency: a positive exact decimal."""


class FxRateCreate(BaseModel):
    """On `rate_date`, one unit of `base_currency` buys `rate` units of `quote_currency`."""

    model_config = ConfigDict(extra="forbid")

    rate_date: date
    base_currency: CurrencyCode
    quote_currency: CurrencyCode
    rate: Rate

    @model_validator(mode="after")
    def _distinct_pair(self) -> FxRateCreate:
        if self.base_currency == self.quote_currency:
            raise ValueError(
                f"base_currency and quote_currency are both {self.base_currency}; a rate needs two"
            )
        return self


class FxRateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    rate_date: date
    base_currency: str
    quote_currency: str
    rate: Rate
    created_at: datetime
