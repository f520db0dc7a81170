"""The buyer universe: who they are, how risky, how they pay, and which of them fail.

A latent risk per buyer (a standard-normal draw shifted by country, sector and size) drives the
rest: the chance of failing, the payment profile, the statements and the events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from tradecredit.demo.daymath import Days
from tradecredit.demo.reference import COUNTRIES, SECTORS
from tradecredit.demo.registrations import registration_numbers

Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]

PROMPT, SLOW, DETERIORATING, PART_PAYER = 0, 1, 2, 3
"""Profile codes: positions in `reference.PROFILES`."""
DEFAULT_RATE = 0.03
DETERIORATING_SHARE = 0.07
PART_PAYER_SHARE = 0.04
LUMP_PAYER_SHARE = 0.12
LATE_ONBOARDING_SHARE = 0.15
MEDIAN_REVENUE_EUR = 12e6


@dataclass(frozen=True)
class Buyers:
    countries: list[str]
    sectors: list[str]
    registration_numbers: list[str]
    languages: list[str]
    invoice_currencies: list[str]
    local_currencies: list[str]
    risk: Floats
    profile: Ints
    defaulted: Flags
    default_day: Days
    onboard_day: Days
    revenue_eur: Floats
    volume_eur: Floats
    invoices_per_year: Floats
    terms: Ints
    lump: Flags

    @property
    def n(self) -> int:
        return len(self.countries)


def default_probability(risk: Floats) -> Floats:
    return 1.0 / (1.0 + np.exp(4.0 - 1.1 * risk))


def draw_buyers(rng: np.random.Generator, *, n: int, start: date, end: date) -> Buyers:
    country_idx = stratified(rng, [c.weight for c in COUNTRIES], n)
    sector_idx = stratified(rng, [s.weight for s in SECTORS], n)
    revenue = np.exp(rng.normal(np.log(MEDIAN_REVENUE_EUR), 1.3, n)).clip(5e5, 2e9)
    size_z = (np.log(revenue) - np.log(MEDIAN_REVENUE_EUR)) / 1.3
    shifts = (
        np.array([c.risk_shift for c in COUNTRIES])[country_idx]
        + np.array([s.risk_shift for s in SECTORS])[sector_idx]
    )
    risk = rng.normal(size=n) + shifts - 0.25 * size_z
    defaulted = _pick_defaulters(rng, risk)
    first, last = start.toordinal(), end.toordinal()
    default_day = np.where(defaulted, first + 200 + rng.integers(0, last - first - 275, n), 0)
    late = ~defaulted & (rng.random(n) < LATE_ONBOARDING_SHARE)
    onboard = np.where(late, first + rng.integers(30, last - first - 200, n), first)
    profile = _profiles(rng, risk, defaulted)
    volume = (revenue * 0.006 * np.exp(rng.normal(0.0, 0.8, n))).clip(8e3, 6e6)
    countries = [COUNTRIES[i].code for i in country_idx]
    lump = ~defaulted & np.isin(profile, [PROMPT, SLOW]) & (rng.random(n) < LUMP_PAYER_SHARE)
    return Buyers(
        countries=countries,
        sectors=[SECTORS[i].code for i in sector_idx],
        registration_numbers=registration_numbers(rng, countries),
        languages=[_language(rng, COUNTRIES[i].languages) for i in country_idx],
        invoice_currencies=[COUNTRIES[i].invoice_currency for i in country_idx],
        local_currencies=[COUNTRIES[i].local_currency for i in country_idx],
        risk=risk,
        profile=profile,
        defaulted=defaulted,
        default_day=default_day.astype(np.int64),
        onboard_day=onboard.astype(np.int64),
        revenue_eur=revenue,
        volume_eur=volume,
        invoices_per_year=(7.5 * np.sqrt(volume / 4e4)).clip(2.0, 160.0),
        terms=_terms(rng, country_idx),
        lump=lump,
    )


def stratified(rng: np.random.Generator, weights: list[float], n: int) -> Ints:
    """Weighted draws in which every category appears at least once (when n allows)."""
    p = np.asarray(weights) / np.sum(weights)
    covered = np.arange(min(n, len(p)))
    drawn = rng.choice(len(p), size=n - len(covered), p=p)
    return rng.permutation(np.concatenate([covered, drawn])).astype(np.int64)


def _pick_defaulters(rng: np.random.Generator, risk: Floats) -> Flags:
    n = len(risk)
    pd = default_probability(risk)
    count = max(1, round(n * DEFAULT_RATE))
    chosen = rng.choice(n, size=count, replace=False, p=pd / pd.sum())
    flags = np.zeros(n, dtype=bool)
    flags[chosen] = True
    return flags


def _profiles(rng: np.random.Generator, risk: Floats, defaulted: Flags) -> Ints:
    """Defaulters deteriorate; among survivors the riskier are likelier to pay late or worsen."""
    n = len(risk)
    profile = np.full(n, PROMPT, dtype=np.int64)
    profile[defaulted] = DETERIORATING
    survivors = np.flatnonzero(~defaulted)
    weights = default_probability(risk[survivors]) ** 0.7
    worsening = rng.choice(
        survivors,
        size=min(len(survivors), max(1, round(n * DETERIORATING_SHARE))),
        replace=False,
        p=weights / weights.sum(),
    )
    profile[worsening] = DETERIORATING
    rest = np.setdiff1d(survivors, worsening)
    part = rng.choice(rest, size=min(len(rest), max(1, round(n * PART_PAYER_SHARE))), replace=False)
    profile[part] = PART_PAYER
    rest = np.setdiff1d(rest, part)
    slow_chance = np.clip(0.12 + 0.2 * risk[rest], 0.03, 0.8)
    profile[rest[rng.random(len(rest)) < slow_chance]] = SLOW
    return profile


def _terms(rng: np.random.Generator, country_idx: Ints) -> Ints:
    terms = np.zeros(len(country_idx), dtype=np.int64)
    for index, country in enumerate(COUNTRIES):
        members = np.flatnonzero(country_idx == index)
        terms[members] = rng.choice(np.array(country.usual_terms), size=len(members))
    return terms


def _language(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    """Correspondence language: the country's, or one of them where there are several."""
    return options[int(rng.integers(len(options)))]
