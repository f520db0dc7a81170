from __future__ import annotations

from decimal import Decimal

import pytest

from tradecredit.scoring.points import (
    FACTORS,
    PD_FLOOR,
    PRIOR_PD,
    Factor,
    factor_reason,
    points_pd,
    top_reasons,
)
from tradecredit.scoring.ratios import RATIO_DIRECTIONS


def test_nothing_known_gives_the_prior_not_zero() -> None:
    assert points_pd({}).pd == PRIOR_PD
    assert points_pd(dict.fromkeys((f.name for f in FACTORS), None)).pd == PRIOR_PD


@pytest.mark.parametrize("factor", FACTORS, ids=lambda f: f.name)
def test_pd_moves_with_each_factor_in_its_economic_direction(factor: Factor) -> None:
    step = (factor.high - factor.low) / 10
    values = [factor.low + step * i for i in range(11)]
    pds = [points_pd({factor.name: value}).pd for value in values]
    ordered = pds if factor.direction > 0 else pds[::-1]
    assert ordered == sorted(ordered)
    assert ordered[0] < ordered[-1]
    if factor.name in RATIO_DIRECTIONS:
        assert factor.direction == RATIO_DIRECTIONS[factor.name]


def test_values_beyond_the_clip_change_nothing() -> None:
    at_high = points_pd({"liabilities_to_assets": Decimal("1.5")}).pd
    assert points_pd({"liabilities_to_assets": Decimal("40")}).pd == at_high


def test_pd_is_floored_and_has_six_places() -> None:
    safe = {
        "liabilities_to_assets": Decimal("0.1"),
        "current_ratio": Decimal(4),
        "net_income_to_assets": Decimal("0.4"),
        "interest_coverage": Decimal(20),
    }
    assert points_pd(safe).pd == PD_FLOOR
    assert points_pd({"dbt_average": Decimal(33)}).pd.as_tuple().exponent == -6


def test_top_reasons_are_the_factors_pushing_pd_up_largest_first() -> None:
    values = {
        "liabilities_to_assets": Decimal("0.93"),
        "dbt_average": Decimal(40),
        "current_ratio": Decimal(3),
        "overdue_30_share": Decimal("0.10"),
    }
    reasons = top_reasons(points_pd(values), values, {"liabilities_to_assets": Decimal("0.58")})
    assert [r.code for r in reasons] == [
        "factor_dbt_average",
        "factor_liabilities_to_assets",
        "factor_overdue_30_share",
    ]
    assert reasons[1].text_en == (
        "leverage: total liabilities are 93% of assets (sector median 58%)"
    )
    assert reasons[1].text_zh == "杠杆：总负债占资产的 93%（行业中位数 58%）"
    assert "sector median" not in reasons[0].text_en


def test_factor_reason_formats_times_and_days() -> None:
    assert factor_reason("current_ratio", Decimal("0.84"), Decimal("1.4")).text_en == (
        "liquidity: current assets cover current liabilities 0.8 times (sector median 1.4)"
    )
    assert "34 天" in factor_reason("dbt_average", Decimal("34.2"), None).text_zh
