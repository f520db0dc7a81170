"""Three fiscal years of statements per buyer, consistent by construction and shaped by risk.

Ratios are drawn (as floats: they are not money) around sector norms, moved by the buyer's
yearly stress and by a lasting buyer-specific style (so that risk explains much, not all), then
fixed as integer basis points. Every line is then derived from total assets
with integer arithmetic, so assets = equity + liabilities holds exactly and the current-asset
components never exceed current assets. Buyers that later fail are stressed more every year.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from tradecredit.companies.models import STATEMENT_LINES
from tradecredit.demo.buyers import DETERIORATING, Buyers, Floats, Ints
from tradecredit.demo.daymath import year_ends_before
from tradecredit.demo.portfolio import with_major_text
from tradecredit.demo.reference import SECTORS, SectorProfile, anchor_rate
from tradecredit.kit.currencies import exponent

BP = 10_000
TAX_PERCENT = 25
FILING_LAG_DAYS = 120
"""A failing buyer's last statement is the last fiscal year closed this long before it fails."""

_SECTOR = {s.code: s for s in SECTORS}
LINES = STATEMENT_LINES


def statements_frame(
    rng: np.random.Generator, buyers: Buyers, *, end: date, years: int
) -> pl.DataFrame:
    stress = _stress(rng, buyers, years)
    n = buyers.n
    sector = [_SECTOR[code] for code in buyers.sectors]
    turnover = np.array([s.asset_turnover for s in sector]) * np.exp(rng.normal(0.0, 0.2, n))
    growth = np.where(
        buyers.defaulted | (buyers.profile == DETERIORATING),
        rng.normal(-0.06, 0.05, n),
        rng.normal(0.04, 0.05, n),
    )
    style = rng.normal(0.0, 1.0, (n, 4)) * np.array([0.13, 0.45, 0.035, 0.01])
    rows: list[pl.DataFrame] = []
    for k in range(years):
        age = years - 1 - k
        s = stress[:, k]
        revenue_eur = buyers.revenue_eur * np.exp(-growth * age)
        assets_eur = revenue_eur / np.clip(turnover - 0.06 * s, 0.4, 4.0)
        rows.append(
            _year_frame(
                rng,
                buyers,
                sector,
                k=k,
                stress=s,
                style=style,
                assets_eur=assets_eur,
                turnover=turnover,
            )
        )
    frame = pl.concat(rows)
    frame = frame.with_columns(
        pl.Series("period_end", _period_ends(buyers, end=end, years=years), dtype=pl.Date)
    )
    frame = frame.sort("buyer", "k")
    text = with_major_text(frame, {line: line for line in LINES})
    return text.select("registration_number", "country", "period_end", "currency", *LINES)


def _stress(rng: np.random.Generator, buyers: Buyers, years: int) -> Floats:
    """Yearly stress per buyer (oldest year first): latent risk, noise, and a trend if failing."""
    k = np.arange(years)[None, :]
    trend = np.where(
        buyers.defaulted,
        0.55,
        np.where(buyers.profile == DETERIORATING, 0.35, rng.normal(0.0, 0.1, buyers.n)),
    )[:, None]
    level = np.where(buyers.defaulted, 0.3, 0.0)[:, None]
    noise = rng.normal(0.0, 0.3, (buyers.n, years))
    return buyers.risk[:, None] + level + trend * k + noise


def _bp(values: Floats, low: float, high: float) -> Ints:
    return np.rint(np.clip(values, low, high) * BP).astype(np.int64)


