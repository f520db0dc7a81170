"""Builders for the limit tests: buyers with statements, ledger and a stored score; deciders."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from tradecredit.companies import service as companies
from tradecredit.companies.schemas import CompanyCreate, StatementCreate
from tradecredit.context import Actor
from tradecredit.fx import service as fx
from tradecredit.fx.schemas import FxRateCreate
from tradecredit.organisations import service as organisations
from tradecredit.organisations.roles import Role
from tradecredit.receivables import service as receivables
from tradecredit.receivables.schemas import AccountCreate, InvoiceCreate, PaymentCreate
from tradecredit.scoring.models import Score

AS_OF = date(2026, 3, 31)


def add_buyer(
    session: Session,
    actor: Actor,
    reg: str,
    *,
    grade: int = 4,
    pd: str = "0.008",
    statement: dict[str, str] | None = None,
    status: str = "active",
    terms: int = 30,
    score_on: date = date(2026, 3, 1),
) -> uuid.UUID:
    """A buyer with an account, an optional statement (EUR, period end 2025-12-31) and a stored
    score (grade, PD) dated `score_on`."""
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
        data=AccountCreate(registration_number=reg, country="DE", payment_terms_days=terms),
    )
    if statement is not None:
        add_statement(session, actor, reg, statement)
    store_score(session, actor, company.id, grade=grade, pd=pd, on=score_on)
    return company.id


def add_statement(
    session: Session,
    actor: Actor,
    reg: str,
    lines: dict[str, str],
    *,
    period_end: date = date(2025, 12, 31),
    currency: str = "EUR",
) -> None:
    companies.add_statement(
        session,
        actor=actor,
        data=StatementCreate.model_validate(
            {"registration_number": reg, "country": "DE", "period_end": period_end}
            | {"currency": currency}
            | lines
        ),
    )


def store_score(
    session: Session, actor: Actor, company_id: uuid.UUID, *, grade: int, pd: str, on: date
) -> None:
    session.add(
        Score(
            org_id=actor.org_id,
            company_id=company_id,
            model_version="test-v1",
            as_of=on,
            pd=Decimal(pd),
            grade=grade,
            reasons="[]",
            inputs_hash=uuid.uuid4().hex + uuid.uuid4().hex,
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


def add_rate(session: Session, actor: Actor, base: str, quote: str, rate: str, on: date) -> None:
    fx.add_rate(
        session,
        actor=actor,
        data=FxRateCreate(rate_date=on, base_currency=base, quote_currency=quote, rate=rate),
    )


def add_decider(
    session: Session,
    actor: Actor,
    role: Role,
    authority: str | None,
    *,
    currency: str = "EUR",
    email: str | None = None,
) -> Actor:
    """A user of `role` with that approval authority; returns an actor acting as that user."""
    address = email or f"{role.value}-{uuid.uuid4().hex[:6]}@example.test"
    user = organisations.create_user(
        session,
        actor=actor,
        email=address,
        name=role.value,
        role=role,
        approval_authority=None if authority is None else Decimal(authority),
        authority_currency=None if authority is None else currency,
    )
    return Actor(org_id=actor.org_id, name=f"user:{address}", role=role, user_id=user.id)


STRONG = {
    "equity": "2000000",
    "current_assets": "1500000",
    "current_liabilities": "500000",
    "revenue": "10000000",
    "total_assets": "4000000",
    "total_liabilities": "2000000",
}
"""At grade 4: capacity = min(8% x 2,000,000, 16% x 1,000,000, 6.4% x 10,000,000) = 160,000."""


def establish(session: Session, actor: Actor, reg: str) -> None:
    """Fourteen months of history before 2026-03-31, paid on time, nothing invoiced since
    2025-03-31 (so no need figure) and nothing open."""
    add_invoice(
        session, actor, reg, f"{reg}-OLD", "1000", issued=date(2025, 1, 15), due=date(2025, 2, 14)
    )
    add_payment(session, actor, reg, f"{reg}-PAY-OLD", "1000", paid=date(2025, 2, 10))
