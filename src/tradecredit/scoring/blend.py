"""The blend: the financial PD moved by payment behaviour, country risk, sector risk and age.

    log-odds = logit(PD_financial)
               + w_behaviour x behaviour_term + w_country x country_term + w_sector x sector_term
               + age_term
    PD       = 1 / (1 + exp(-log-odds)), kept within [PD_FLOOR, PD_CAP], 6 decimals

Every term is centred, so a buyer with neutral behaviour and middle-of-the-scale country and sector
risk keeps its financial PD exactly:

- behaviour_term: the log-odds of the behaviour factors of the points formula (`points.FACTORS`:
  days beyond terms, their trend, the share overdue more than 30 days), each at 0 at its neutral
  value, clipped as there. A missing figure (a buyer who never paid an invoice) adds 0: no penalty,
  no bonus.
- country_term: the platform country risk level (1-8, `risk.service.country_risk_frame`) minus the
  middle of the scale, 4.5. Without an imported classification for the buyer's country it is 0.
- sector_term: the NACE sector risk level (1-5, `risk.sectors.sector_risk`) minus the middle, 3.
- age_term: by the company's age in whole years at the as-of date (`company_age`, from
  `companies.founded`): +0.6 under 2 years, +0.3 from 2 to under 5, 0 from 5 years
  (`BlendWeights.age_bands`). Young firms fail far more often than established ones: about half
  of new enterprises are no longer active five years after their birth (Eurostat, Statistics
  Explained, "Business demography statistics", five-year survival rates of enterprises by year of
  birth; likewise the US BLS Business Employment Dynamics, "Survival of private sector
  establishments by opening year": about a fifth close within their first year). Closing is not
  defaulting, so the size of the bands is set by hand. An unknown founding date, or one after the
  as-of date, adds 0.

The weights are parameters (`BlendWeights`) with economic signs, all positive: later payment, a
riskier country, a riskier sector or a younger company raise the PD. They are set by hand, not fitted: the Polish data
has no payment behaviour, no country and one sector, so nothing here could be estimated from it.
`blend_pd` is the exact (Decimal) rule for one buyer; `behaviour_log_odds` and `level_log_odds`
and `age_log_odds` compute the same terms in floats for whole columns (batch.py), which falls back to `blend_pd` for a
row whose float PD lies too close to a rounding tie, so both give the same PD text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import numpy as np
import polars as pl

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.default import FinancialAssessment
from tradecredit.scoring.overlays import Reason
from tradecredit.scoring.points import (
    FACTORS,
    PD_CAP,
    PD_FLOOR,
    PD_PLACES,
    PRIOR_PD,
    Factor,
    as_decimal,
    factor_log_odds,
    factor_reason,
)

BEHAVIOUR_FACTORS: tuple[Factor, ...] = tuple(
    factor for factor in FACTORS if factor.name in {"dbt_average", "dbt_trend", "overdue_30_share"}
)
BLEND_VERSION = "blend-v2"
"""blend-v2 added the company-age term; blend-v1 had behaviour, country and sector only."""
COUNTRY_LEVELS = (1, 8)
SECTOR_LEVELS = (1, 5)


@dataclass(frozen=True)
class BlendWeights:
    """Log-odds per unit of each term. behaviour: 1 keeps the points formula's behaviour weights
    (30 days beyond terms on average instead of 5 add 1.0); country: 0.15 per level, so the safest
    and riskiest levels lie about 1 log-odds apart (2.9 times the odds); sector: 0.2 per level;
    age_bands: (years, log-odds) in increasing years, a company younger than a band's years takes
    the first such band's log-odds (under 2: +0.6, 1.8 times the odds; under 5: +0.3), an older
    one 0."""

    behaviour: Decimal = Decimal("1")
    country: Decimal = Decimal("0.15")
    sector: Decimal = Decimal("0.2")
    country_reference: Decimal = Decimal("4.5")
    sector_reference: Decimal = Decimal("3")
    age_bands: tuple[tuple[int, Decimal], ...] = ((2, Decimal("0.6")), (5, Decimal("0.3")))


DEFAULT_WEIGHTS = BlendWeights()


@dataclass(frozen=True)
class BlendTerms:
    """Each term's log-odds after its weight; None: not available (it adds 0)."""

    behaviour: Decimal
    country: Decimal | None
    sector: Decimal | None
    behaviour_parts: dict[str, Decimal]
    age: Decimal | None = None


@dataclass(frozen=True)
class Blended:
    pd: Decimal
    financial_pd: Decimal
    terms: BlendTerms


def _clip(value: Decimal, factor: Factor) -> Decimal:
    return min(max(value, factor.low), factor.high)


def behaviour_parts(values: Mapping[str, Decimal | None]) -> dict[str, Decimal]:
    """Log-odds of each behaviour factor, 0 when its figure is missing."""
    parts = {}
    for factor in BEHAVIOUR_FACTORS:
        value = values.get(factor.name)
        parts[factor.name] = (
            Decimal(0) if value is None else factor.weight * (_clip(value, factor) - factor.neutral)
        )
    return parts


