"""Money: an exact `Decimal` amount with its ISO 4217 currency; integer minor units in storage.

A binary `float` is refused everywhere: `Money(0.1, "EUR")` raises `FloatNotAllowed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from tradecredit.kit.currencies import exponent, validate_currency
from tradecredit.kit.errors import (
    AmountTooLarge,
    CurrencyMismatch,
    FloatNotAllowed,
    InvalidInput,
    PrecisionExceeded,
)

AmountLike = Decimal | int | str

MAX_MINOR_UNITS = 2**63 - 1
"""The largest amount, in minor units, that the 64-bit (BIGINT) amount columns hold."""


def to_decimal(value: AmountLike) -> Decimal:
    """An exact Decimal from a Decimal, an int or a decimal string; never from a float."""
    if isinstance(value, bool):
        raise InvalidInput(f"not an amount: {value!r}")
    if isinstance(value, float):
        raise FloatNotAllowed(f"float {value!r} cannot carry money exactly; pass a str or Decimal")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidInput(f"not a decimal amount: {value!r}") from None
    else:
        raise InvalidInput(f"not an amount: {value!r}")
    if not result.is_finite():
        raise InvalidInput(f"not a finite amount: {value!r}")
    return result


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-exponent(currency))


def to_minor(amount: AmountLike, currency: str) -> int:
    """Exact conversion to integer minor units; more decimals than the currency has is an error,
    and so is an amount the 64-bit columns cannot hold (it would fail in the database)."""
    value = to_decimal(amount)
    places = exponent(currency)
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise PrecisionExceeded(f"{value} has more decimals than {currency} allows ({places})")
    if abs(scaled) > MAX_MINOR_UNITS:
        raise AmountTooLarge(
            f"{value} {currency} is too large: at most {MAX_MINOR_UNITS // 10**places} {currency}"
        )
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    if isinstance(minor, float) or not isinstance(minor, int) or isinstance(minor, bool):
        raise FloatNotAllowed(f"minor units must be an int, got {type(minor).__name__}")
    return Decimal(minor).scaleb(-exponent(currency))


def round_to_currency(value: Decimal, currency: str) -> Decimal:
    """Round half-even (banker's rounding) to the currency's minor unit."""
    return to_decimal(value).quantize(quantum(currency), rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __init__(self, amount: AmountLike, currency: str) -> None:
        validate_currency(currency)
        value = to_decimal(amount)
        to_minor(value, currency)
        object.__setattr__(self, "amount", value.quantize(quantum(currency)))
        object.__setattr__(self, "currency", currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        return cls(from_minor(minor, currency), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @property
    def minor(self) -> int:
        return to_minor(self.amount, self.currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
