from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from tradecredit.audit.service import verify_chain
from tradecredit.companies.schemas import CompanyCreate
from tradecredit.companies.service import create_company
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.receivables.schemas import CreditNoteCreate, InvoiceCreate, PaymentCreate
from tradecredit.receivables.service import (
    add_credit_note,
    allocations_for_payments,
    create_invoice,
    open_amounts,
    record_payment,
    unapplied_credit_minor,
)


def test_ledger_round_trip_allocates_oldest_first(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as s:
        create_company(
            s,
            actor=actor,
            data=CompanyCreate(
                registration_number="HRB1", country="DE", name="Buyer", sector="C25"
            ),
        )
        for number, issued, due, amount in [
            ("INV-2", date(2026, 2, 1), date(2026, 3, 3), "200.00"),
            ("INV-1", date(2026, 1, 1), date(2026, 1, 31), "100.00"),
        ]:
            create_invoice(
                s,
                actor=actor,
                data=InvoiceCreate(
                    invoice_number=number,
                    buyer_registration_number="HRB1",
                    buyer_country="DE",
                    currency="EUR",
                    amount=Decimal(amount),
                    issue_date=issued,
                    due_date=due,
                ),
            )
    with unit_of_work(engine) as s:
        payment = record_payment(
            s,
            actor=actor,
            data=PaymentCreate(
                payment_reference="P1",
                payer_registration_number="HRB1",
                payer_country="DE",
                currency="EUR",
                amount=Decimal("350.00"),
                payment_date=date(2026, 3, 10),
            ),
        )
        allocations = allocations_for_payments(s, actor=actor, payment_ids=[payment.id])[payment.id]
        assert [(number, a.amount_minor) for a, number in allocations] == [
            ("INV-1", 10000),
            ("INV-2", 20000),
        ]
        assert unapplied_credit_minor(s, actor=actor, account_id=payment.account_id) == {
            "EUR": 5000
        }
        note = add_credit_note(
            s,
            actor=actor,
            data=CreditNoteCreate(
                credit_note_number="CN1",
                invoice_number="INV-2",
                currency="EUR",
                amount=Decimal("50.00"),
                issue_date=date(2026, 3, 11),
            ),
        )
        assert note.amount_minor == 5000
    with unit_of_work(engine) as s:
        report = verify_chain(s, org_id=actor.org_id)
        assert report.ok, report.broken
        assert report.events_checked >= 7
        from sqlalchemy import select

        from tradecredit.receivables.models import Invoice

        invoices = s.scalars(select(Invoice).where(Invoice.org_id == actor.org_id)).all()
        assert set(open_amounts(s, invoices).values()) == {0}
