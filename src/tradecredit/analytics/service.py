"""The ageing report: load the ledger snapshot and the rate table, age it, shape the answer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from tradecredit.analytics.ageing import AgeingResult, age_ledger, validate_grouping
from tradecredit.analytics.schemas import (
    BUCKETS,
    AgeingGrouping,
    AgeingReport,
    AgeingRow,
    DsoFigures,
    FxRateUsed,
)
from tradecredit.analytics.snapshot import load_snapshot
from tradecredit.context import Actor
from tradecredit.fx.rates import Conversion
from tradecredit.fx.service import rate_table
from tradecredit.kit.currencies import validate_currency
from tradecredit.kit.errors import InvalidInput, NotFound
from tradecredit.kit.money import from_minor
from tradecredit.organisations.models import Organisation
from tradecredit.organisations.roles import Permission


def report_currency(session: Session, *, actor: Actor, currency: str | None) -> str:
    """The currency asked for, or else the organisation's base currency."""
    if currency is not None:
        return validate_currency(currency.strip().upper())
    org = session.get(Organisation, actor.org_id)
    if org is None:
        raise NotFound(f"no organisation {actor.org_id}")
    return org.base_currency


def ageing_report(
    session: Session,
    *,
    actor: Actor,
    as_of: date,
    by: AgeingGrouping | str = "total",
    currency: str | None = None,
    dso_period_days: int = 90,
    top: int | None = None,
) -> AgeingReport:
    """The ledger's ageing by `by`, in `currency` (default: the organisation's), as of `as_of`.

    `top` limits the rows returned (largest totals first); the totals always cover every row.
    """
    if top is not None and top < 1:
        raise InvalidInput(f"top must be at least 1, got {top}", details={"field": "top"})
    reports = ageing_reports(
        session,
        actor=actor,
        as_of=as_of,
        groupings=[by],
        currency=currency,
        dso_period_days=dso_period_days,
        top=top,
    )
    return reports[by]


def ageing_reports(
    session: Session,
    *,
    actor: Actor,
    as_of: date,
    groupings: Sequence[AgeingGrouping | str],
    currency: str | None = None,
    dso_period_days: int = 90,
    top: int | None = None,
) -> dict[str, AgeingReport]:
    """Several groupings of the same ledger snapshot, loaded once."""
    actor.require(Permission.READ)
    for by in groupings:
        validate_grouping(by)
    target = report_currency(session, actor=actor, currency=currency)
    snapshot = load_snapshot(session, actor=actor, as_of=as_of)
    rates = rate_table(session, actor=actor, as_of=as_of)
    return {
        by: to_report(
            age_ledger(
                snapshot,
                as_of=as_of,
                by=by,
                currency=target,
                rates=rates,
                dso_period_days=dso_period_days,
            ),
            top=top,
        )
        for by in groupings
    }


def _row(values: dict[str, Any], currency: str) -> AgeingRow:
    share = values["share_over_120_e4"]
    amounts = {name: from_minor(int(values[name]), currency) for name in (*BUCKETS, "total")}
    return AgeingRow(
        key=str(values["key"]),
        label=str(values["label"]),
        **amounts,
        share_over_120=None if share is None else Decimal(int(share)).scaleb(-4),
        open_invoices=int(values["open_invoices"]),
    )


def rates_used(conversions: Iterable[Conversion]) -> list[FxRateUsed]:
    used: dict[tuple[str, str, date], FxRateUsed] = {}
    for conversion in conversions:
        for rate in conversion.rates:
            used[(rate.base_currency, rate.quote_currency, rate.rate_date)] = FxRateUsed(
                base_currency=rate.base_currency,
                quote_currency=rate.quote_currency,
                rate=rate.rate,
                rate_date=rate.rate_date,
            )
    return list(used.values())


def fx_note(currency: str, conversions: Iterable[Conversion]) -> str:
    """E.g. "converted to EUR at rates of 2026-09-30 (GBP, USD)", or that nothing was converted."""
    by_date: dict[date, list[str]] = {}
    for conversion in conversions:
        when = conversion.oldest_rate_date
        assert when is not None
        name = conversion.source + (f" via {conversion.via}" if conversion.via else "")
        by_date.setdefault(when, []).append(name)
    if not by_date:
        return f"single currency ({currency}), no conversion"
    parts = [
        f"{when.isoformat()} ({', '.join(names)})"
        for when, names in sorted(by_date.items(), reverse=True)
    ]
    return f"converted to {currency} at rates of {'; '.join(parts)}"


def _dso(result: AgeingResult) -> DsoFigures:
    dso = result.dso
    return DsoFigures(
        countback_days=dso.countback_days,
        standard_days=dso.standard_days,
        standard_period_days=dso.period_days,
        method=dso.method,
        open_balance=from_minor(dso.open_minor, result.currency),
        period_sales=from_minor(dso.period_sales_minor, result.currency),
    )


def to_report(result: AgeingResult, *, top: int | None = None) -> AgeingReport:
    shown = result.rows if top is None else result.rows.head(top)
    totals = {"key": "total", "label": "Total", **result.totals}
    return AgeingReport(
        as_of=result.as_of,
        currency=result.currency,
        by=result.by,
        fx_rates=rates_used(result.conversions),
        rows=[_row(values, result.currency) for values in shown.iter_rows(named=True)],
        totals=_row(totals, result.currency),
        dso=_dso(result),
        fx_note=fx_note(result.currency, result.conversions),
        rows_omitted=result.rows.height - shown.height,
    )
