"""ISO 4217 currencies: validity from pycountry, minor-unit exponents from Babel (CLDR)."""

from __future__ import annotations

from functools import cache

import pycountry
from babel.numbers import get_currency_precision

from tradecredit.kit.errors import UnknownCurrency


@cache
def _active_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def is_currency(code: str) -> bool:
    return code in _active_codes()


def validate_currency(code: str) -> str:
    """Return the code if it is an active ISO 4217 currency (upper case, three letters)."""
    if not isinstance(code, str) or not is_currency(code):
        raise UnknownCurrency(f"unknown currency {code!r}: not an ISO 4217 code")
    return code


@cache
def exponent(code: str) -> int:
    """Number of minor-unit digits (EUR 2, JPY 0, KWD 3), as CLDR publishes them."""
    return int(get_currency_precision(validate_currency(code)))
