"""FX rates: reference data keyed by date + base + quote; a corrected rate is an update.

As in `fx.service.add_rate`, one quote per pair and date is kept: a file may not bring
USD/EUR for a day that already has EUR/USD, so a conversion never has two answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from tradecredit.fx.models import FxRate
from tradecredit.fx.schemas import FxRateCreate
from tradecredit.imports.plan import Context, Plan, chunked, new_row, repeated_rows
from tradecredit.imports.problems import Row

PairKey = tuple[date, str, str]


def pair_of(base: str, quote: str, rate_date: date) -> PairKey:
    """The same key for both directions of a pair on one date."""
    low, high = sorted((base, quote))
    return (rate_date, low, high)


PAIR = ("rate_date", "base_currency", "quote_currency")


def _pair(values: Mapping[str, Any]) -> PairKey:
    return pair_of(values["base_currency"], values["quote_currency"], values["rate_date"])


def plan_fx_rates(ctx: Context, rows: Sequence[Row]) -> Plan:
    """Pairs are checked (in the file and against the database) for every row whose date and
    currencies are readable; only rows that passed everything are planned."""
    plan = Plan()
    repeated = repeated_rows(
        ctx,
        rows,
        needs=PAIR,
        key=_pair,
        column="rate_date",
        reason=lambda v, first: (
            f"a {v['base_currency']}/{v['quote_currency']} rate on {v['rate_date']} appears "
            f"more than once in this file, in one direction or the other (first at row {first})"
        ),
    )
    stored = _load(ctx, sorted({r.values["rate_date"] for r in rows if r.has(*PAIR)}))
    for row in rows:
        existing = stored.get(_pair(row.values)) if row.has(*PAIR) else None
        if existing is not None and existing.base_currency != row.values["base_currency"]:
            ctx.problems.at(
                row,
                "base_currency",
                f"this pair is already stored as {existing.base_currency}/"
                f"{existing.quote_currency} for {existing.rate_date} ({existing.rate}); one quote "
                "per pair and date",
            )
        elif row.data is not None and row.number not in repeated:
            _plan_rate(ctx, plan, row.data, existing)
    return plan


def _plan_rate(ctx: Context, plan: Plan, data: FxRateCreate, existing: FxRate | None) -> None:
    if existing is not None:
        plan.change(existing, {"rate": data.rate}, action="fx_rate.updated", entity="fx_rate")
        return
    values = new_row(
        FxRate,
        ctx,
        rate_date=data.rate_date,
        base_currency=data.base_currency,
        quote_currency=data.quote_currency,
        rate=data.rate,
    )
    plan.add(FxRate, values, action="fx_rate.imported", entity="fx_rate")


def _load(ctx: Context, dates: list[date]) -> dict[PairKey, FxRate]:
    found: dict[PairKey, FxRate] = {}
    for chunk in chunked(dates):
        query = select(FxRate).where(FxRate.org_id == ctx.actor.org_id, FxRate.rate_date.in_(chunk))
        found.update(
            (pair_of(r.base_currency, r.quote_currency, r.rate_date), r)
            for r in ctx.session.scalars(query)
        )
    return found
