"""Buyers, limits, invoices and orders for the gate tests, written through the real services
(a credit limit is stored as the decision rows the limits engine would have written)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from tradecredit.companies import service as companies
from tradecredit.companies.schemas import CompanyCreate
from tradecredit.context import Actor
from tradecredit.fx import service as fx
from tradecredit.fx.schemas import FxRateCreate
from tradecredit.kit.money import to_minor
from tradecredit.limits.models import CreditLimit, LimitDecision, LimitRequest
from tradecredit.orders import service as orders
from tradecredit.orders.schemas import DeliveryCreate, OrderCreate
from tradecredit.organisations import service as organisations
from tradecredit.organisations.roles import Role
from tradecredit.receivables import service as receivables
from tradecredit.receivables.schemas import AccountCreate, InvoiceCreate, PaymentCreate

AS_OF = date(2026, 3, 31)


def add_buyer(
    session: Session, actor: Actor, reg: str, *, status: str = "active", on_hold: bool = False
) -> uuid.UUID:
    company = companies.create_company(
        session,
        actor=actor,
        data=CompanyCreate(
            registration_number=reg, country="DE", name=f"Buyer {reg}", sector="C25", status=status
        ),
    )
    receivables.create_account(
        session,
        actor=actor,
        data=AccountCreate(
            registration_number=reg, country="DE", payment_terms_days=30, on_hold=on_hold
        ),
    )
    return company.id


def set_limit(
    session: Session,
    actor: Actor,
    company_id: uuid.UUID,
    amount: str,
    *,
    currency: str = "EUR",
    valid_until: date = date(2027, 3, 31),
) -> None:
    minor = to_minor(Decimal(amount), currency)
    set_on = date(2026, 1, 2)
    request = LimitRequest(
        org_id=actor.org_id,
        company_id=company_id,
        amount_minor=max(minor, 1),
        currency=currency,
        requested_by=actor.name,
        as_of=set_on,
        status="approved",
        request_hash=uuid.uuid4().hex,
    )
    session.add(request)
    session.flush()
    decision = LimitDecision(
        org_id=actor.org_id,
        request_id=request.id,
        company_id=company_id,
        outcome="approved",
        amount_minor=minor,
        currency=currency,
        conditions="[]",
        reasons="[]",
        decided_on=set_on,
        valid_until=valid_until,
        decided_by=actor.name,
        policy_version=0,
    )
    session.add(decision)
    session.flush()
    session.add(
        CreditLimit(
            org_id=actor.org_id,
            company_id=company_id,
            decision_id=decision.id,
            amount_minor=minor,
            currency=currency,
            set_on=set_on,
            valid_until=valid_until,
            review_on=min(valid_until, set_on + timedelta(days=90)),
            active=True,
        )
    )
    session.flush()


def add_invoice(
    session: Session,
    actor: Actor,
    reg: str,
    number: str,
    amount: str,
    *,
    issued: date,
    due: date,
    currency: str = "EUR",
    order_reference: str | None = None,
) -> None:
    receivables.create_invoice(
        session,
        actor=actor,
        data=InvoiceCreate(
            invoice_number=number,
            buyer_registration_number=reg,
            buyer_country="DE",
            currency=currency,
            amount=Decimal(amount),
            issue_date=issued,
            due_date=due,
            order_reference=order_reference,
        ),
    )


def add_payment(
    session: Session, actor: Actor, reg: str, reference: str, amount: str, *, paid: date
) -> None:
    receivables.record_payment(
        session,
        actor=actor,
        data=PaymentCreate(
            payment_reference=reference,
            payer_registration_number=reg,
            payer_country="DE",
            currency="EUR",
            amount=Decimal(amount),
            payment_date=paid,
        ),
    )


def add_order(
    session: Session,
    actor: Actor,
    reg: str,
    reference: str,
    amount: str,
    *,
    ordered: date = date(2026, 3, 1),
    delivered: str | None = None,
    delivered_on: date = date(2026, 3, 10),
    currency: str = "EUR",
) -> uuid.UUID:
    """An order; with `delivered`, that part of it delivered on `delivered_on`."""
    order = orders.create_order(
        session,
        actor=actor,
        data=OrderCreate(
            order_reference=reference,
            buyer_registration_number=reg,
            buyer_country="DE",
            currency=currency,
            amount=Decimal(amount),
            order_date=ordered,
        ),
    )
    if delivered is not None:
        orders.record_delivery(
            session,
            actor=actor,
            order_id=order.id,
            data=DeliveryCreate(delivered_on=delivered_on, amount=Decimal(delivered)),
        )
    return order.id


def add_rate(session: Session, actor: Actor, base: str, quote: str, rate: str, on: date) -> None:
    fx.add_rate(
        session,
        actor=actor,
        data=FxRateCreate(rate_date=on, base_currency=base, quote_currency=quote, rate=rate),
    )


def add_user(session: Session, actor: Actor, role: Role, *, email: str | None = None) -> Actor:
    """A user of `role`; returns an actor acting as that user."""
    address = email or f"{role.value}-{uuid.uuid4().hex[:6]}@example.test"
    user = organisations.create_user(
        session,
        actor=actor,
        email=address,
        name=role.value,
        role=role,
        approval_authority=None,
        authority_currency=None,
    )
    return Actor(org_id=actor.org_id, name=f"user:{address}", role=role, user_id=user.id)
