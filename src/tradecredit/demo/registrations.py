"""Registration numbers in each country's usual format, derived from an integer.

The formats (and, where they are simple, the check digits) follow the public registers: a German
Handelsregister number, a French SIREN with its Luhn digit, a Belgian enterprise number with its
mod-97 pair, a Chinese unified social credit code with its check character, a Brazilian CNPJ with
its two check digits, and so on. They are plausible identifiers, not real companies.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CN_REGIONS = ("310115", "440300", "330200", "320500", "440100", "120116", "370200", "320200")
_IN_STATES = ("MH", "DL", "KA", "TN", "GJ", "TG", "WB", "HR")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def luhn_digit(digits: str) -> str:
    """The digit that makes `digits + digit` pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            value = value - 9 if value > 9 else value
        total += value
    return str((10 - total % 10) % 10)


def uscc_check(first17: str) -> str:
    """Check character of a Chinese unified social credit code (GB 32100-2015)."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def _cnpj_digit(digits: str) -> str:
    weights = list(range(len(digits) - 7, 1, -1)) + list(range(9, 1, -1))
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return "0" if remainder < 2 else str(11 - remainder)


def _de(n: int) -> str:
    return f"HRB {1000 + n % 239000}"


def _fr(n: int) -> str:
    base = f"{10_000_000 + n % 89_999_999:08d}"
    return base + luhn_digit(base)


def _it(n: int) -> str:
    base = f"{n % 10_000_000:07d}{1 + n % 100:03d}"
    return base + luhn_digit(base)


def _es(n: int) -> str:
    base = f"{n % 100_000_000:08d}"
    return "B" + base


def _nl(n: int) -> str:
    return f"{10_000_000 + n % 89_999_999:08d}"


def _be(n: int) -> str:
    first8 = f"0{2_000_000 + n:07d}"
    full = f"{first8}{97 - int(first8) % 97:02d}"
    return f"{full[:4]}.{full[4:7]}.{full[7:]}"


def _pl(n: int) -> str:
    return f"{n % 1_000_000:010d}"


def _cz(n: int) -> str:
    base = f"{n % 10_000_000:07d}"
    total = sum(int(d) * w for d, w in zip(base, range(8, 1, -1), strict=True))
    return base + str((11 - total % 11) % 10)


def _at(n: int) -> str:
    return f"FN {100_000 + n % 800_000}{'abdfghikmpstvwxyz'[n % 17]}"


def _se(n: int) -> str:
    base = f"556{n % 1_000_000:06d}"
    return f"{base[:6]}-{base[6:]}{luhn_digit(base)}"


def _dk(n: int) -> str:
    return f"{10_000_000 + n % 89_999_999:08d}"


def _gb(n: int) -> str:
    if n % 12 == 0:
        return f"SC{n % 1_000_000:06d}"
    return f"{n % 16_000_000:08d}"


def _us(n: int) -> str:
    digits = f"{10 + n % 89}{n % 10_000_000:07d}"
    return f"{digits[:2]}-{digits[2:]}"


def _cn(n: int) -> str:
    body = f"91{_CN_REGIONS[n % len(_CN_REGIONS)]}MA{n:07d}"
    return body + uscc_check(body)


def _jp(n: int) -> str:
    return f"{1 + n % 9}{n % 10**12:012d}"


def _tr(n: int) -> str:
    return f"0{n % 10**15:015d}"


def _br(n: int) -> str:
    base = f"{n % 10**8:08d}0001"
    first = _cnpj_digit(base)
    second = _cnpj_digit(base + first)
    digits = base + first + second
    return f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"


def _in(n: int) -> str:
    state = _IN_STATES[n % len(_IN_STATES)]
    year = 1985 + n % 38
    return f"U{10000 + n % 89999:05d}{state}{year}PTC{n % 1_000_000:06d}"


def _mx(n: int) -> str:
    letters = "".join(_LETTERS[(n // 100 // 26**i) % 26] for i in range(3))
    year, month, day = n % 100, 1 + n % 12, 1 + n % 28
    check = f"{_LETTERS[n % 26]}{n % 10}{_LETTERS[(n // 7) % 26]}"
    return f"{letters}{year:02d}{month:02d}{day:02d}{check}"


def _za(n: int) -> str:
    return f"{1990 + n % 34}/{n % 1_000_000:06d}/07"


def _ae(n: int) -> str:
    return f"CN-{1_000_000 + n % 8_999_999}"


def _ch(n: int) -> str:
    digits = f"{100_000_000 + n % 899_999_999:09d}"
    return f"CHE-{digits[:3]}.{digits[3:6]}.{digits[6:]}"


FORMATTERS: dict[str, Callable[[int], str]] = {
    "DE": _de,
    "FR": _fr,
    "IT": _it,
    "ES": _es,
    "NL": _nl,
    "BE": _be,
    "PL": _pl,
    "CZ": _cz,
    "AT": _at,
    "SE": _se,
    "DK": _dk,
    "GB": _gb,
    "US": _us,
    "CN": _cn,
    "JP": _jp,
    "TR": _tr,
    "BR": _br,
    "IN": _in,
    "MX": _mx,
    "ZA": _za,
    "AE": _ae,
    "CH": _ch,
}
_SPACE = 200_000
"""Every formatter maps 0.._SPACE-1 to distinct numbers, so distinct draws give distinct ids."""


def registration_numbers(rng: np.random.Generator, countries: list[str]) -> list[str]:
    """One distinct registration number per buyer, in each buyer's country format."""
    result = [""] * len(countries)
    for country in sorted(set(countries)):
        positions = [i for i, c in enumerate(countries) if c == country]
        draws = rng.choice(_SPACE, size=len(positions), replace=False)
        for position, draw in zip(positions, draws, strict=True):
            result[position] = FORMATTERS[country](int(draw))
    return result
