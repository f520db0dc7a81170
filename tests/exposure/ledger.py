"""The worked example of docs/exposure.md, written through the real services.

Group: P (top) <- M <- A, and X directly under P; B stands alone.
A: INV-1 1000.00 EUR (300.00 paid), INV-2 500.00 EUR (100.00 credited, 50.00 disputed),
   INV-3 200.00 USD; O-1 2000.00 EUR (800.00 delivered on 03-10); O-2 600.00 EUR delivered
   02-25 and invoiced by INV-4 on 03-05; O-3 1000.00 USD, 250.00 invoiced up front by INV-5.
X: INV-X 50.00 EUR; O-4 300.00 EUR, 100.00 delivered 03-02, cancelled 03-03.
EUR/USD 1.10 on 03-01 and 1.25 on 03-20.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from analytics import db_ledger as db
from tradecredit.companies.models import Company
from tradecredit.companies.schemas import CompanyCreate
from tradecredit.companies.service import create_company
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.orders import service as orders
from tradecredit.orders.models import Order
from tradecredit.orders.schemas import CancellationCreate, DeliveryCreate, OrderCreate
from tradecredit.receivables.models import Dispute, Invoice
from tradecredit.receivables.schemas import InvoiceCreate
from tradecredit.receivables.service import create_invoice


def company_id(s: Session, actor: Actor, reg: str) -> uuid.UUID:
    found = s.scalar(
        select(Company.id).where(Company.org_id == actor.org_id, Company.registration_number == reg)
    )
    assert found is not None
    return found


def member(s: Session, actor: Actor, reg: str, parent: str | None) -> None:
    data = CompanyCreate(
        registration_number=reg,
        country="DE",
        name=f"Company {reg}",
        sector="C25",
        group_parent_registration_number=parent,
        group_parent_country="DE" if parent else None,
    )
    create_company(s, actor=actor, data=data)


def order(
    s: Session,
    actor: Actor,
    reference: str,
    reg: str,
    amount: str,
    on: date,
    *,
    currency: str = "EUR",
    delivered: date | None = None,
) -> uuid.UUID:
    data = OrderCreate(
        order_reference=reference,
        buyer_registration_number=reg,
        buyer_country="DE",
        currency=currency,
        amount=Decimal(amount),
        order_date=on,
        delivery_date=delivered,
    )
    return orders.create_order(s, actor=actor, data=data).id


def order_invoice(
    s: Session,
    actor: Actor,
    number: str,
    reg: str,
    amount: str,
    issued: date,
    reference: str,
    *,
    currency: str = "EUR",
) -> None:
    data = InvoiceCreate(
        invoice_number=number,
        buyer_registration_number=reg,
        buyer_country="DE",
        currency=currency,
        amount=Decimal(amount),
        issue_date=issued,
        due_date=issued,
        order_reference=reference,
    )
    create_invoice(s, actor=actor, data=data)


def build(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as s:
        for reg, parent in (("P", None), ("M", "P"), ("A", "M"), ("X", "P"), ("B", None)):
            member(s, actor, reg, parent)
        db.invoice(
            s, actor, "INV-1", "A", "1000.00", issued=date(2026, 1, 10), due=date(2026, 2, 9)
        )
        db.invoice(s, actor, "INV-2", "A", "500.00", issued=date(2026, 2, 1), due=date(2026, 3, 3))
        db.invoice(
            s,
            actor,
            "INV-3",
            "A",
            "200.00",
            issued=date(2026, 3, 1),
            due=date(2026, 3, 31),
            currency="USD",
        )
        db.payment(s, actor, "P-1", "A", "300.00", date(2026, 2, 15), invoice_number="INV-1")
        db.credit_note(s, actor, "CN-1", "INV-2", "100.00", date(2026, 2, 20))
        _dispute(s, actor, "INV-2", 5000, date(2026, 3, 1))
        o1 = order(s, actor, "O-1", "A", "2000.00", date(2026, 3, 1))
        data = DeliveryCreate(delivered_on=date(2026, 3, 10), amount=Decimal("800.00"))
        orders.record_delivery(s, actor=actor, order_id=o1, data=data)
        order(s, actor, "O-2", "A", "600.00", date(2026, 2, 20), delivered=date(2026, 2, 25))
        order_invoice(s, actor, "INV-4", "A", "600.00", date(2026, 3, 5), "O-2")
        order(s, actor, "O-3", "A", "1000.00", date(2026, 3, 15), currency="USD")
        order_invoice(s, actor, "INV-5", "A", "250.00", date(2026, 3, 20), "O-3", currency="USD")
        db.invoice(s, actor, "INV-X", "X", "50.00", issued=date(2026, 2, 1), due=date(2026, 3, 3))
        o4 = order(s, actor, "O-4", "X", "300.00", date(2026, 3, 1))
        partly = DeliveryCreate(delivered_on=date(2026, 3, 2), amount=Decimal("100.00"))
        orders.record_delivery(s, actor=actor, order_id=o4, data=partly)
        cancel = CancellationCreate(cancelled_on=date(2026, 3, 3), reason="buyer withdrew")
        orders.cancel_order(s, actor=actor, order_id=o4, data=cancel)
        db.rate(s, actor, "EUR", "USD", "1.10", date(2026, 3, 1))
        db.rate(s, actor, "EUR", "USD", "1.25", date(2026, 3, 20))


def _dispute(s: Session, actor: Actor, number: str, minor: int, on: date) -> None:
    invoice = s.scalar(
        select(Invoice).where(Invoice.org_id == actor.org_id, Invoice.invoice_number == number)
    )
    assert invoice is not None
    s.add(
        Dispute(
            org_id=actor.org_id,
            invoice_id=invoice.id,
            amount_minor=minor,
            currency=invoice.currency,
            opened_on=on,
        )
    )
    s.flush()


def order_id(s: Session, actor: Actor, reference: str) -> uuid.UUID:
    found = s.scalar(
        select(Order.id).where(Order.org_id == actor.org_id, Order.order_reference == reference)
    )
    assert found is not None
    return found
