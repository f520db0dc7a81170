"""What ledger scoring reads, per buyer: factor values, status, events. Core selects, every one
filtered on the actor's organisation; the computations (`compute_ratios`, `payment_behaviour`)
are the pure library functions."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import Executable, Label, String, cast, select
from sqlalchemy.orm import Session

from tradecredit.companies.models import STATEMENT_LINES, Company, CompanyEvent, FinancialStatement
from tradecredit.context import Actor
from tradecredit.kit.countries import sector_section
from tradecredit.receivables.models import Allocation, CreditNote, Invoice
from tradecredit.scoring.batch import INPUT_SCHEMA
from tradecredit.scoring.behaviour import payment_behaviour
from tradecredit.scoring.blend import NO_RISK, RiskLevels
from tradecredit.scoring.default import as_float
from tradecredit.scoring.overlays import (
    DEFAULT_OVERLAYS,
    EVENT_SCHEMA,
    FACT_SCHEMA,
    EventFact,
    overlay_facts,
)
from tradecredit.scoring.points import FACTOR_NAMES, as_decimal
from tradecredit.scoring.ratios import compute_ratios


@dataclass(frozen=True)
class BuyerInputs:
    company_id: uuid.UUID
    name: str
    section: str | None
    status: str
    values: dict[str, Decimal | None]
    events: tuple[EventFact, ...] = field(default=())
    founded: date | None = None


def _frame(session: Session, query: Executable, schema: dict[str, Any]) -> pl.DataFrame:
    """Rows as a frame, read through the session's connection (plain columns need no ORM
    layer); ids become their text form (Polars has no UUID type)."""
    rows = [
        tuple(str(v) if isinstance(v, uuid.UUID) else v for v in row)
        for row in session.connection().execute(query).all()
    ]
    return pl.DataFrame(rows, schema=schema, orient="row")


def id_text(column: Any) -> Label[str]:
    """An id column as the database's own text for it (32 hex digits on SQLite, the dashed form
    on PostgreSQL): frames join on ids without building a Python UUID per row. Every id of one
    load is read this way, so they match each other."""
    return cast(column, String).label(f"{column.key}_text")


def latest_ratios(session: Session, *, actor: Actor, as_of: date) -> pl.DataFrame:
    """Ratios of each buyer's latest statement with period end on or before `as_of`."""
    lines = [getattr(FinancialStatement, line) for line in STATEMENT_LINES]
    query = select(
        id_text(FinancialStatement.company_id), FinancialStatement.period_end, *lines
    ).where(FinancialStatement.org_id == actor.org_id, FinancialStatement.period_end <= as_of)
    schema = {"company_id": pl.String, "period_end": pl.Date} | dict.fromkeys(
        STATEMENT_LINES, pl.Int64
    )
    statements = _frame(session, query, schema)
    latest = statements.sort("period_end").group_by("company_id").last()
    return compute_ratios(latest, keep=["company_id"])


def ledger_behaviour(session: Session, *, actor: Actor, as_of: date) -> pl.DataFrame:
    org = actor.org_id
    invoices = _frame(
        session,
        select(
            id_text(Invoice.id), id_text(Invoice.company_id), Invoice.amount_minor, Invoice.due_date
        ).where(Invoice.org_id == org, Invoice.issue_date <= as_of),
        {"invoice_id": pl.String, "company_id": pl.String, "amount_minor": pl.Int64}
        | {"due_date": pl.Date},
    )
    settled = {"invoice_id": pl.String, "amount_minor": pl.Int64}
    allocations = _frame(
        session,
        select(
            id_text(Allocation.invoice_id), Allocation.amount_minor, Allocation.applied_on
        ).where(Allocation.org_id == org, Allocation.applied_on <= as_of),
        settled | {"applied_on": pl.Date},
    )
    credit_notes = _frame(
        session,
        select(
            id_text(CreditNote.invoice_id), CreditNote.amount_minor, CreditNote.issue_date
        ).where(CreditNote.org_id == org, CreditNote.issue_date <= as_of),
        settled | {"issue_date": pl.Date},
    )
    return payment_behaviour(
        invoices=invoices,
        allocations=allocations,
        credit_notes=credit_notes,
        as_of=as_of,
    )


