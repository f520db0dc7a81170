"""The pure pieces: peer percentiles (a worked example by hand) and ratio trend words."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from tradecredit.kit.errors import InvalidInput
from tradecredit.reports.figures import REPORT_RATIOS, Trend, format_ratio, ratio_trend
from tradecredit.reports.labels import LINE_LABELS, RATIO_LABELS, TEXT
from tradecredit.reports.peers import peer_percentiles


def _portfolio() -> pl.DataFrame:
    """Company X (leverage 60%, current ratio 1.5) among six section-C peers, one without a
    leverage figure, and two section-F companies that are not its peers."""
    return pl.DataFrame(
        {
            "company_id": ["X", "A", "B", "C", "D", "E", "N", "F1", "F2"],
            "section": ["C", "C", "C", "C", "C", "C", "C", "F", "F"],
            "liabilities_to_assets": [0.60, 0.30, 0.50, 0.70, 0.80, 0.60, None, 0.99, 0.95],
            "current_ratio": [1.5, 1.0, 2.0, 1.2, 1.5, 0.9, 3.0, 0.1, 0.2],
        }
    )


def test_worked_example_better_than_share_by_direction() -> None:
    frame = peer_percentiles(
        _portfolio(), company_id="X", by="section", names=["liabilities_to_assets", "current_ratio"]
    )
    leverage, liquidity = frame.row(0, named=True), frame.row(1, named=True)
    # leverage, higher is worse: peers A..E have a figure (N has none): 5 peers; worse than
    # X's 60% are C (70%) and D (80%); E ties at 60% and counts as neither: 2 / 5 = 40%.
    assert leverage["peers"] == 5
    assert leverage["worse_peers"] == 2
    assert leverage["better_than"] == pytest.approx(0.4)
    assert leverage["peer_median"] == pytest.approx(0.6)
    assert leverage["group"] == "C"
    # current ratio, higher is better: six peers (N has 3.0); worse than 1.5 are A (1.0),
    # C (1.2), E (0.9); D ties: 3 / 6 = 50%.
    assert (liquidity["peers"], liquidity["worse_peers"]) == (6, 3)
    assert liquidity["better_than"] == pytest.approx(0.5)


def test_fewer_than_five_peers_gives_no_percentile() -> None:
    frame = peer_percentiles(
        _portfolio(), company_id="F1", by="section", names=["liabilities_to_assets"]
    )
    row = frame.row(0, named=True)
    assert (row["peers"], row["worse_peers"], row["better_than"]) == (1, 0, None)


def test_company_without_figures_and_bad_inputs() -> None:
    absent = peer_percentiles(_portfolio(), company_id="Z", by="section", names=["current_ratio"])
    assert absent.row(0, named=True)["peers"] == 0
    assert absent.row(0, named=True)["better_than"] is None
    frame = _portfolio().with_columns(pl.lit(1.0).alias("asset_turnover"))
    with pytest.raises(InvalidInput, match="no economic direction"):
        peer_percentiles(frame, company_id="X", by="section", names=["asset_turnover"])
    with pytest.raises(InvalidInput, match="no column 'country'"):
        peer_percentiles(_portfolio(), company_id="X", by="country", names=["current_ratio"])


@pytest.mark.parametrize(
    ("name", "previous", "latest", "expected"),
    [
        ("current_ratio", "1.4", "1.1", Trend("down", "worse")),
        ("current_ratio", "1.1", "1.4", Trend("up", "better")),
        ("liabilities_to_assets", "0.55", "0.60", Trend("up", "worse")),
        ("liabilities_to_assets", "0.60", "0.55", Trend("down", "better")),
        ("liabilities_to_assets", "0.60", "0.61", Trend("flat", "neutral")),
        ("asset_turnover", "2.0", "2.2", Trend("up", "neutral")),
        ("net_income_to_assets", "0", "0", Trend("flat", "neutral")),
    ],
)
def test_trend_follows_the_economic_direction(
    name: str, previous: str, latest: str, expected: Trend
) -> None:
    assert ratio_trend(name, Decimal(previous), Decimal(latest)) == expected


def test_trend_words_and_formats_in_both_languages() -> None:
    assert ratio_trend("current_ratio", None, Decimal(1)) is None
    assert Trend("down", "worse").words("en") == "down, worse"
    assert Trend("down", "worse").words("zh") == "下降，恶化"
    assert Trend("up", "better").words("zh") == "上升，改善"
    assert Trend("flat", "neutral").words("zh") == "持平"
    assert format_ratio("liabilities_to_assets", Decimal("0.6"), "en") == "60.0%"
    assert format_ratio("current_ratio", Decimal("1.1"), "zh") == "1.10×"
    assert format_ratio("receivables_days", Decimal("33.4"), "zh") == "33 天"
    assert format_ratio("current_ratio", None, "en") == "–"


def test_every_label_has_real_chinese() -> None:
    catalogues = [TEXT, RATIO_LABELS, LINE_LABELS]
    for catalogue in catalogues:
        for key, (english, chinese) in catalogue.items():
            if key == "missing":
                continue
            assert english.strip(), key
            assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), f"{key}: {chinese!r}"
    assert set(REPORT_RATIOS) <= set(RATIO_LABELS)
    assert RATIO_LABELS["liabilities_to_assets"][1] == "资产负债率"
    assert RATIO_LABELS["current_ratio"][1] == "流动比率"
