"""Pydantic field types shared by every schema: amounts, currencies, countries, sectors, text.

The API and the importers validate through the same schemas, so a rule made here holds for both.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    PlainSerializer,
    StringConstraints,
    ValidationError,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from tradecredit.kit.countries import validate_country, validate_sector
from tradecredit.kit.currencies import exponent, validate_currency
from tradecredit.kit.errors import TradecreditError
from tradecredit.kit.money import MAX_MINOR_UNITS, to_decimal


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


def refuse_control_characters(value: str) -> str:
    """Refuse C0 controls (NUL, tab, newline, ...), DEL and C1 controls anywhere in the text.

    PostgreSQL cannot store NUL in text while SQLite can, and no name or reference needs a tab
    or a line break; refusing them all here makes both databases, the API and the importers
    agree. Leading and trailing whitespace is stripped before this check runs.
    """
    for position, character in enumerate(value, start=1):
        if unicodedata.category(character) == "Cc":
            raise ValueError(
                f"contains a control character (U+{ord(character):04X}) at position {position}"
            )
    return value


def storage_problem(field: str, value: Decimal | None, currency: str) -> str | None:
    """Why an amount of `currency` cannot be stored (its minor units do not fit the 64-bit
    column), naming the field; None when it can."""
    scale = exponent(currency)
    if value is None or abs(value.scaleb(scale)) <= MAX_MINOR_UNITS:
        return None
    return f"{field} {value} is too large: at most {MAX_MINOR_UNITS // 10**scale} {currency}"


def check_fits_storage(model: BaseModel, fields: Iterable[str], currency: str) -> None:
    """Refuse an amount whose minor units do not fit the 64-bit column, as an error located at
    its field (an API answer's `details[].field`).

    Without this a huge amount ("1e30") would reach the database and fail there, as a 500.
    It needs the currency (its exponent), so schemas call it from a model validator.
    """
    problems: list[InitErrorDetails] = []
    for field in fields:
        value = getattr(model, field)
        reason = storage_problem(field, value, currency)
        if reason is not None:
            problems.append(
                InitErrorDetails(
                    type=PydanticCustomError("value_error", "{reason}", {"reason": reason}),
                    loc=(field,),
                    input=format(value, "f"),
                )
            )
    if problems:
        raise ValidationError.from_exception_data(type(model).__name__, problems)


Amount = Annotated[
    Decimal,
    BeforeValidator(_amount),
    PlainSerializer(lambda d: format(d, "f"), return_type=str),
]
"""A decimal amount in major units; floats are refused, it serialises as a string."""

CurrencyCode = Annotated[str, BeforeValidator(_upper), AfterValidator(_domain(validate_currency))]
CountryCode = Annotated[str, BeforeValidator(_upper), AfterValidator(_domain(validate_country))]
SectorCode = Annotated[str, BeforeValidator(_upper), AfterValidator(_domain(validate_sector))]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(refuse_control_characters),
]
"""Free text such as a name or a reason: 1-300 characters, no control characters."""
Reference = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(refuse_control_characters),
]
"""A business key such as an invoice number: 1-64 characters, no control characters."""
Language = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=8),
    AfterValidator(refuse_control_characters),
]
"""A language tag for correspondence, e.g. "de" or "zh-Hans" (the column holds 8 characters)."""
