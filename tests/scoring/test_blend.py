"""The blend: neutral inputs keep the financial PD, every term moves it with its economic sign."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import polars as pl
import pytest

from tradecredit.scoring.blend import (
    BLEND_VERSION,
    BlendWeights,
    CompanyAge,
    RiskLevels,
    age_log_odds,
    age_reason,
    age_term,
    ages_in_years,
    blend_pd,
    blended_pd_and_reasons,
    company_age,
    country_reason,
    sector_reason,
)
from tradecredit.scoring.default import FinancialAssessment
from tradecredit.scoring.points import PD_CAP, PD_FLOOR, PD_PLACES, PRIOR_PD

NEUTRAL_BEHAVIOUR = {
    "dbt_average": Decimal(5),
    "dbt_trend": Decimal(0),
    "overdue_30_share": Decimal("0.05"),
}
PD = Decimal("0.0234567")


def blended(values: dict[str, Decimal | None] | None = None, **levels: int | None) -> Decimal:
    return blend_pd(
        PD,
        values or {},
        country_level=levels.get("country"),
        sector_level=levels.get("sector"),
    ).pd


@pytest.mark.parametrize("behaviour", [NEUTRAL_BEHAVIOUR, {}, dict.fromkeys(NEUTRAL_BEHAVIOUR)])
def test_neutral_or_missing_behaviour_and_middle_sector_keep_the_financial_pd(
    behaviour: dict[str, Decimal | None],
) -> None:
    assert blended(behaviour, country=None, sector=3) == PD.quantize(PD_PLACES)


def test_a_country_at_the_reference_level_keeps_the_financial_pd() -> None:
    weights = BlendWeights(country_reference=Decimal(4))
    result = blend_pd(PD, {}, country_level=4, sector_level=None, weights=weights)
    assert result.pd == PD.quantize(PD_PLACES)
    assert result.terms.country == 0


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("dbt_average", [0, 5, 10, 30, 60, 120]),
        ("dbt_trend", [-60, -10, 0, 10, 60]),
        ("overdue_30_share", ["0", "0.05", "0.2", "0.5", "1"]),
    ],
)
def test_later_payment_never_lowers_the_pd(name: str, values: list[object]) -> None:
    pds = [blended({name: Decimal(str(v))}) for v in values]
    assert pds == sorted(pds)
    assert pds[0] < pds[-1]


def test_a_riskier_country_or_sector_never_lowers_the_pd() -> None:
    countries = [blended(country=level) for level in range(1, 9)]
    sectors = [blended(sector=level) for level in range(1, 6)]
    assert countries == sorted(countries)
    assert countries[0] < countries[-1]
    assert sectors == sorted(sectors)
    assert sectors[0] < sectors[-1]
    assert blended(country=1) < PD < blended(country=8)


def test_the_blend_stays_within_the_floor_and_the_cap() -> None:
    worst = {"dbt_average": Decimal(500), "dbt_trend": Decimal(500), "overdue_30_share": Decimal(1)}
    high = blend_pd(Decimal("0.999"), worst, country_level=8, sector_level=5).pd
    low = blend_pd(Decimal("0.000001"), {}, country_level=1, sector_level=1).pd
    assert 0 < PD_FLOOR == low < high == PD_CAP < 1


@pytest.mark.parametrize("pd_", [Decimal(0), Decimal(1), Decimal("-0.1")])
def test_a_financial_pd_outside_the_open_interval_is_refused(pd_: Decimal) -> None:
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        blend_pd(pd_, {}, country_level=None, sector_level=None)


def test_a_level_outside_the_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="outside 1-8"):
        blend_pd(PD, {}, country_level=9, sector_level=None)
    with pytest.raises(ValueError, match="outside 1-5"):
        blend_pd(PD, {}, country_level=None, sector_level=0)


def test_country_and_sector_reasons() -> None:
    unavailable = country_reason("DE", None, None)
    assert unavailable is not None
    assert unavailable.code == "country_risk_unavailable"
    assert unavailable.text_en.startswith("country risk not available for DE")
    assert country_reason("DE", 1, Decimal("-0.5")) is None
    riskier = country_reason("AR", 8, Decimal("0.5"))
    assert riskier is not None
    assert riskier.text_en == "country risk: AR is at level 8 of 8"
    assert sector_reason("F41", 2, Decimal("-0.2")) is None
    sector = sector_reason("F41", 5, Decimal("0.4"))
    assert sector is not None
    assert sector.text_en == "sector risk: NACE F41 is at level 5 of 5"


def test_reasons_follow_the_terms_that_raise_the_pd() -> None:
    values: dict[str, Decimal | None] = {
        "liabilities_to_assets": Decimal("0.93"),
        "dbt_average": Decimal(40),
    }
    financial = FinancialAssessment(pd=0.05, drivers=(("liabilities_to_assets", 1.2),))
    risk = RiskLevels(country="AR", country_level=8, sector="F41", sector_level=5)
    pd_, reasons = blended_pd_and_reasons(financial, values, {}, risk)
    assert pd_ > Decimal("0.05")
    assert [r.code for r in reasons] == [
        "factor_liabilities_to_assets",
        "factor_dbt_average",
        "sector_risk",
        "country_risk",
    ]


def test_no_ratio_at_all_starts_from_the_prior_pd() -> None:
    pd_, reasons = blended_pd_and_reasons(
        FinancialAssessment(pd=None, drivers=()), {}, {}, RiskLevels(sector="C25", sector_level=3)
    )
    assert pd_ == PRIOR_PD
    assert [r.code for r in reasons] == ["country_risk_unavailable"]


AS_OF = date(2026, 3, 31)


def founded_years_ago(years: float) -> date:
    return AS_OF - timedelta(days=round(years * 365.25))


@pytest.mark.parametrize(
    ("founded", "years", "term"),
    [
        (founded_years_ago(0.5), 0, Decimal("0.6")),
        (date(2025, 3, 31), 1, Decimal("0.6")),
        (date(2025, 4, 1), 0, Decimal("0.6")),
        (date(2024, 3, 31), 2, Decimal("0.3")),
        (date(2021, 4, 2), 4, Decimal("0.3")),
        (date(2021, 3, 31), 5, Decimal(0)),
        (date(1996, 3, 31), 30, Decimal(0)),
        (None, None, None),
        (date(2026, 4, 1), None, None),
    ],
    ids=["0.5", "1", "just-under-1", "2", "4.99", "5", "30", "missing", "future"],
)
def test_age_term_by_whole_years_at_the_as_of_date(
    founded: date | None, years: int | None, term: Decimal | None
) -> None:
    age = company_age(founded, AS_OF)
    assert (None if age is None else age.years) == years
    assert age_term(years) == term
    pd_ = blend_pd(PD, {}, country_level=None, sector_level=None, age_years=years).pd
    assert (pd_ > PD.quantize(PD_PLACES)) == bool(term)
    assert (pd_ == PD.quantize(PD_PLACES)) == (not term)
    column = ages_in_years(pl.Series([founded], dtype=pl.Date), AS_OF)
    assert (np.isnan(column[0]) and years is None) or column[0] == years
    assert age_log_odds(column)[0] == float(term or 0)


def test_a_younger_company_never_has_a_lower_pd() -> None:
    pds = [
        blend_pd(PD, {}, country_level=None, sector_level=None, age_years=y).pd
        for y in (0, 1, 2, 4, 5, 30)
    ]
    assert pds == sorted(pds, reverse=True)
    assert pds[0] > pds[2] > pds[-1]
    none = BlendWeights(age_bands=())
    assert blend_pd(
        PD, {}, country_level=None, sector_level=None, age_years=0, weights=none
    ).pd == PD.quantize(PD_PLACES)
    with pytest.raises(ValueError, match="negative"):
        age_term(-1)


def test_a_leap_day_founding_counts_its_birthday_on_the_first_of_march() -> None:
    founded = date(2024, 2, 29)
    assert company_age(founded, date(2026, 2, 28)) == CompanyAge(founded, 1)
    assert company_age(founded, date(2026, 3, 1)) == CompanyAge(founded, 2)
    days = pl.Series([founded, founded], dtype=pl.Date)
    assert ages_in_years(days, date(2026, 2, 28)).tolist() == [1.0, 1.0]
    assert ages_in_years(days, date(2026, 3, 1)).tolist() == [2.0, 2.0]


def test_the_age_reason_quotes_the_founding_date_only_when_it_raises_the_pd() -> None:
    young = company_age(date(2025, 3, 1), AS_OF)
    reason = age_reason(young, age_term(1))
    assert reason is not None
    assert reason.code == "company_age"
    assert reason.text_en == "company age: founded 2025-03-01, 1 year at the as-of date"
    assert reason.text_zh == "成立时间：2025-03-01 成立，评估日时成立 1 年"
    three = age_reason(CompanyAge(date(2023, 1, 1), 3), Decimal("0.3"))
    assert three is not None
    assert three.text_en.endswith("3 years at the as-of date")
    assert age_reason(CompanyAge(date(2000, 1, 1), 26), Decimal(0)) is None
    assert age_reason(None, None) is None


def test_age_reasons_come_after_behaviour_and_before_sector_and_country() -> None:
    values: dict[str, Decimal | None] = {"dbt_average": Decimal(40)}
    financial = FinancialAssessment(pd=0.05, drivers=())
    risk = RiskLevels(country="AR", country_level=8, sector="F41", sector_level=5)
    age = company_age(date(2025, 3, 1), AS_OF)
    pd_, reasons = blended_pd_and_reasons(financial, values, {}, risk, age)
    older, _ = blended_pd_and_reasons(
        financial, values, {}, risk, company_age(date(2000, 1, 1), AS_OF)
    )
    assert pd_ > older
    assert [r.code for r in reasons] == [
        "factor_dbt_average",
        "company_age",
        "sector_risk",
        "country_risk",
    ]
    assert BLEND_VERSION == "blend-v2"