def _level_term(level: int | None, levels: tuple[int, int], reference: Decimal) -> Decimal | None:
    if level is None:
        return None
    low, high = levels
    if not low <= level <= high:
        raise ValueError(f"risk level {level} is outside {low}-{high}")
    return Decimal(level) - reference


@dataclass(frozen=True)
class CompanyAge:
    founded: date
    years: int


def company_age(founded: date | None, as_of: date) -> CompanyAge | None:
    """Whole years from the founding date to `as_of` (a birthday on `as_of` counts); None when
    the date is unknown or after `as_of`."""
    if founded is None or founded > as_of:
        return None
    before_birthday = (as_of.month, as_of.day) < (founded.month, founded.day)
    return CompanyAge(founded, as_of.year - founded.year - int(before_birthday))


def age_term(years: int | None, weights: BlendWeights = DEFAULT_WEIGHTS) -> Decimal | None:
    """The age band's log-odds; None (adds 0) when the age is not known."""
    if years is None:
        return None
    if years < 0:
        raise ValueError(f"a company age must not be negative, got {years}")
    return next((value for below, value in weights.age_bands if years < below), Decimal(0))


def blend_terms(
    values: Mapping[str, Decimal | None],
    *,
    country_level: int | None,
    sector_level: int | None,
    age_years: int | None = None,
    weights: BlendWeights = DEFAULT_WEIGHTS,
) -> BlendTerms:
    parts = behaviour_parts(values)
    country = _level_term(country_level, COUNTRY_LEVELS, weights.country_reference)
    sector = _level_term(sector_level, SECTOR_LEVELS, weights.sector_reference)
    return BlendTerms(
        behaviour=weights.behaviour * sum(parts.values(), Decimal(0)),
        country=None if country is None else weights.country * country,
        sector=None if sector is None else weights.sector * sector,
        behaviour_parts={name: weights.behaviour * part for name, part in parts.items()},
        age=age_term(age_years, weights),
    )


def blend_pd(
    financial_pd: Decimal,
    values: Mapping[str, Decimal | None],
    *,
    country_level: int | None,
    sector_level: int | None,
    age_years: int | None = None,
    weights: BlendWeights = DEFAULT_WEIGHTS,
    prior_shift: Decimal = Decimal(0),
) -> Blended:
    """The blended PD of one buyer; `financial_pd` must lie strictly between 0 and 1.
    `age_years`: whole years since founding at the as-of date (`company_age`), None: unknown.
    `prior_shift` (log-odds) moves the financial PD to another base rate before the blend."""
    if not Decimal(0) < financial_pd < Decimal(1):
        raise ValueError(f"a financial PD must lie strictly between 0 and 1, got {financial_pd}")
    terms = blend_terms(
        values,
        country_level=country_level,
        sector_level=sector_level,
        age_years=age_years,
        weights=weights,
    )
    with localcontext() as context:
        context.prec = 28
        shift = terms.behaviour
        for term in (terms.country, terms.sector, terms.age):
            shift += term or Decimal(0)
        log_odds = (financial_pd / (1 - financial_pd)).ln() + prior_shift + shift
        pd = 1 / (1 + (-log_odds).exp())
        pd = min(max(pd, PD_FLOOR), PD_CAP).quantize(PD_PLACES, rounding=ROUND_HALF_EVEN)
    return Blended(pd=pd, financial_pd=financial_pd, terms=terms)


def behaviour_log_odds(
    columns: Mapping[str, np.ndarray], weights: BlendWeights = DEFAULT_WEIGHTS
) -> np.ndarray:
    """The behaviour term over whole Float64 columns (NaN = missing, adds 0), in floats."""
    parts = [factor_log_odds(factor, columns[factor.name]) for factor in BEHAVIOUR_FACTORS]
    return np.asarray(float(weights.behaviour) * np.sum(parts, axis=0), dtype=np.float64)


def level_log_odds(
    levels: np.ndarray, scale: tuple[int, int], *, reference: Decimal, weight: Decimal
) -> np.ndarray:
    """weight x (level - reference) over a Float64 column of levels; NaN (unknown) adds 0."""
    low, high = scale
    known = ~np.isnan(levels)
    outside = known & ((levels < low) | (levels > high))
    if outside.any():
        rows = np.flatnonzero(outside)[:5].tolist()
        raise InvalidInput(f"risk levels outside {low}-{high} in rows {rows}: {levels[rows]}")
    return np.where(known, float(weight) * (levels - float(reference)), 0.0)


def ages_in_years(founded: pl.Series, as_of: date) -> np.ndarray:
    """`company_age` over a Date column, as Float64 whole years (NaN: unknown or after `as_of`)."""
    dates = founded.cast(pl.Date)
    before_birthday = (dates.dt.month().cast(pl.Int32) * 100 + dates.dt.day()) > (
        as_of.month * 100 + as_of.day
    )
    years = as_of.year - dates.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)
    known = dates.is_not_null() & (dates <= as_of)
    return np.where(
        known.fill_null(False).to_numpy(), years.cast(pl.Float64).fill_null(0).to_numpy(), np.nan
    )


