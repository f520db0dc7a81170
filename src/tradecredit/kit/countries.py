"""ISO 3166-1 alpha-2 countries (pycountry) and NACE rev. 2 sector codes."""

from __future__ import annotations

import re
from functools import cache

import pycountry

from tradecredit.kit.errors import InvalidSector, UnknownCountry


@cache
def _alpha2() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


def validate_country(code: str) -> str:
    if not isinstance(code, str) or code not in _alpha2():
        raise UnknownCountry(f"unknown country {code!r}: not an ISO 3166-1 alpha-2 code")
    return code


def country_name(code: str) -> str:
    found = pycountry.countries.get(alpha_2=code)
    return found.name if found else code


def alpha3(code: str) -> str:
    found = pycountry.countries.get(alpha_2=validate_country(code))
    assert found is not None
    return str(found.alpha_3)


# NACE rev. 2 sections and the divisions (two-digit codes) each one spans (Eurostat).
NACE_SECTIONS: dict[str, tuple[str, tuple[int, int]]] = {
    "A": ("Agriculture, forestry and fishing", (1, 3)),
    "B": ("Mining and quarrying", (5, 9)),
    "C": ("Manufacturing", (10, 33)),
    "D": ("Electricity, gas, steam and air conditioning supply", (35, 35)),
    "E": ("Water supply; sewerage, waste management and remediation", (36, 39)),
    "F": ("Construction", (41, 43)),
    "G": ("Wholesale and retail trade; repair of motor vehicles", (45, 47)),
    "H": ("Transportation and storage", (49, 53)),
    "I": ("Accommodation and food service activities", (55, 56)),
    "J": ("Information and communication", (58, 63)),
    "K": ("Financial and insurance activities", (64, 66)),
    "L": ("Real estate activities", (68, 68)),
    "M": ("Professional, scientific and technical activities", (69, 75)),
    "N": ("Administrative and support service activities", (77, 82)),
    "O": ("Public administration and defence; compulsory social security", (84, 84)),
    "P": ("Education", (85, 85)),
    "Q": ("Human health and social work activities", (86, 88)),
    "R": ("Arts, entertainment and recreation", (90, 93)),
    "S": ("Other service activities", (94, 96)),
    "T": ("Activities of households as employers", (97, 98)),
    "U": ("Activities of extraterritorial organisations and bodies", (99, 99)),
}
_NACE = re.compile(r"^([A-U])(?:(\d{2})(?:\.(\d)(\d)?)?)?$")
_UNUSED_DIVISIONS = frozenset({4, 34, 40, 44, 48, 54, 57, 67, 76, 83, 89})


def validate_sector(code: str) -> str:
    """Accept a NACE rev. 2 section ("C"), division ("C25"), group ("G46.7") or class ("C25.11")."""
    match = _NACE.match(code.strip() if isinstance(code, str) else "")
    if not match:
        raise InvalidSector(f"invalid NACE rev. 2 code {code!r} (expected e.g. 'C25' or 'G46.7')")
    section, division = match.group(1), match.group(2)
    if division is not None:
        low, high = NACE_SECTIONS[section][1]
        number = int(division)
        if not low <= number <= high or number in _UNUSED_DIVISIONS:
            raise InvalidSector(
                f"invalid NACE rev. 2 code {code!r}: division {division} is not in section "
                f"{section} ({low:02d}-{high:02d})"
            )
    return code.strip()


def sector_section(code: str) -> str:
    return validate_sector(code)[0]
