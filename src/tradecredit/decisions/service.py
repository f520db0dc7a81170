"""Instant checkout decisions: decide, reserve, record, read. Never commits.

A decision runs in one transaction: lock the buyer, read its position and score, apply the
rules (`decisions.rules`), and on approval create the order that reserves the amount in the
buyer's exposure; the decision row and its audit event are written in the same transaction, so
an answer sent implies both are stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.audit import service as audit
from tradecredit.companies.service import get_company
from tradecredit.context import Actor
from tradecredit.decisions.facts import (
    Known,
    LockedBuyer,
    buyer_facts,
    buyer_key,
    cached_policy,
    lock_buyer,
    policy_for,
    rules_for,
)
from tradecredit.decisions.models import CheckoutDecision, DecisionRecord
from tradecredit.decisions.rules import BuyerFacts, Outcome, Verdict, decide
from tradecredit.decisions.schemas import DecisionCreate
from tradecredit.decisions.store import decision_change, insert_decision, reserve_order
from tradecredit.exposure.memo import ExposureMemo
from tradecredit.kit.clock import utcnow
from tradecredit.kit.errors import NotFound
from tradecredit.kit.ids import new_id
from tradecredit.kit.money import to_minor
from tradecredit.organisations.roles import Permission, Role, role_allows
from tradecredit.scoring.scores import reasons_json


def require_deciding(actor: Actor) -> None:
    """Deciding requests credit and, on approval, records an order in the ledger: the
    integrator role may, and a credit manager or an admin."""
    actor.require(Permission.DECIDE_CHECKOUT)


def on_behalf(actor: Actor) -> Actor:
    """The actor a decision reads and writes with. Deciding includes reading the buyer, its
    ledger, score and the policy, and recording the order that reserves an approval (and the
    customer account of a buyer without one): an integrator's key, which may decide and do
    nothing else, runs those steps with a credit manager's permissions under its own name (the
    audit names it)."""
    if actor.role is Role.INTEGRATOR:
        return replace(actor, role=Role.CREDIT_MANAGER)
    return actor


def may_decide(actor: Actor) -> bool:
    return role_allows(actor.role, Permission.DECIDE_CHECKOUT)


def require_reading(actor: Actor) -> None:
    """Decisions are read by whoever may read the organisation's data, and by the integrator
    keys that make them."""
    if not may_decide(actor):
        actor.require(Permission.READ)


def checkout_reference(decision_id: uuid.UUID) -> str:
    return f"checkout-{decision_id}"


@dataclass
class PendingAudit:
    """Audit changes a caller records itself, later in the same transaction (see
    `decide_checkout`)."""

    changes: list[audit.Change] = field(default_factory=list)

    def record(self, session: Session, *, actor: Actor) -> None:
        audit.record_many(session, actor=actor, changes=self.changes)
        self.changes = []


def lock_checkout_buyer(session: Session, *, actor: Actor, data: DecisionCreate) -> None:
    """Lock the buyer of a checkout before its idempotency key is claimed.

    Batches lock their buyers first and write the keys last (`decisions.batch`); a route that
    claimed the key first, then waited for the buyer a batch holds while that batch waited for
    the key, would deadlock with it. In this order the route waits for the batch, then finds
    the key answered and replays it."""
    lock_buyer(
        session,
        actor=on_behalf(actor),
        registration_number=data.registration_number,
        country=data.country,
        as_of=utcnow().date(),
    )


def decide_checkout(
    session: Session,
    *,
    actor: Actor,
    data: DecisionCreate,
    audit_later: PendingAudit | None = None,
    memo: ExposureMemo | None = None,
    rows_later: list[dict[str, Any]] | None = None,
    orders_later: list[dict[str, Any]] | None = None,
) -> DecisionRecord:
    """Decide a checkout now; an approval reserves its amount as an order (see module doc).

    Writes, in this order: the order (approval), the decision, then one append to the audit
    chain for both (`order.created`, `checkout_decision.made`), which locks the organisation's
    chain head: last, so that the lock is held only until the caller commits. With
    `audit_later` the changes are handed to the caller instead, which records them in the same
    transaction once its own last writes are done (the API stores the idempotent answer first).
    With `memo` (a decision worker's, `exposure.memo`, validated for this transaction) the
    buyer's exposure comes from it, and an approval's reservation is added to it. With
    `rows_later` the decision row is appended there instead of written: a batch writes all its
    decisions in one executemany (`store.insert_decisions`) before it commits."""
    require_deciding(actor)
    actor = on_behalf(actor)
    now = utcnow()
    today = now.date()
    decision_id = new_id()
    locked = lock_buyer(
        session,
        actor=actor,
        registration_number=data.registration_number,
        country=data.country,
        as_of=today,
        order_reference=data.order_reference,
        memo=memo,
    )
    known: Known | None = None
    if locked is None:
        policy = cached_policy(session, actor=actor)
        rules = rules_for(policy, currency=policy.currency)
        verdict = decide(
            BuyerFacts(known=False),
            amount_minor=to_minor(data.amount, data.currency),
            terms_days=data.terms_days,
            rules=rules,
        )
    else:
        policy = policy_for(
            session,
            actor=actor,
            version=locked.policy_version,
            currency=locked.buyer.base_currency,
        )
        known = buyer_facts(
            session,
            actor=actor,
            locked=locked,
            amount=data.amount,
            currency=data.currency,
            as_of=today,
            memo=memo,
        )
        rules = rules_for(policy, currency=known.position.currency)
        verdict = decide(
            known.facts, amount_minor=known.amount_minor, terms_days=data.terms_days, rules=rules
        )
    changes: list[audit.Change] = []
    order: dict[str, Any] | None = None
    if verdict.outcome is Outcome.APPROVE and locked is not None:
        defer = memo is not None and data.order_reference is None
        order, change = _reserve(
            session,
            actor=actor,
            data=data,
            decision_id=decision_id,
            locked=locked,
            now=now,
            rows_later=orders_later if defer else None,
        )
        changes.append(change)
        if memo is not None:
            if locked.buyer.account_id is None:
                memo.forget(buyer_key(actor, data.country, data.registration_number))
            memo.reserve(
                org_id=actor.org_id,
                company_id=locked.buyer.company_id,
                currency=order["currency"],
                amount_minor=order["amount_minor"],
            )
    values = _decision_values(
        actor=actor,
        decision_id=decision_id,
        now=now,
        data=data,
        verdict=verdict,
        known=known,
        policy_version=policy.version,
        validity_days=policy.policy.checkout.approval_validity_days,
        order=order,
    )
    if rows_later is None:
        changes.append(insert_decision(session, values=values))
    else:
        rows_later.append(values)
        changes.append(decision_change(values))
    if audit_later is None:
        audit.record_many(session, actor=actor, changes=changes)
    else:
        audit_later.changes.extend(changes)
    return DecisionRecord(**values)


def _reserve(
    session: Session,
    *,
    actor: Actor,
    data: DecisionCreate,
    decision_id: uuid.UUID,
    locked: LockedBuyer,
    now: datetime,
    rows_later: list[dict[str, Any]] | None,
) -> tuple[dict[str, Any], audit.Change]:
    """The order reserving an approval: the merchant's reference, else checkout-<decision id>;
    the full amount in the request's currency."""
    return reserve_order(
        session,
        actor=actor,
        company_id=locked.buyer.company_id,
        account_id=locked.buyer.account_id,
        reference=data.order_reference or checkout_reference(decision_id),
        reference_taken=locked.reference_taken,
        currency=data.currency,
        amount_minor=to_minor(data.amount, data.currency),
        now=now,
        rows_later=rows_later,
    )


def _decision_values(
    *,
    actor: Actor,
    decision_id: uuid.UUID,
    now: datetime,
    data: DecisionCreate,
    verdict: Verdict,
    known: Known | None,
    policy_version: int,
    validity_days: int,
    order: dict[str, Any] | None,
) -> dict[str, Any]:
    """Every column of the decision row."""
    approved = verdict.outcome is Outcome.APPROVE
    return {
        "id": decision_id,
        "org_id": actor.org_id,
        "created_at": now,
        "registration_number": data.registration_number,
        "country": data.country,
        "buyer_name": data.name,
        "company_id": None if known is None else known.company_id,
        "amount_minor": to_minor(data.amount, data.currency),
        "currency": data.currency,
        "terms_days": data.terms_days,
        "merchant_reference": data.order_reference,
        "outcome": verdict.outcome.value,
        "reasons": reasons_json(verdict.reasons),
        "grade": None if known is None else known.score.grade,
        "pd": None if known is None else known.score.pd,
        "score_as_of": None if known is None else known.score.as_of,
        "policy_version": policy_version,
        "position_currency": None if known is None else known.position.currency,
        "amount_in_position_minor": None if known is None else known.amount_minor,
        "limit_minor": verdict.applied_limit_minor,
        "exposure_minor": None if known is None else known.facts.exposure_minor,
        "limit_left_minor": verdict.limit_left_minor,
        "order_id": None if order is None else order["id"],
        "order_reference": None if order is None else order["order_reference"],
        "expires_at": now + timedelta(days=validity_days) if approved else None,
    }


def get_decision(session: Session, *, actor: Actor, decision_id: uuid.UUID) -> CheckoutDecision:
    require_reading(actor)
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
    require_reading(actor)
    if company_id is not None:
        get_company(session, actor=actor, company_id=company_id)
    query = select(CheckoutDecision).where(CheckoutDecision.org_id == actor.org_id)
    if outcome is not None:
        query = query.where(CheckoutDecision.outcome == outcome.value)
    if company_id is not None:
        query = query.where(CheckoutDecision.company_id == company_id)
    query = query.order_by(CheckoutDecision.created_at.desc(), CheckoutDecision.id.desc())
    return session.scalars(query.limit(limit).offset(offset)).all()