def _events(session: Session, actor: Actor, as_of: date) -> dict[uuid.UUID, list[EventFact]]:
    query = select(
        CompanyEvent.company_id, CompanyEvent.kind, CompanyEvent.event_date, CompanyEvent.severity
    ).where(CompanyEvent.org_id == actor.org_id, CompanyEvent.event_date <= as_of)
    events: dict[uuid.UUID, list[EventFact]] = {}
    for company_id, kind, event_date, severity in session.execute(query):
        events.setdefault(company_id, []).append(EventFact(kind, event_date, severity))
    return events


def _values_by_company(frames: Sequence[pl.DataFrame]) -> dict[str, dict[str, Decimal | None]]:
    values: dict[str, dict[str, Decimal | None]] = {}
    for frame in frames:
        names = [name for name in FACTOR_NAMES if name in frame.columns]
        for row in frame.select("company_id", *names).iter_rows(named=True):
            values.setdefault(row["company_id"], {}).update(
                {name: as_decimal(row[name]) for name in names}
            )
    return values


def load_buyer_inputs(session: Session, *, actor: Actor, as_of: date) -> list[BuyerInputs]:
    """Every company of the organisation, in id order, with its factor values as of `as_of`
    (a factor it has no figure for is None), its events up to that date and its founding date."""
    ratios = latest_ratios(session, actor=actor, as_of=as_of)
    behaviour = ledger_behaviour(session, actor=actor, as_of=as_of)
    values = _values_by_company([ratios, behaviour])
    events = _events(session, actor, as_of)
    companies = session.execute(
        select(
            Company.id,
            id_text(Company.id),
            Company.name,
            Company.sector,
            Company.status,
            Company.founded,
        )
        .where(Company.org_id == actor.org_id)
        .order_by(Company.id)
    )
    return [
        BuyerInputs(
            company_id=company_id,
            name=name,
            section=sector_section(sector) if sector else None,
            status=status,
            values={n: values.get(key, {}).get(n) for n in FACTOR_NAMES},
            events=tuple(events.get(company_id, [])),
            founded=founded,
        )
        for company_id, key, name, sector, status, founded in companies
    ]


def buyers_frame(
    buyers: Sequence[BuyerInputs],
    *,
    as_of: date | None = None,
    risks: Mapping[uuid.UUID, RiskLevels] | None = None,
) -> pl.DataFrame:
    """The buyers as a `INPUT_SCHEMA` frame; with `as_of`, their overlay facts too.
    Ratios are features, not amounts, so they go to the model as floats (float(Decimal) gives
    back the float they were read from)."""
    known = risks or {}
    rows = []
    for buyer in buyers:
        risk = known.get(buyer.company_id, NO_RISK)
        rows.append(
            {
                "company_id": str(buyer.company_id),
                "status": buyer.status,
                "section": buyer.section,
                "country": risk.country,
                "country_level": risk.country_level,
                "sector": risk.sector,
                "sector_level": risk.sector_level,
                "founded": buyer.founded,
                **{name: as_float(buyer.values.get(name)) for name in FACTOR_NAMES},
            }
        )
    schema = {k: v for k, v in INPUT_SCHEMA.items() if k not in FACT_SCHEMA}
    frame = pl.DataFrame(rows, schema=schema)
    if as_of is None:
        return frame
    events = pl.DataFrame(
        [
            (str(buyer.company_id), event.kind, event.event_date, event.severity)
            for buyer in buyers
            for event in buyer.events
        ],
        schema=EVENT_SCHEMA,
        orient="row",
    )
    facts = overlay_facts(events, as_of=as_of, parameters=DEFAULT_OVERLAYS)
    return frame.join(facts, on="company_id", how="left", maintain_order="left")
