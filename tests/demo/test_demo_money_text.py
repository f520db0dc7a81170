"""Minor units to decimal strings and back, exactly, in every exponent; and the registries' formats."""

from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecredit.demo.portfolio import minor_units, with_major_text
from tradecredit.demo.registrations import FORMATTERS, luhn_digit, uscc_check
from tradecredit.kit.errors import InvalidInput
from tradecredit.kit.money import from_minor

CURRENCIES = ["EUR", "JPY", "KWD", "USD"]


@given(
    st.lists(
        st.tuples(st.integers(-(10**15), 10**15), st.sampled_from(CURRENCIES)),
        min_size=1,
        max_size=40,
    )
)
def test_major_text_matches_from_minor_and_parses_back(rows: list[tuple[int, str]]) -> None:
    frame = pl.DataFrame(rows, schema={"minor": pl.Int64, "currency": pl.String}, orient="row")
    text = with_major_text(frame, {"minor": "amount"})
    expected = [format(from_minor(m, c), "f") for m, c in rows]
    assert text.get_column("amount").to_list() == expected
    assert minor_units(text, "amount").to_list() == [m for m, _ in rows]


def test_nulls_stay_null() -> None:
    frame = pl.DataFrame(
        {"minor": [None, 5], "currency": ["EUR", "EUR"]},
        schema={"minor": pl.Int64, "currency": pl.String},
    )
    text = with_major_text(frame, {"minor": "amount"})
    assert text.get_column("amount").to_list() == [None, "0.05"]
    assert minor_units(text, "amount").to_list() == [None, 5]


@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("12.5", "EUR"),
        ("12.500", "EUR"),
        ("12", "EUR"),
        ("1.0", "JPY"),
        ("1e3", "EUR"),
        ("x", "EUR"),
    ],
)
def test_inexact_amounts_are_refused(amount: str, currency: str) -> None:
    frame = pl.DataFrame({"amount": ["1.00", amount], "currency": ["EUR", currency]})
    with pytest.raises(InvalidInput, match=r"row 1"):
        minor_units(frame, "amount")


def test_check_digits() -> None:
    assert luhn_digit("73282932") == "0"  # SIREN 732829320
    assert uscc_check("91350100M000100Y4") == "3"  # 91350100M000100Y43
    for n in (0, 1, 12345, 199_999):
        siren = FORMATTERS["FR"](n)
        assert len(siren) == 9
        assert luhn_digit(siren[:8]) == siren[8]
        belgian = FORMATTERS["BE"](n).replace(".", "")
        assert int(belgian[:8]) % 97 == 97 - int(belgian[8:])
        uscc = FORMATTERS["CN"](n)
        assert len(uscc) == 18
        assert uscc_check(uscc[:17]) == uscc[17]
        assert re.fullmatch(r"\d{2}\.\d{3}\.\d{3}/0001-\d{2}", FORMATTERS["BR"](n))
        assert re.fullmatch(r"HRB \d{4,6}", FORMATTERS["DE"](n))
        assert re.fullmatch(r"\d{6}-\d{4}", FORMATTERS["SE"](n))


@pytest.mark.parametrize("country", sorted(FORMATTERS))
def test_formats_are_distinct_for_distinct_draws(country: str) -> None:
    numbers = [FORMATTERS[country](n) for n in range(0, 200_000, 7)]
    assert len(set(numbers)) == len(numbers)
    assert all(0 < len(number) <= 64 for number in numbers)
