"""Pydantic field types shared by every schema: amounts, currencies, countries, sectors."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, StringConstraints

from tradecredit.kit.countries import validate_country, validate_sector
from tradecredit.kit.currencies import validate_currency
from tradecredit.kit.errors import TradecreditError
from tradecredit.kit.money import to_decimal


def _amount(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError('amounts must be sent as decimal strings such as "1234.50", not floats')
    try:
        return to_decimal(value)
    except TradecreditError as error:
        raise ValueError(error.message) from None


def _domain(check: Any) -> Any:
    def run(value: Any) -> Any:
        try:
            return check(value)
        except TradecreditError as error:
            raise ValueError(error.message) from None

    return run


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


Amount = Annotated[
    Decimal,
    BeforeValidator(_amount),
    PlainSerializer(lambda d: format(d, "f"), return_type=str),
]
"""A decimal amount in major units; floats are refused, it serialises as a string."""

CurrencyCode = Annotated[str, BeforeValidator(_upper), AfterValidator(_domain(validate_currency))]
CountryCode = Annotated[str, BeforeValidator(_upper), AfterValidator(_domain(validate_country))]
SectorCode = Annotated[str, BeforeValidator(_upper), AfterValidator(_domain(validate_sector))]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
