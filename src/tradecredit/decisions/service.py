"""Instant checkout decisions: decide, reserve, record, read. Never commits.

A decision runs in one transaction: lock the buyer, read its position and score, apply the
rules (`decisions.rules`), and on approval create the order that reserves the amount in the
buyer's exposure; the decision row and its audit event are written in the same transaction, so
an answer sent implies both are stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.audit import service as audit
from tradecredit.companies.service import get_company
from tradecredit.context import Actor
from tradecredit.db.snapshot import snapshot
from tradecredit.decisions.facts import (
    CHECKOUT,
    Known,
    buyer_facts,
    cached_policy,
    lock_buyer,
    rules_for,
)
from tradecredit.decisions.models import CheckoutDecision
from tradecredit.decisions.rules import BuyerFacts, Outcome, Verdict, decide
from tradecredit.decisions.schemas import DecisionCreate
from tradecredit.kit.clock import utcnow
from tradecredit.kit.errors import NotFound
from tradecredit.kit.ids import new_id
from tradecredit.kit.money import to_minor
from tradecredit.orders.models import Order
from tradecredit.orders.schemas import OrderCreate
from tradecredit.orders.service import create_order
from tradecredit.organisations.roles import Permission
from tradecredit.scoring.scores import reasons_json


def require_deciding(actor: Actor) -> None:
    """Deciding requests credit and, on approval, records an order in the ledger."""
    actor.require(Permission.REQUEST_LIMITS)
    actor.require(Permission.WRITE_LEDGER)


def checkout_reference(decision_id: uuid.UUID) -> str:
    return f"checkout-{decision_id}"


def _reserve(
    session: Session, *, actor: Actor, data: DecisionCreate, decision_id: uuid.UUID
) -> Order:
    return create_order(
        session,
        actor=actor,
        data=OrderCreate(
            order_reference=data.order_reference or checkout_reference(decision_id),
            buyer_registration_number=data.registration_number,
            buyer_country=data.country,
            currency=data.currency,
            amount=data.amount,
            order_date=utcnow().date(),
        ),
    )


def decide_checkout(session: Session, *, actor: Actor, data: DecisionCreate) -> CheckoutDecision:
    """Decide a checkout now; an approval reserves its amount as an order (see module doc)."""
    require_deciding(actor)
    now = utcnow()
    today = now.date()
    decision_id = new_id()
    company = lock_buyer(
        session, actor=actor, registration_number=data.registration_number, country=data.country
    )
    policy = cached_policy(session, actor=actor)
    known: Known | None = None
    if company is None:
        rules = rules_for(policy, currency=policy.currency)
        verdict = decide(
            BuyerFacts(known=False),
            amount_minor=to_minor(data.amount, data.currency),
            terms_days=data.terms_days,
            rules=rules,
        )
    else:
        known = buyer_facts(
            session,
            actor=actor,
            company=company,
            amount=data.amount,
            currency=data.currency,
            as_of=today,
        )
        rules = rules_for(policy, currency=known.position.currency)
        verdict = decide(
            known.facts, amount_minor=known.amount_minor, terms_days=data.terms_days, rules=rules
        )
    order = None
    if verdict.outcome is Outcome.APPROVE:
        order = _reserve(session, actor=actor, data=data, decision_id=decision_id)
    decision = _record(
        session,
        actor=actor,
        decision_id=decision_id,
        data=data,
        verdict=verdict,
        known=known,
        policy_version=policy.version,
        order=order,
    )
    return decision


def _record(
    session: Session,
    *,
    actor: Actor,
    decision_id: uuid.UUID,
    data: DecisionCreate,
    verdict: Verdict,
    known: Known | None,
    policy_version: int,
    order: Order | None,
) -> CheckoutDecision:
    now = utcnow()
    approved = verdict.outcome is Outcome.APPROVE
    decision = CheckoutDecision(
        id=decision_id,
        org_id=actor.org_id,
        created_at=now,
        registration_number=data.registration_number,
        country=data.country,
        buyer_name=data.name,
        company_id=None if known is None else known.company.id,
        amount_minor=to_minor(data.amount, data.currency),
        currency=data.currency,
        terms_days=data.terms_days,
        merchant_reference=data.order_reference,
        outcome=verdict.outcome.value,
        reasons=reasons_json(verdict.reasons),
        grade=None if known is None else known.score.grade,
        pd=None if known is None else known.score.pd,
        score_as_of=None if known is None else known.score.as_of,
        policy_version=policy_version,
        position_currency=None if known is None else known.position.currency,
        amount_in_position_minor=None if known is None else known.amount_minor,
        limit_minor=verdict.applied_limit_minor,
        exposure_minor=None if known is None else known.facts.exposure_minor,
        limit_left_minor=verdict.limit_left_minor,
        order_id=None if order is None else order.id,
        order_reference=None if order is None else order.order_reference,
        expires_at=now + timedelta(days=CHECKOUT.approval_validity_days) if approved else None,
    )
    session.add(decision)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="checkout_decision.made",
        entity_type="checkout_decision",
        entity_id=decision.id,
        after=snapshot(decision),
    )
    return decision


def get_decision(session: Session, *, actor: Actor, decision_id: uuid.UUID) -> CheckoutDecision:
    actor.require(Permission.READ)
    decision = session.get(CheckoutDecision, decision_id)
    if decision is None or decision.org_id != actor.org_id:
        raise NotFound(f"no checkout decision {decision_id}")
    return decision


def list_decisions(
    session: Session,
    *,
    actor: Actor,
    outcome: Outcome | None = None,
    company_id: uuid.UUID | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[CheckoutDecision]:
    """Newest first. A company of another organisation is NotFound."""
    actor.require(Permission.READ)
    if company_id is not None:
        get_company(session, actor=actor, company_id=company_id)
    query = select(CheckoutDecision).where(CheckoutDecision.org_id == actor.org_id)
    if outcome is not None:
        query = query.where(CheckoutDecision.outcome == outcome.value)
    if company_id is not None:
        query = query.where(CheckoutDecision.company_id == company_id)
    query = query.order_by(CheckoutDecision.created_at.desc(), CheckoutDecision.id.desc())
    return session.scalars(query.limit(limit).offset(offset)).all()
