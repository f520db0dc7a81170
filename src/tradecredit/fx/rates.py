"""Pure FX arithmetic: pick the dated rate for a pair and convert minor units exactly.

A conversion is an exact rational factor from source minor units to target minor units (the rates
and the two currencies' exponents, as `Fraction`s built from `Decimal`s), so an amount is rounded
once, half-even, to the target's minor unit, whatever the path (direct, inverse, or through one
common currency). No float is involved anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from tradecredit.kit.currencies import exponent
from tradecredit.kit.errors import FxRateMissing


@dataclass(frozen=True, slots=True)
class DatedRate:
    """On `rate_date`, one unit of `base_currency` buys `rate` units of `quote_currency`."""

    base_currency: str
    quote_currency: str
    rate: Decimal
    rate_date: date


@dataclass(frozen=True, slots=True)
class Leg:
    """One stored rate used forwards (base -> quote) or inverted (quote -> base)."""

    rate: DatedRate
    inverted: bool

    @property
    def factor(self) -> Fraction:
        value = Fraction(self.rate.rate)
        return 1 / value if self.inverted else value

    @property
    def source(self) -> str:
        return self.rate.quote_currency if self.inverted else self.rate.base_currency

    @property
    def target(self) -> str:
        return self.rate.base_currency if self.inverted else self.rate.quote_currency


def round_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, ties to even (denominator > 0)."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


@dataclass(frozen=True, slots=True)
class Conversion:
    """Converts `source` minor units into `target` minor units: x * numerator / denominator."""

    source: str
    target: str
    legs: tuple[Leg, ...]
    numerator: int = field(init=False)
    denominator: int = field(init=False)

    def __post_init__(self) -> None:
        factor = Fraction(10 ** exponent(self.target), 10 ** exponent(self.source))
        for leg in self.legs:
            factor *= leg.factor
        object.__setattr__(self, "numerator", factor.numerator)
        object.__setattr__(self, "denominator", factor.denominator)

    @property
    def is_identity(self) -> bool:
        return self.numerator == self.denominator

    @property
    def rates(self) -> tuple[DatedRate, ...]:
        return tuple(leg.rate for leg in self.legs)

    @property
    def via(self) -> str | None:
        """The common currency of a triangulated conversion."""
        return self.legs[0].target if len(self.legs) == 2 else None

    @property
    def oldest_rate_date(self) -> date | None:
        return min((leg.rate.rate_date for leg in self.legs), default=None)

    def convert_minor(self, amount_minor: int) -> int:
        return round_half_even(amount_minor * self.numerator, self.denominator)


@dataclass(frozen=True)
class RateTable:
    """The latest rate on or before `as_of` for every stored pair (rates dated later are ignored)."""

    as_of: date
    latest: Mapping[tuple[str, str], DatedRate]

    @classmethod
    def from_rates(cls, rates: Iterable[DatedRate], *, as_of: date) -> RateTable:
        latest: dict[tuple[str, str], DatedRate] = {}
        for rate in rates:
            if rate.rate_date > as_of:
                continue
            pair = (rate.base_currency, rate.quote_currency)
            known = latest.get(pair)
            if known is None or rate.rate_date > known.rate_date:
                latest[pair] = rate
        return cls(as_of=as_of, latest=latest)

    def currencies(self) -> set[str]:
        return {code for pair in self.latest for code in pair}

    def leg(self, source: str, target: str) -> Leg | None:
        """The more recent of the direct and the inverse quote; the direct one on a tie."""
        direct = self.latest.get((source, target))
        inverse = self.latest.get((target, source))
        if direct and (inverse is None or direct.rate_date >= inverse.rate_date):
            return Leg(direct, inverted=False)
        if inverse:
            return Leg(inverse, inverted=True)
        return None


def resolve(table: RateTable, source: str, target: str) -> Conversion:
    """The conversion source -> target: identity, direct/inverse, or through one common currency.

    Through a common currency, the path whose older rate is the most recent wins (then the
    currency code, so the choice is reproducible).
    """
    if source == target:
        return Conversion(source, target, ())
    single = table.leg(source, target)
    if single is not None:
        return Conversion(source, target, (single,))
    paths: list[tuple[date, str, Leg, Leg]] = []
    for pivot in sorted(table.currencies() - {source, target}):
        first, second = table.leg(source, pivot), table.leg(pivot, target)
        if first and second:
            oldest = min(first.rate.rate_date, second.rate.rate_date)
            paths.append((oldest, pivot, first, second))
    if not paths:
        raise FxRateMissing(
            f"no {source}/{target} exchange rate on or before {table.as_of.isoformat()} "
            "(looked for a direct, an inverse and a path through one common currency)",
            details={"base": source, "quote": target, "as_of": table.as_of.isoformat()},
        )
    paths.sort(key=lambda path: (-path[0].toordinal(), path[1]))
    _, _, first, second = paths[0]
    return Conversion(source, target, (first, second))


class Converter:
    """Resolves and remembers the conversion of each currency into one target currency."""

    def __init__(self, table: RateTable, target: str) -> None:
        self.table = table
        self.target = target
        self._resolved: dict[str, Conversion] = {}

    def get(self, source: str) -> Conversion:
        if source not in self._resolved:
            self._resolved[source] = resolve(self.table, source, self.target)
        return self._resolved[source]

    def used(self) -> tuple[Conversion, ...]:
        """Every non-identity conversion asked for so far, by source currency."""
        found = (c for c in self._resolved.values() if c.legs)
        return tuple(sorted(found, key=lambda conversion: conversion.source))