def _year_frame(
    rng: np.random.Generator,
    buyers: Buyers,
    sector: list[SectorProfile],
    *,
    k: int,
    stress: Floats,
    style: Floats,
    assets_eur: Floats,
    turnover: Floats,
) -> pl.DataFrame:
    n = buyers.n
    normal = rng.normal
    rates = np.array([anchor_rate(c) for c in buyers.local_currencies])
    scales = np.array([10 ** exponent(c) for c in buyers.local_currencies], dtype=np.float64)
    total_assets = np.rint(assets_eur * rates * scales).astype(np.int64)
    margin = np.array([s.ebit_margin for s in sector])
    inventory_norm = np.array([s.inventory_share for s in sector])
    receivable_norm = np.array([s.receivables_share for s in sector])
    turnover_bp = _bp(turnover - 0.06 * stress, 0.4, 4.0)
    equity_bp = _bp(0.42 - 0.11 * stress + style[:, 0] + normal(0.0, 0.06, n), -0.25, 0.85)
    current_share_bp = _bp(0.55 + 0.05 * stress + normal(0.0, 0.08, n), 0.3, 0.95)
    current_ratio_bp = _bp(1.55 - 0.28 * stress + style[:, 1] + normal(0.0, 0.25, n), 0.35, 4.0)
    margin_bp = _bp(margin - 0.03 * stress + style[:, 2] + normal(0.0, 0.02, n), -0.25, 0.3)
    interest_bp = _bp(
        (0.035 + 0.012 * stress + style[:, 3] + normal(0.0, 0.006, n)) * rng.uniform(0.5, 0.8, n),
        0.004,
        0.12,
    )
    cash_share = np.clip(0.15 - 0.04 * stress + normal(0.0, 0.05, n), 0.01, 0.5)
    stock_share = np.clip(inventory_norm * np.exp(normal(0.0, 0.2, n)), 0.0, 0.8)
    debtor_share = np.clip(
        receivable_norm * np.exp(normal(0.0, 0.15, n)) + 0.02 * stress, 0.02, 0.8
    )
    squeeze = np.maximum(1.0, (cash_share + stock_share + debtor_share) / 0.97)
    capital_bp = _bp(0.12 * np.exp(normal(0.0, 0.5, n)), 0.01, 0.4)
    depreciation_bp = _bp(rng.uniform(0.025, 0.05, n), 0.0, 0.1)
    working_capital_bp = _bp(normal(0.0, 0.02, n) - 0.01 * stress, -0.2, 0.2)

    revenue = total_assets * turnover_bp // BP
    equity = total_assets * equity_bp // BP
    total_liabilities = total_assets - equity
    current_liabilities = total_liabilities * current_share_bp // BP
    current_assets = np.minimum(current_liabilities * current_ratio_bp // BP, total_assets)
    cash = current_assets * _bp(cash_share / squeeze, 0.0, 1.0) // BP
    inventory = current_assets * _bp(stock_share / squeeze, 0.0, 1.0) // BP
    receivables = current_assets * _bp(debtor_share / squeeze, 0.0, 1.0) // BP
    ebit = revenue * margin_bp // BP
    interest = total_liabilities * interest_bp // BP
    pre_tax = ebit - interest
    net_income = pre_tax - np.maximum(pre_tax, 0) * TAX_PERCENT // 100
    retained = equity - total_assets * capital_bp // BP
    cash_flow = (
        net_income + total_assets * depreciation_bp // BP + revenue * working_capital_bp // BP
    )
    return pl.DataFrame(
        {
            "buyer": np.arange(n),
            "k": np.full(n, k),
            "registration_number": buyers.registration_numbers,
            "country": buyers.countries,
            "currency": buyers.local_currencies,
            "revenue": revenue,
            "ebit": ebit,
            "net_income": net_income,
            "interest_expense": interest,
            "total_assets": total_assets,
            "current_assets": current_assets,
            "cash": cash,
            "inventory": inventory,
            "receivables": receivables,
            "current_liabilities": current_liabilities,
            "total_liabilities": total_liabilities,
            "equity": equity,
            "retained_earnings": retained,
            "operating_cash_flow": cash_flow,
        }
    )


def _period_ends(buyers: Buyers, *, end: date, years: int) -> list[date]:
    """Rows in year-major order (all buyers' oldest year first), matching the concatenation."""
    per_buyer = []
    for i in range(buyers.n):
        cutoff = end
        if buyers.defaulted[i]:
            cutoff = date.fromordinal(int(buyers.default_day[i]) - FILING_LAG_DAYS)
        per_buyer.append(year_ends_before(cutoff, years))
    return [per_buyer[i][k] for k in range(years) for i in range(buyers.n)]
