"""Payments in a file are allocated by payment date, then file order: named invoice first, then
oldest first, against open amounts that include earlier payments (stored and in the file)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, select

from imports.helpers import add_company, add_invoice, run_import, write_csv
from tradecredit.audit.models import AuditEvent
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.receivables.models import Allocation, Invoice, Payment
from tradecredit.receivables.schemas import CreditNoteCreate, PaymentCreate
from tradecredit.receivables.service import (
    add_credit_note,
    open_amounts,
    record_payment,
    unapplied_credit_minor,
)

HEADER = [
    "payment_reference",
    "payer_registration_number",
    "payer_country",
    "currency",
    "amount",
    "payment_date",
    "invoice_number",
]


def ledger(engine: Engine, actor: Actor) -> None:
    add_company(engine, actor, "HRB1")
    add_company(engine, actor, "HRB2")
    add_invoice(
        engine, actor, "A", "HRB1", "100.00", issued=date(2026, 1, 1), due=date(2026, 1, 31)
    )
    add_invoice(
        engine, actor, "B", "HRB1", "200.00", issued=date(2026, 2, 1), due=date(2026, 2, 28)
    )
    add_invoice(engine, actor, "C", "HRB1", "50.00", issued=date(2026, 3, 1), due=date(2026, 3, 31))
    add_invoice(engine, actor, "D", "HRB1", "70.00", currency="USD", due=date(2026, 1, 15))
    add_invoice(engine, actor, "E", "HRB2", "10.00", due=date(2026, 1, 20))
    add_invoice(engine, actor, "F", "HRB2", "10.00", due=date(2026, 2, 20))
    with unit_of_work(engine) as session:
        record_payment(
            session,
            actor=actor,
            data=PaymentCreate(
                payment_reference="P-0",
                payer_registration_number="HRB1",
                payer_country="DE",
                currency="EUR",
                amount=Decimal("30.00"),
                payment_date=date(2026, 2, 1),
            ),
        )
        add_credit_note(
            session,
            actor=actor,
            data=CreditNoteCreate(
                credit_note_number="CN-B",
                invoice_number="B",
                currency="EUR",
                amount=Decimal("20.00"),
                issue_date=date(2026, 2, 15),
            ),
        )


def allocations_by_payment(engine: Engine, actor: Actor) -> dict[str, list[tuple[str, int]]]:
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(Payment.payment_reference, Invoice.invoice_number, Allocation.amount_minor)
            .join(Allocation, Allocation.payment_id == Payment.id)
            .join(Invoice, Invoice.id == Allocation.invoice_id)
            .where(Payment.org_id == actor.org_id)
            .order_by(Payment.payment_reference, Invoice.due_date)
        ).all()
    found: dict[str, list[tuple[str, int]]] = {}
    for reference, number, minor in rows:
        found.setdefault(reference, []).append((number, minor))
    return found


def test_payments_allocate_across_the_file(engine: Engine, actor: Actor, tmp_path: Path) -> None:
    ledger(engine, actor)
    path = write_csv(
        tmp_path / "payments.csv",
        [
            HEADER,
            ["P-3", "HRB1", "DE", "EUR", "400.00", "2026-03-10", ""],
            ["P-2", "HRB1", "DE", "EUR", "50.00", "2026-03-05", "C"],
            ["P-1", "HRB1", "DE", "EUR", "150.00", "2026-03-01", ""],
            ["P-5", "HRB2", "DE", "EUR", "10.00", "2026-03-20", ""],
            ["P-4", "HRB2", "DE", "EUR", "10.00", "2026-03-20", ""],
        ],
    )
    result = run_import(engine, actor, "payments", path)

    assert (result.created, result.accounts_opened) == (5, 0)
    assert allocations_by_payment(engine, actor) == {
        "P-0": [("A", 3000)],
        "P-1": [("A", 7000), ("B", 8000)],
        "P-2": [("C", 5000)],
        "P-3": [("B", 10000)],
        "P-4": [("F", 1000)],
        "P-5": [("E", 1000)],
    }
    with unit_of_work(engine) as session:
        payment = session.scalars(
            select(Payment).where(
                Payment.org_id == actor.org_id, Payment.payment_reference == "P-3"
            )
        ).one()
        assert payment.payment_date == date(2026, 3, 10)
        assert unapplied_credit_minor(session, actor=actor, account_id=payment.account_id) == {
            "EUR": 30000
        }
        invoices = session.scalars(select(Invoice).where(Invoice.org_id == actor.org_id)).all()
        still_open = {
            i.invoice_number: minor
            for i, minor in zip(invoices, open_amounts(session, invoices).values(), strict=True)
        }
        assert still_open == {"A": 0, "B": 0, "C": 0, "D": 7000, "E": 0, "F": 0}
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.org_id == actor.org_id, AuditEvent.entity_id == str(payment.id)
            )
        ).one()
    assert event.action == "payment.imported"
    after = json.loads(event.after or "{}")
    assert after["allocations"] == [{"invoice": "B", "minor": 10000}]
    assert after["unapplied_minor"] == 30000


def test_named_invoice_first_then_oldest(engine: Engine, actor: Actor, tmp_path: Path) -> None:
    ledger(engine, actor)
    path = write_csv(
        tmp_path / "payments.csv",
        [HEADER, ["P-9", "HRB1", "DE", "EUR", "60.00", "2026-03-01", "C"]],
    )
    run_import(engine, actor, "payments", path)
    assert allocations_by_payment(engine, actor)["P-9"] == [("A", 1000), ("C", 5000)]


def test_payment_from_a_buyer_with_nothing_open_stays_unapplied(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    add_company(engine, actor, "HRB3")
    path = write_csv(
        tmp_path / "payments.csv",
        [HEADER, ["P-1", "HRB3", "DE", "EUR", "25.00", "2026-03-01", ""]],
    )
    result = run_import(engine, actor, "payments", path)
    assert result.accounts_opened == 1
    with unit_of_work(engine) as session:
        payment = session.scalars(select(Payment).where(Payment.org_id == actor.org_id)).one()
        assert unapplied_credit_minor(session, actor=actor, account_id=payment.account_id) == {
            "EUR": 2500
        }
    assert allocations_by_payment(engine, actor) == {}
