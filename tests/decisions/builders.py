"""Builders for the decision tests: buyers with a stored score, an account and a credit limit."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from tradecredit.companies import service as companies
from tradecredit.companies.schemas import CompanyCreate
from tradecredit.context import Actor
from tradecredit.kit.money import to_minor
from tradecredit.limits.models import CreditLimit, LimitDecision, LimitRequest
from tradecredit.receivables import service as receivables
from tradecredit.receivables.schemas import AccountCreate, InvoiceCreate
from tradecredit.scoring.models import Score

TODAY = date(2026, 3, 31)
"""The `clock` fixture's day."""


def add_buyer(
    session: Session,
    actor: Actor,
    reg: str,
    *,
    grade: int = 4,
    pd: str = "0.008",
    status: str = "active",
    on_hold: bool = False,
) -> uuid.UUID:
    """A buyer in DE with an account and a score stored a month ago."""
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
    session.add(
        Score(
            org_id=actor.org_id,
            company_id=company.id,
            model_version="test-v1",
            as_of=TODAY - timedelta(days=30),
            pd=Decimal(pd),
            grade=grade,
            reasons="[]",
            inputs_hash=uuid.uuid4().hex + uuid.uuid4().hex,
        )
    )
    session.flush()
    return company.id


def grant_limit(
    session: Session,
    actor: Actor,
    company_id: uuid.UUID,
    amount: str,
    *,
    currency: str = "EUR",
    valid_until: date = date(2027, 3, 31),
) -> None:
    """An active credit limit, as a person's decision on a request would leave it."""
    minor = to_minor(Decimal(amount), currency)
    common: dict[str, Any] = {"org_id": actor.org_id, "company_id": company_id}
    request = LimitRequest(
        **common,
        amount_minor=minor,
        currency=currency,
        requested_by="test",
        as_of=TODAY,
        status="approved",
        request_hash=uuid.uuid4().hex,
    )
    session.add(request)
    session.flush()
    decision = LimitDecision(
        **common,
        request_id=request.id,
        outcome="approved",
        amount_minor=minor,
        currency=currency,
        conditions="[]",
        reasons="[]",
        decided_on=TODAY,
        valid_until=valid_until,
        decided_by="test",
        policy_version=0,
    )
    session.add(decision)
    session.flush()
    session.add(
        CreditLimit(
            **common,
            decision_id=decision.id,
            amount_minor=minor,
            currency=currency,
            set_on=TODAY,
            valid_until=valid_until,
            review_on=valid_until,
            grade=4,
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
    order_reference: str | None = None,
) -> None:
    receivables.create_invoice(
        session,
        actor=actor,
        data=InvoiceCreate(
            invoice_number=number,
            buyer_registration_number=reg,
            buyer_country="DE",
            currency="EUR",
            amount=Decimal(amount),
            issue_date=issued,
            due_date=due,
            order_reference=order_reference,
        ),
    )


def checkout(reg: str, amount: str, **extra: Any) -> dict[str, Any]:
    """A decision request body (JSON)."""
    return {
        "registration_number": reg,
        "country": "DE",
        "currency": "EUR",
        "amount": amount,
        "terms_days": 30,
    } | extra
