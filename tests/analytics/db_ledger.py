"""Database ledgers for the analytics and FX tests, written through the real services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tradecredit.companies.schemas import CompanyCreate
from tradecredit.companies.service import create_company
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.fx.schemas import FxRateCreate
from tradecredit.fx.service import add_rate
from tradecredit.organisations import service as org_service
from tradecredit.organisations.roles import Role
from tradecredit.receivables.schemas import CreditNoteCreate, InvoiceCreate, PaymentCreate
from tradecredit.receivables.service import add_credit_note, create_invoice, record_payment


def company(
    s: Session, actor: Actor, reg: str, *, country: str = "DE", sector: str = "C25"
) -> None:
    data = CompanyCreate(
        registration_number=reg, country=country, name=f"Buyer {reg}", sector=sector
    )
    create_company(s, actor=actor, data=data)


def invoice(
    s: Session,
    actor: Actor,
    number: str,
    reg: str,
    amount: str,
    *,
    issued: date,
    due: date,
    currency: str = "EUR",
    country: str = "DE",
) -> None:
    data = InvoiceCreate(
        invoice_number=number,
        buyer_registration_number=reg,
        buyer_country=country,
        currency=currency,
        amount=Decimal(amount),
        issue_date=issued,
        due_date=due,
    )
    create_invoice(s, actor=actor, data=data)


def payment(
    s: Session,
    actor: Actor,
    reference: str,
    reg: str,
    amount: str,
    on: date,
    *,
    currency: str = "EUR",
    country: str = "DE",
    invoice_number: str | None = None,
) -> None:
    data = PaymentCreate(
        payment_reference=reference,
        payer_registration_number=reg,
        payer_country=country,
        currency=currency,
        amount=Decimal(amount),
        payment_date=on,
        invoice_number=invoice_number,
    )
    record_payment(s, actor=actor, data=data)


def credit_note(
    s: Session,
    actor: Actor,
    number: str,
    invoice_number: str,
    amount: str,
    on: date,
    *,
    currency: str = "EUR",
) -> None:
    data = CreditNoteCreate(
        credit_note_number=number,
        invoice_number=invoice_number,
        currency=currency,
        amount=Decimal(amount),
        issue_date=on,
    )
    add_credit_note(s, actor=actor, data=data)


def rate(s: Session, actor: Actor, base: str, quote: str, value: str, on: date) -> None:
    data = FxRateCreate(rate_date=on, base_currency=base, quote_currency=quote, rate=value)
    add_rate(s, actor=actor, data=data)


@dataclass
class Tenant:
    org_id: uuid.UUID
    slug: str
    keys: dict[Role, str] = field(default_factory=dict)

    @property
    def admin(self) -> Actor:
        return org_service.system_actor(self.org_id, "test")


def make_tenant(engine: Engine, base_currency: str = "EUR") -> Tenant:
    """An organisation with an admin and a viewer, each with an API key."""
    slug = f"ageing-{uuid.uuid4().hex[:12]}"
    with unit_of_work(engine) as s:
        org = org_service.create_organisation(
            s, slug=slug, name=slug, kind="seller", base_currency=base_currency, actor_name="test"
        )
        tenant = Tenant(org.id, slug)
        for role in (Role.ADMIN, Role.VIEWER):
            user = org_service.create_user(
                s, actor=tenant.admin, email=f"{role.value}@{slug}.test", name=role.value, role=role
            )
            issued = org_service.issue_api_key(s, actor=tenant.admin, user_id=user.id, name="t")
            tenant.keys[role] = issued.plaintext
    return tenant


def client(app: FastAPI, key: str | None) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {key}"} if key else {})
