"""Shared pieces of the import tests: a known database state, row counts, running an import."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from tradecredit.audit.models import AuditEvent
from tradecredit.companies.models import Company, FinancialStatement
from tradecredit.companies.schemas import CompanyCreate
from tradecredit.companies.service import create_company
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.fx.models import FxRate
from tradecredit.imports.schemas import ImportResult
from tradecredit.imports.service import import_file
from tradecredit.receivables.models import (
    Allocation,
    CreditNote,
    CustomerAccount,
    Invoice,
    Payment,
)
from tradecredit.receivables.schemas import InvoiceCreate
from tradecredit.receivables.service import create_invoice

CORPUS = Path(__file__).parent / "corpus"
COUNTED = (
    Company,
    FinancialStatement,
    CustomerAccount,
    Invoice,
    Payment,
    Allocation,
    CreditNote,
    FxRate,
    AuditEvent,
)


def counts(engine: Engine, actor: Actor) -> dict[str, int]:
    """Rows of the organisation in every table an import can touch, audit events included."""
    with unit_of_work(engine) as session:
        return {
            model.__tablename__: session.scalar(
                select(func.count()).select_from(model).where(model.org_id == actor.org_id)
            )
            or 0
            for model in COUNTED
        }


def run_import(engine: Engine, actor: Actor, kind: str, path: Path, **options: Any) -> ImportResult:
    with unit_of_work(engine) as session:
        return import_file(session, actor=actor, kind=kind, path=path, **options)


def write_csv(
    path: Path, rows: list[list[str]], *, delimiter: str = ",", bom: bool = False
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def add_company(
    engine: Engine, actor: Actor, number: str, country: str = "DE", **extra: Any
) -> None:
    with unit_of_work(engine) as session:
        data = {"name": f"Company {number}", "sector": "C25"} | extra
        create_company(
            session,
            actor=actor,
            data=CompanyCreate(registration_number=number, country=country, **data),
        )


def add_invoice(
    engine: Engine,
    actor: Actor,
    number: str,
    buyer: str,
    amount: str,
    *,
    currency: str = "EUR",
    issued: date = date(2026, 1, 10),
    due: date = date(2026, 2, 9),
) -> None:
    with unit_of_work(engine) as session:
        create_invoice(
            session,
            actor=actor,
            data=InvoiceCreate(
                invoice_number=number,
                buyer_registration_number=buyer,
                buyer_country="DE",
                currency=currency,
                amount=Decimal(amount),
                issue_date=issued,
                due_date=due,
            ),
        )


def seed_baseline(engine: Engine, actor: Actor) -> None:
    """The state every corpus file is checked against."""
    add_company(engine, actor, "HRB1", name="Buyer One")
    add_company(engine, actor, "HRB2", name="Buyer Two", sector="G46.7")
    add_invoice(engine, actor, "INV-DB-1", "HRB1", "100.00")
    add_invoice(engine, actor, "INV-DB-2", "HRB2", "50.00", currency="USD")
    with unit_of_work(engine) as session:
        session.add(
            FxRate(
                org_id=actor.org_id,
                rate_date=date(2026, 1, 2),
                base_currency="EUR",
                quote_currency="USD",
                rate=Decimal("1.10"),
            )
        )