def age_log_odds(ages: np.ndarray, weights: BlendWeights = DEFAULT_WEIGHTS) -> np.ndarray:
    """`age_term` over a Float64 column of whole years; NaN (unknown) adds 0."""
    term = np.zeros(ages.shape, dtype=np.float64)
    assigned = np.isnan(ages)
    for below, value in weights.age_bands:
        band = ~assigned & (ages < below)
        term[band] = float(value)
        assigned |= band
    return term


def age_reason(age: CompanyAge | None, term: Decimal | None) -> Reason | None:
    """Why the company's youth raised the PD; None when it did not."""
    if age is None or term is None or term <= 0:
        return None
    unit = "year" if age.years == 1 else "years"
    return Reason(
        "company_age",
        f"company age: founded {age.founded.isoformat()}, {age.years} {unit} at the as-of date",
        f"成立时间：{age.founded.isoformat()} 成立，评估日时成立 {age.years} 年",
    )


def country_reason(country: str | None, level: int | None, term: Decimal | None) -> Reason | None:
    """Why the country moved the PD up, or that it could not count; None when it did not raise it."""
    if level is None:
        where = f" for {country}" if country else ""
        return Reason(
            "country_risk_unavailable",
            f"country risk not available{where}: no OECD classification imported; it adds nothing",
            f"国家风险不可用{('（' + country + '）') if country else ''}：未导入经合组织分类，不计入",
        )
    if term is None or term <= 0:
        return None
    return Reason(
        "country_risk",
        f"country risk: {country} is at level {level} of {COUNTRY_LEVELS[1]}",
        f"国家风险：{country} 为 {COUNTRY_LEVELS[1]} 级中的第 {level} 级",
    )


def sector_reason(sector: str | None, level: int | None, term: Decimal | None) -> Reason | None:
    if level is None or term is None or term <= 0:
        return None
    return Reason(
        "sector_risk",
        f"sector risk: NACE {sector} is at level {level} of {SECTOR_LEVELS[1]}",
        f"行业风险：NACE {sector} 为 {SECTOR_LEVELS[1]} 级中的第 {level} 级",
    )


def behaviour_reasons(
    terms: BlendTerms,
    values: Mapping[str, Decimal | None],
    medians: Mapping[str, Decimal | None],
) -> list[Reason]:
    """The behaviour figures that raise the PD, largest first."""
    pushing = sorted(
        ((part, name) for name, part in terms.behaviour_parts.items() if part > 0),
        key=lambda item: (-item[0], item[1]),
    )
    reasons = []
    for _, name in pushing:
        value = values.get(name)
        if value is not None:
            reasons.append(factor_reason(name, value, medians.get(name)))
    return reasons


@dataclass(frozen=True)
class RiskLevels:
    """A buyer's country and sector with their risk levels (None: not available)."""

    country: str | None = None
    country_level: int | None = None
    sector: str | None = None
    sector_level: int | None = None


NO_RISK = RiskLevels()


def financial_pd(financial: FinancialAssessment) -> Decimal:
    """The model's PD as a Decimal within the floor and cap; the prior PD (1.5%, grade 5) when the
    buyer has no ratio at all, as in the points formula."""
    value = as_decimal(financial.pd)
    return PRIOR_PD if value is None else min(max(value, PD_FLOOR), PD_CAP)


def blend_reasons(
    drivers: Sequence[str],
    values: Mapping[str, Decimal | None],
    medians: Mapping[str, Decimal | None],
    risk: RiskLevels,
    weights: BlendWeights = DEFAULT_WEIGHTS,
    age: CompanyAge | None = None,
) -> list[Reason]:
    """The model's drivers (in words, beside the sector median; a driver whose ratio is missing
    is not quoted), then behaviour, company age, sector and country where they raise the PD, then
    "country risk not available" when the country's level is unknown."""
    terms = blend_terms(
        values,
        country_level=risk.country_level,
        sector_level=risk.sector_level,
        age_years=None if age is None else age.years,
        weights=weights,
    )
    reasons = [
        factor_reason(name, value, medians.get(name))
        for name in drivers
        if (value := values.get(name)) is not None
    ]
    reasons += behaviour_reasons(terms, values, medians)
    extra = (
        age_reason(age, terms.age),
        sector_reason(risk.sector, risk.sector_level, terms.sector),
        country_reason(risk.country, risk.country_level, terms.country),
    )
    return reasons + [reason for reason in extra if reason is not None]


def blended_pd_and_reasons(
    financial: FinancialAssessment,
    values: Mapping[str, Decimal | None],
    medians: Mapping[str, Decimal | None],
    risk: RiskLevels,
    age: CompanyAge | None = None,
) -> tuple[Decimal, list[Reason]]:
    """One buyer's blended PD and its reasons (`blend_reasons`), from the model's assessment."""
    blended = blend_pd(
        financial_pd(financial),
        values,
        country_level=risk.country_level,
        sector_level=risk.sector_level,
        age_years=None if age is None else age.years,
    )
    drivers = [name for name, _ in financial.drivers]
    return blended.pd, blend_reasons(drivers, values, medians, risk, age=age)
