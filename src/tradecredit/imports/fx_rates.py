"""FX rates: reference data keyed by date + base + quote; a corrected rate is an update.

As in `fx.service.add_rate`, one quote per pair and date is kept: a file may not bring
USD/EUR for a day that already has EUR/USD, so a conversion never has two answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from tradecredit.fx.models import FxRate
from tradecredit.fx.schemas import FxRateCreate
from tradecredit.imports.plan import Context, Plan, chunked, new_row, unique_rows
from tradecredit.imports.problems import ValidRow

PairKey = tuple[date, str, str]


def pair_of(base: str, quote: str, rate_date: date) -> PairKey:
    """The same key for both directions of a pair on one date."""
    low, high = sorted((base, quote))
    return (rate_date, low, high)


def _pair(data: FxRateCreate) -> PairKey:
    return pair_of(data.base_currency, data.quote_currency, data.rate_date)


def plan_fx_rates(ctx: Context, rows: Sequence[ValidRow]) -> Plan:
    plan = Plan()
    rows = unique_rows(
        ctx,
        rows,
        key=_pair,
        column="rate_date",
        reason=lambda d, first: (
            f"a {d.base_currency}/{d.quote_currency} rate on {d.rate_date} appears more than "
            f"once in this file, in one direction or the other (first at row {first})"
        ),
    )
    stored = _load(ctx, sorted({r.data.rate_date for r in rows}))
    for row in rows:
        data: FxRateCreate = row.data
        existing = stored.get(_pair(data))
        if existing is None:
            values = new_row(
                FxRate,
                ctx,
                rate_date=data.rate_date,
                base_currency=data.base_currency,
                quote_currency=data.quote_currency,
                rate=data.rate,
            )
            plan.add(FxRate, values, action="fx_rate.imported", entity="fx_rate")
        elif existing.base_currency != data.base_currency:
            ctx.problems.at(
                row,
                "base_currency",
                f"this pair is already stored as {existing.base_currency}/"
                f"{existing.quote_currency} for {data.rate_date} ({existing.rate}); one quote per "
                "pair and date",
            )
        else:
            plan.change(existing, {"rate": data.rate}, action="fx_rate.updated", entity="fx_rate")
    return plan


def _load(ctx: Context, dates: list[date]) -> dict[PairKey, FxRate]:
    found: dict[PairKey, FxRate] = {}
    for chunk in chunked(dates):
        query = select(FxRate).where(FxRate.org_id == ctx.actor.org_id, FxRate.rate_date.in_(chunk))
        found.update(
            (pair_of(r.base_currency, r.quote_currency, r.rate_date), r)
            for r in ctx.session.scalars(query)
        )
    return found
