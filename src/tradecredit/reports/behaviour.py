"""One buyer's payment behaviour for the report: now, and quarter by quarter.

The figures are `scoring.behaviour.payment_behaviour`, the same pure function ledger scoring uses,
run on this buyer's ledger only (Core selects filtered on the organisation and the company). Per
quarter it runs as of the quarter end with `recent_months=3`: its "recent" days beyond terms are
then those of the invoices paid within that quarter.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Executable, select
from sqlalchemy.orm import Session

from tradecredit.context import Actor
from tradecredit.receivables.models import Allocation, CreditNote, Invoice
from tradecredit.reports.schemas import Behaviour, Quarter
from tradecredit.scoring.behaviour import BehaviourParameters, payment_behaviour
from tradecredit.scoring.points import as_decimal

QUARTERS = 8
QUARTER_MONTHS = BehaviourParameters(recent_months=3)


@dataclass(frozen=True)
class Ledger:
    invoices: pl.DataFrame
    allocations: pl.DataFrame
    credit_notes: pl.DataFrame


def _frame(session: Session, query: Executable, schema: dict[str, Any]) -> pl.DataFrame:
    rows = [
        tuple(str(v) if isinstance(v, uuid.UUID) else v for v in row)
        for row in session.execute(query).all()
    ]
    return pl.DataFrame(rows, schema=schema, orient="row")


def company_ledger(session: Session, *, actor: Actor, company_id: uuid.UUID, as_of: date) -> Ledger:
    """The buyer's invoices issued, and their settlements dated, on or before `as_of`."""
    own = (Invoice.org_id == actor.org_id) & (Invoice.company_id == company_id)
    invoice_ids = select(Invoice.id).where(own)
    settled = {"invoice_id": pl.String, "amount_minor": pl.Int64}
    invoices = _frame(
        session,
        select(
            Invoice.id,
            Invoice.company_id,
            Invoice.amount_minor,
            Invoice.due_date,
            Invoice.issue_date,
        ).where(own, Invoice.issue_date <= as_of),
        {"invoice_id": pl.String, "company_id": pl.String, "amount_minor": pl.Int64}
        | {"due_date": pl.Date, "issue_date": pl.Date},
    )
    allocations = _frame(
        session,
        select(Allocation.invoice_id, Allocation.amount_minor, Allocation.applied_on).where(
            Allocation.org_id == actor.org_id,
            Allocation.invoice_id.in_(invoice_ids),
            Allocation.applied_on <= as_of,
        ),
        settled | {"applied_on": pl.Date},
    )
    credit_notes = _frame(
        session,
        select(CreditNote.invoice_id, CreditNote.amount_minor, CreditNote.issue_date).where(
            CreditNote.org_id == actor.org_id,
            CreditNote.company_id == company_id,
            CreditNote.issue_date <= as_of,
        ),
        settled | {"issue_date": pl.Date},
    )
    return Ledger(invoices, allocations, credit_notes)


def quarter_ends(as_of: date, count: int = QUARTERS) -> list[date]:
    """The last `count` calendar quarter ends on or before `as_of`, oldest first."""
    year, quarter = as_of.year, (as_of.month - 1) // 3 + 1
    ends: list[date] = []
    while len(ends) < count:
        end = _quarter_end(year, quarter)
        if end <= as_of:
            ends.append(end)
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return ends[::-1]


def _quarter_end(year: int, quarter: int) -> date:
    return {1: date(year, 3, 31), 2: date(year, 6, 30), 3: date(year, 9, 30)}.get(
        quarter, date(year, 12, 31)
    )


def _figures(
    ledger: Ledger, as_of: date, parameters: BehaviourParameters | None = None
) -> dict[str, object]:
    invoices = ledger.invoices.filter(pl.col("issue_date") <= as_of).drop("issue_date")
    frame = payment_behaviour(
        invoices=invoices,
        allocations=ledger.allocations,
        credit_notes=ledger.credit_notes,
        as_of=as_of,
        parameters=parameters or BehaviourParameters(),
    )
    return frame.row(0, named=True) if frame.height else {}


def buyer_behaviour(ledger: Ledger, *, as_of: date, quarters: int = QUARTERS) -> Behaviour:
    now = _figures(ledger, as_of)
    by_quarter = []
    for end in quarter_ends(as_of, quarters):
        row = _figures(ledger, end, QUARTER_MONTHS)
        by_quarter.append(
            Quarter(
                quarter_end=end,
                dbt=as_decimal(_float(row, "dbt_recent")),
                overdue_30_share=as_decimal(_float(row, "overdue_30_share")),
            )
        )
    paid = now.get("paid_invoices")
    return Behaviour(
        paid_invoices=paid if isinstance(paid, int) else 0,
        dbt_average=as_decimal(_float(now, "dbt_average")),
        dbt_recent=as_decimal(_float(now, "dbt_recent")),
        dbt_earlier=as_decimal(_float(now, "dbt_earlier")),
        dbt_trend=as_decimal(_float(now, "dbt_trend")),
        overdue_30_share=as_decimal(_float(now, "overdue_30_share")),
        quarters=tuple(by_quarter),
        has_ledger=ledger.invoices.height > 0,
    )


def _float(row: dict[str, object], name: str) -> float | None:
    value = row.get(name)
    return float(value) if isinstance(value, float | int) else None
