"""How the report shows a ratio and reads its change: pure, no session.

A ratio's trend compares a year with the prior one: "flat" within ±`FLAT_WITHIN` (2%) of the
prior value, else "up" or "down". Whether that is better or worse follows the ratio's economic
direction (`scoring.ratios.RATIO_DIRECTIONS`: +1 a higher value raises the PD, -1 lowers it, 0 no
sure sign): up is better for liquidity, profitability and coverage, worse for leverage, neither
for activity ratios.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from tradecredit.reports.labels import Lang, text
from tradecredit.scoring.ratios import RATIO_DIRECTIONS

REPORT_RATIOS: tuple[str, ...] = (
    "current_ratio",
    "quick_ratio",
    "cash_ratio",
    "working_capital_to_assets",
    "liabilities_to_assets",
    "current_liabilities_to_assets",
    "equity_to_assets",
    "equity_to_liabilities",
    "net_income_to_assets",
    "ebit_to_assets",
    "ebit_margin",
    "net_margin",
    "retained_earnings_to_assets",
    "asset_turnover",
    "receivables_days",
    "inventory_days",
    "interest_coverage",
    "cash_flow_to_liabilities",
    "altman_z_prime",
)
"""The ratios the report lists, by family; the size logarithms are left out (the statement lines
show size, in money)."""

KEY_RATIOS: tuple[str, ...] = (
    "current_ratio",
    "quick_ratio",
    "liabilities_to_assets",
    "equity_to_assets",
    "net_margin",
    "net_income_to_assets",
    "interest_coverage",
    "altman_z_prime",
)
"""Charted and compared with peers: each has an economic direction, so "better" means something."""

RatioKind = Literal["percent", "times", "days", "number"]
_DAYS = frozenset({"receivables_days", "inventory_days"})
_TIMES = frozenset(
    {
        "current_ratio",
        "quick_ratio",
        "cash_ratio",
        "equity_to_liabilities",
        "asset_turnover",
        "interest_coverage",
    }
)

FLAT_WITHIN = Decimal("0.02")

Movement = Literal["up", "down", "flat"]
Verdict = Literal["better", "worse", "neutral"]


def ratio_kind(name: str) -> RatioKind:
    if name in _DAYS:
        return "days"
    if name in _TIMES:
        return "times"
    if name == "altman_z_prime":
        return "number"
    return "percent"


def format_ratio(name: str, value: Decimal | None, lang: Lang) -> str:
    if value is None:
        return text("missing", lang)
    kind = ratio_kind(name)
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "times":
        return f"{value:.2f}×"
    if kind == "days":
        return f"{value:.0f} {text('days_unit', lang)}"
    return f"{value:.2f}"


@dataclass(frozen=True)
class Trend:
    movement: Movement
    verdict: Verdict

    def words(self, lang: Lang) -> str:
        moved = text(f"trend_{self.movement}", lang)
        if self.movement == "flat":
            return moved
        judged = text(f"trend_{self.verdict}", lang)
        return f"{moved}, {judged}" if lang == "en" else f"{moved}，{judged}"


def movement(previous: Decimal, latest: Decimal, *, flat_within: Decimal = FLAT_WITHIN) -> Movement:
    change = latest - previous
    if abs(change) <= flat_within * abs(previous):
        return "flat"
    return "up" if change > 0 else "down"


def ratio_trend(
    name: str,
    previous: Decimal | None,
    latest: Decimal | None,
    *,
    directions: Mapping[str, int] = RATIO_DIRECTIONS,
) -> Trend | None:
    """The change from `previous` to `latest`, or None when either is missing."""
    if previous is None or latest is None:
        return None
    moved = movement(previous, latest)
    direction = directions.get(name, 0)
    if moved == "flat" or direction == 0:
        return Trend(moved, "neutral")
    higher_is_better = direction < 0
    better = (moved == "up") == higher_is_better
    return Trend(moved, "better" if better else "worse")
