"""The first-slice PD: a transparent logistic points formula over a few ratios and behaviour.

This is NOT the trained model. Ledger scoring uses the default LightGBM model trained on the Polish
data (default.py) blended with behaviour and country/sector risk (blend.py); this formula stays the
transparent alternative (model="points"), stored under its own `MODEL_VERSION`. Its behaviour
factors are also the blend's behaviour term.

    log-odds = logit(prior PD) + sum over factors of weight x (clip(value, low, high) - neutral)
    PD       = 1 / (1 + exp(-log-odds)), then kept within [PD_FLOOR, PD_CAP], 6 decimals

Every factor has an economic sign (`direction`, as in ratios.RATIO_DIRECTIONS: +1 a higher value
raises the PD) and the weight carries that sign. A missing value (no statement, a ratio with a zero
denominator, a buyer who never paid an invoice) sits at its `neutral` value, a sector-neutral prior,
so it adds nothing: missing is never read as 0. Clipping keeps one extreme ratio from deciding
alone. The arithmetic is Decimal, so the same inputs give the same PD text on every machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import numpy as np

from tradecredit.scoring.default import DEFAULT_ATTRS
from tradecredit.scoring.overlays import Reason

MODEL_VERSION = "points-v1"
PRIOR_PD = Decimal("0.015")
"""PD of a buyer about whom nothing is known: the middle of grade 5."""
PD_FLOOR = Decimal("0.0003")
"""Basel's 0.03% floor for corporate PDs: no buyer is scored safer than that."""
PD_CAP = Decimal("0.9999")
PD_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Factor:
    name: str
    direction: int
    weight: Decimal
    neutral: Decimal
    low: Decimal
    high: Decimal
    why: str


def _factor(name: str, weight: str, neutral: str, low: str, high: str, why: str) -> Factor:
    w = Decimal(weight)
    return Factor(name, 1 if w > 0 else -1, w, Decimal(neutral), Decimal(low), Decimal(high), why)


FACTORS: tuple[Factor, ...] = (
    _factor("liabilities_to_assets", "3.0", "0.60", "0", "1.5", "more debt per asset, higher PD"),
    _factor("current_ratio", "-0.8", "1.3", "0", "4", "more liquidity, lower PD"),
    _factor("net_income_to_assets", "-8", "0.03", "-0.5", "0.5", "more profitable, lower PD"),
    _factor("interest_coverage", "-0.15", "4", "-10", "20", "interest better covered, lower PD"),
    _factor("dbt_average", "0.04", "5", "0", "120", "pays later than terms, higher PD"),
    _factor("dbt_trend", "0.02", "0", "-60", "60", "paying later than before, higher PD"),
    _factor("overdue_30_share", "2.5", "0.05", "0", "1", "more of the balance overdue, higher PD"),
)
"""Weights per unit of each input (a ratio, days, a share), chosen by hand from their economic sign
and plausible ranges: liabilities at 90% of assets instead of 60% add 0.9 to the log-odds (about
2.5 times the odds); 30 days beyond terms on average instead of 5 add 1.0."""

POINTS_FACTOR_NAMES: tuple[str, ...] = tuple(factor.name for factor in FACTORS)
FACTOR_NAMES: tuple[str, ...] = (
    *POINTS_FACTOR_NAMES,
    *(name for name in DEFAULT_ATTRS.values() if name not in POINTS_FACTOR_NAMES),
)
"""Every input a ledger score reads: the points factors, then the default model's other ratios."""


@dataclass(frozen=True)
class Points:
    pd: Decimal
    contributions: dict[str, Decimal]
    """Log-odds added by each factor; 0 for a missing value."""


def _logit(p: Decimal) -> Decimal:
    return (p / (1 - p)).ln()


def _contribution(factor: Factor, value: Decimal | None) -> Decimal:
    if value is None:
        return Decimal(0)
    kept = min(max(value, factor.low), factor.high)
    return factor.weight * (kept - factor.neutral)


def factor_contributions(values: Mapping[str, Decimal | None]) -> dict[str, Decimal]:
    """Log-odds added by each factor (0 for a missing value), exactly."""
    with localcontext() as context:
        context.prec = 28
        return {f.name: _contribution(f, values.get(f.name)) for f in FACTORS}


def points_pd(values: Mapping[str, Decimal | None]) -> Points:
    """The PD of one buyer from its factor values (absent names count as missing). This is the
    exact reference: `points_log_odds` computes the same in floats for a whole column, and batch
    scoring falls back to this where the float result lies too close to a rounding tie."""
    contributions = factor_contributions(values)
    with localcontext() as context:
        context.prec = 28
        log_odds = _logit(PRIOR_PD) + sum(contributions.values(), Decimal(0))
        pd = 1 / (1 + (-log_odds).exp())
        pd = min(max(pd, PD_FLOOR), PD_CAP).quantize(PD_PLACES, rounding=ROUND_HALF_EVEN)
    return Points(pd, contributions)


def factor_log_odds(factor: Factor, values: np.ndarray) -> np.ndarray:
    """One factor's log-odds over a Float64 column; NaN (missing) adds 0."""
    kept = np.clip(values, float(factor.low), float(factor.high))
    part = float(factor.weight) * (kept - float(factor.neutral))
    return np.where(np.isnan(values), 0.0, part)


