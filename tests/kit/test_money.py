from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from tradecredit.kit.currencies import exponent, validate_currency
from tradecredit.kit.errors import (
    AmountTooLarge,
    CurrencyMismatch,
    FloatNotAllowed,
    InvalidInput,
    PrecisionExceeded,
    UnknownCurrency,
)
from tradecredit.kit.fields import Amount
from tradecredit.kit.money import Money, from_minor, round_to_currency, to_decimal, to_minor

CURRENCIES = ["EUR", "USD", "JPY", "KWD", "CNY", "GBP", "CHF", "BHD", "CLP"]
minor_units = st.integers(min_value=-(10**15), max_value=10**15)


def test_exponents_come_from_cldr() -> None:
    assert (exponent("EUR"), exponent("JPY"), exponent("KWD"), exponent("CNY")) == (2, 0, 3, 2)


@pytest.mark.parametrize("code", ["ZZZ", "eu", "EURO", "", "XYZ"])
def test_unknown_currencies_are_refused(code: str) -> None:
    with pytest.raises(UnknownCurrency):
        validate_currency(code)


@pytest.mark.parametrize(
    "call",
    [
        lambda: Money(0.1, "EUR"),  # type: ignore[arg-type]
        lambda: to_minor(12.5, "EUR"),  # type: ignore[arg-type]
        lambda: to_decimal(1e3),  # type: ignore[arg-type]
        lambda: from_minor(100.0, "EUR"),  # type: ignore[arg-type]
        lambda: Money.from_minor(5.0, "EUR"),  # type: ignore[arg-type]
    ],
)
def test_a_float_never_reaches_the_money_type(call: object) -> None:
    with pytest.raises(FloatNotAllowed):
        call()  # type: ignore[operator]


def test_a_float_in_a_schema_amount_is_refused_with_a_clear_reason() -> None:
    class Body(BaseModel):
        amount: Amount

    with pytest.raises(ValidationError, match="decimal strings"):
        Body(amount=0.1)  # type: ignore[arg-type]
    assert Body(amount="0.10").amount == Decimal("0.10")  # type: ignore[arg-type]
    assert Body(amount=3).amount == Decimal(3)


def test_more_decimals_than_the_currency_has_is_an_error_not_a_rounding() -> None:
    with pytest.raises(PrecisionExceeded):
        to_minor("10.005", "EUR")
    with pytest.raises(PrecisionExceeded):
        Money("1.5", "JPY")
    assert to_minor("10.005", "KWD") == 10005


@pytest.mark.parametrize("text", ["abc", "1,5", "", "NaN", "Infinity", "1e"])
def test_non_amounts_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        to_decimal(text)


def test_currencies_do_not_mix() -> None:
    with pytest.raises(CurrencyMismatch):
        Money("1", "EUR") + Money("1", "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money("1", "EUR") < Money("1", "USD")


def test_rounding_is_half_even() -> None:
    assert round_to_currency(Decimal("0.125"), "EUR") == Decimal("0.12")
    assert round_to_currency(Decimal("0.135"), "EUR") == Decimal("0.14")


@given(minor=minor_units, currency=st.sampled_from(CURRENCIES))
def test_minor_units_round_trip_exactly(minor: int, currency: str) -> None:
    money = Money.from_minor(minor, currency)
    assert money.minor == minor
    assert to_minor(str(money.amount), currency) == minor


@given(a=minor_units, b=minor_units, c=minor_units, currency=st.sampled_from(CURRENCIES))
def test_addition_is_exact_associative_and_invertible(
    a: int, b: int, c: int, currency: str
) -> None:
    x, y, z = (Money.from_minor(v, currency) for v in (a, b, c))
    assert ((x + y) + z) == (x + (y + z))
    assert (x + y).minor == a + b
    assert (x + y) - y == x
    assert (-x) + x == Money.zero(currency)


@given(amounts=st.lists(minor_units, max_size=50), currency=st.sampled_from(CURRENCIES))
def test_sum_of_money_equals_sum_of_minor_units(amounts: list[int], currency: str) -> None:
    total = Money.zero(currency)
    for minor in amounts:
        total = total + Money.from_minor(minor, currency)
    assert total.minor == sum(amounts)


@pytest.mark.parametrize(
    ("amount", "currency", "most"),
    [("92233720368547758.08", "EUR", "92233720368547758"), ("1e30", "JPY", "9223372036854775807")],
)
def test_an_amount_the_columns_cannot_hold_is_refused_with_the_largest_allowed(
    amount: str, currency: str, most: str
) -> None:
    with pytest.raises(AmountTooLarge, match=f"at most {most} {currency}"):
        to_minor(amount, currency)
    with pytest.raises(AmountTooLarge):
        to_minor("-" + amount, currency)
    assert to_minor("92233720368547758.07", "EUR") == 2**63 - 1
