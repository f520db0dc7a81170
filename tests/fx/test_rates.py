"""Pure FX: choosing the dated rate, direct/inverse/triangulated paths, exact half-even amounts."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecredit.analytics.conversion import convert_minor_array
from tradecredit.fx.rates import Converter, DatedRate, RateTable, resolve, round_half_even
from tradecredit.kit.currencies import exponent
from tradecredit.kit.errors import FxRateMissing

AS_OF = date(2026, 9, 30)


def _table(*quotes: tuple[str, str, str, date]) -> RateTable:
    return RateTable.from_rates(
        [DatedRate(b, q, Decimal(r), d) for b, q, r, d in quotes], as_of=AS_OF
    )


def test_the_latest_rate_on_or_before_the_date_wins_and_later_ones_are_ignored() -> None:
    table = _table(
        ("EUR", "USD", "1.10", date(2026, 9, 1)),
        ("EUR", "USD", "1.08", date(2026, 9, 30)),
        ("EUR", "USD", "9.99", date(2026, 10, 1)),
    )
    conversion = resolve(table, "EUR", "USD")
    assert [r.rate for r in conversion.rates] == [Decimal("1.08")]
    assert conversion.convert_minor(10_000) == 10_800


def test_inverse_quote_divides() -> None:
    conversion = resolve(_table(("EUR", "USD", "1.25", date(2026, 9, 1))), "USD", "EUR")
    assert conversion.legs[0].inverted
    assert conversion.convert_minor(10_000) == 8_000


def test_the_more_recent_of_direct_and_inverse_is_used() -> None:
    table = _table(
        ("EUR", "USD", "1.25", date(2026, 9, 1)), ("USD", "EUR", "0.5", date(2026, 9, 2))
    )
    assert resolve(table, "EUR", "USD").legs[0].rate.rate_date == date(2026, 9, 2)


def test_triangulation_through_one_common_currency_and_exponents() -> None:
    table = _table(
        ("USD", "JPY", "150", date(2026, 9, 29)), ("EUR", "USD", "1.2", date(2026, 9, 28))
    )
    conversion = resolve(table, "JPY", "EUR")
    assert conversion.via == "USD"
    assert conversion.oldest_rate_date == date(2026, 9, 28)
    # 18,000 JPY (no minor unit) / 150 = 120 USD / 1.2 = 100.00 EUR
    assert conversion.convert_minor(18_000) == 10_000


def test_a_missing_rate_names_the_pair_and_the_date() -> None:
    table = _table(("EUR", "USD", "1.1", date(2026, 10, 1)))
    with pytest.raises(FxRateMissing, match=r"no USD/EUR exchange rate on or before 2026-09-30"):
        resolve(table, "USD", "EUR")


def test_same_currency_is_the_identity() -> None:
    conversion = resolve(_table(), "EUR", "EUR")
    assert conversion.is_identity
    assert conversion.convert_minor(12_345) == 12_345
    converter = Converter(_table(), "EUR")
    converter.get("EUR")
    assert converter.used() == ()


def test_ties_round_half_even() -> None:
    halve = resolve(_table(("EUR", "USD", "2", date(2026, 9, 1))), "USD", "EUR")
    values = np.array([1, 3, 5, 7, -1, -3, 0], dtype=np.int64)
    assert [halve.convert_minor(int(v)) for v in values] == [0, 2, 2, 4, 0, -2, 0]
    assert convert_minor_array(values, halve).tolist() == [0, 2, 2, 4, 0, -2, 0]
    assert round_half_even(5, 2) == 2
    assert round_half_even(7, 2) == 4


def _decimal_reference(minor: int, source: str, target: str, rate: Decimal) -> int:
    with localcontext() as context:
        context.prec = 100
        major = Decimal(minor).scaleb(-exponent(source)) * rate
        quantum = Decimal(1).scaleb(-exponent(target))
        return int(major.quantize(quantum, rounding=ROUND_HALF_EVEN).scaleb(exponent(target)))


RATES = st.one_of(
    st.sampled_from(["2", "0.5", "0.25", "1.5"]),
    st.decimals(min_value=Decimal("0.000001"), max_value=Decimal("100000"), places=6).map(str),
    st.decimals(min_value=Decimal("0.1"), max_value=Decimal("10"), places=18).map(str),
)


@settings(max_examples=200, deadline=None)
@given(
    rate=RATES,
    pair=st.sampled_from([("EUR", "USD"), ("EUR", "JPY"), ("KWD", "EUR"), ("JPY", "GBP")]),
    values=st.lists(
        st.one_of(st.integers(-(10**6), 10**6), st.integers(-(2**62), 2**62)), max_size=20
    ),
)
def test_vectorised_conversion_equals_decimal_arithmetic(
    rate: str, pair: tuple[str, str], values: list[int]
) -> None:
    """Small values take the 64-bit path, large ones 128-bit or exact Python: same results."""
    source, target = pair
    conversion = resolve(_table((source, target, rate, date(2026, 9, 1))), source, target)
    expected = [_decimal_reference(v, source, target, Decimal(rate)) for v in values]
    assert [conversion.convert_minor(v) for v in values] == expected
    fits = [e for e in expected if abs(e) < 2**63]
    if len(fits) == len(expected):
        got = convert_minor_array(np.array(values, dtype=np.int64), conversion)
        assert got.tolist() == expected


@pytest.mark.parametrize(
    ("rate", "value"),
    [
        ("1.0850", 123_456_789),  # 64-bit
        ("1.0850123457", 10**15),  # product beyond 2**61: 128-bit
        ("0.5000000000000000000001", 2**61 + 12_345),  # beyond 2**125: Python integers
    ],
)
def test_each_arithmetic_path_matches_the_scalar_rule(rate: str, value: int) -> None:
    conversion = resolve(_table(("USD", "EUR", rate, date(2026, 9, 1))), "USD", "EUR")
    values = np.array([value, value + 1, 0, -value], dtype=np.int64)
    expected = [conversion.convert_minor(int(v)) for v in values]
    assert convert_minor_array(values, conversion).tolist() == expected
    assert expected[0] == _decimal_reference(value, "USD", "EUR", Decimal(rate))