def points_log_odds(columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """`points_pd`'s log-odds (before the floor, the cap and rounding) for whole columns of factor
    values (Float64, NaN = missing), in floats."""
    parts = [factor_log_odds(factor, columns[factor.name]) for factor in FACTORS]
    prior = float(_logit(PRIOR_PD))
    return np.asarray(prior + np.sum(parts, axis=0), dtype=np.float64)


def as_decimal(value: float | int | Decimal | None) -> Decimal | None:
    """A feature value as a Decimal: a float goes through its shortest repr; NaN is missing."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    return number if number.is_finite() else None


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal(1))}%"


def _times(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1")))


def _days(value: Decimal) -> str:
    return str(value.quantize(Decimal(1)))


_PHRASES: dict[str, tuple[str, str, Callable[[Decimal], str]]] = {
    "liabilities_to_assets": (
        "leverage: total liabilities are {v} of assets",
        "杠杆：总负债占资产的 {v}",
        _percent,
    ),
    "current_ratio": (
        "liquidity: current assets cover current liabilities {v} times",
        "流动性：流动资产为流动负债的 {v} 倍",
        _times,
    ),
    "net_income_to_assets": (
        "profitability: net income is {v} of assets",
        "盈利能力：净利润占资产的 {v}",
        _percent,
    ),
    "interest_coverage": (
        "interest cover: EBIT covers interest expense {v} times",
        "利息保障：息税前利润为利息支出的 {v} 倍",
        _times,
    ),
    "working_capital_to_assets": (
        "working capital: current assets less current liabilities are {v} of assets",
        "营运资本：流动资产减流动负债占资产的 {v}",
        _percent,
    ),
    "retained_earnings_to_assets": (
        "retained earnings are {v} of assets",
        "留存收益占资产的 {v}",
        _percent,
    ),
    "ebit_to_assets": (
        "operating return: EBIT is {v} of assets",
        "经营回报：息税前利润占资产的 {v}",
        _percent,
    ),
    "equity_to_liabilities": (
        "capital cushion: equity is {v} of total liabilities",
        "资本缓冲：所有者权益为总负债的 {v}",
        _percent,
    ),
    "asset_turnover": (
        "activity: revenue is {v} times assets",
        "营运效率：营业收入为资产的 {v} 倍",
        _times,
    ),
    "equity_to_assets": ("equity is {v} of assets", "所有者权益占资产的 {v}", _percent),
    "inventory_days": (
        "inventory: {v} days of revenue held in stock",
        "存货：存货相当于 {v} 天的营业收入",
        _days,
    ),
    "net_margin": (
        "net margin: net income is {v} of revenue",
        "净利率：净利润占营业收入的 {v}",
        _percent,
    ),
    "cash_flow_to_liabilities": (
        "cash flow: operating cash flow is {v} of total liabilities",
        "现金流：经营现金流为总负债的 {v}",
        _percent,
    ),
    "cash_ratio": (
        "cash: cash covers current liabilities {v} times",
        "现金：现金为流动负债的 {v} 倍",
        _times,
    ),
    "ebit_margin": (
        "operating margin: EBIT is {v} of revenue",
        "经营利润率：息税前利润占营业收入的 {v}",
        _percent,
    ),
    "receivables_days": (
        "receivables: customers take {v} days of revenue to pay",
        "应收账款：相当于 {v} 天的营业收入",
        _days,
    ),
    "quick_ratio": (
        "quick liquidity: current assets less inventory cover current liabilities {v} times",
        "速动比率：流动资产减存货为流动负债的 {v} 倍",
        _times,
    ),
    "current_liabilities_to_assets": (
        "short-term debt: current liabilities are {v} of assets",
        "短期负债：流动负债占资产的 {v}",
        _percent,
    ),
    "dbt_average": (
        "payment behaviour: pays {v} days beyond terms on average",
        "付款行为：平均超出账期 {v} 天付款",
        _days,
    ),
    "dbt_trend": (
        "payment trend: recent payments are {v} days later than earlier ones",
        "付款趋势：近期付款比以往晚 {v} 天",
        _days,
    ),
    "overdue_30_share": (
        "overdue: {v} of the open balance is more than 30 days past due",
        "逾期：{v} 的未清余额逾期超过 30 天",
        _percent,
    ),
}


def factor_reason(name: str, value: Decimal, median: Decimal | None) -> Reason:
    """ "leverage: total liabilities are 93% of assets (sector median 58%)", in English and Chinese."""
    english, chinese, shown = _PHRASES[name]
    text_en, text_zh = english.format(v=shown(value)), chinese.format(v=shown(value))
    if median is not None:
        text_en += f" (sector median {shown(median)})"
        text_zh += f"（行业中位数 {shown(median)}）"
    return Reason(f"factor_{name}", text_en, text_zh)


def top_reasons(
    points: Points,
    values: Mapping[str, Decimal | None],
    medians: Mapping[str, Decimal | None],
    *,
    top_k: int = 3,
) -> list[Reason]:
    """The factors that push the PD up most (positive log-odds only), largest first."""
    return reasons_from_contributions(points.contributions, values, medians, top_k=top_k)


def reasons_from_contributions(
    contributions: Mapping[str, Decimal],
    values: Mapping[str, Decimal | None],
    medians: Mapping[str, Decimal | None],
    *,
    top_k: int = 3,
) -> list[Reason]:
    pushing = sorted(
        ((share, name) for name, share in contributions.items() if share > 0),
        key=lambda item: (-item[0], FACTOR_NAMES.index(item[1])),
    )
    reasons = []
    for _, name in pushing[:top_k]:
        value = values.get(name)
        if value is not None:
            reasons.append(factor_reason(name, value, medians.get(name)))
    return reasons
