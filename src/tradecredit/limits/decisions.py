"""Limit requests and their decisions: the engine decides first, a person decides what it
referred. A granted decision sets the buyer's credit limit. Never commits; every change is
audited in the same transaction."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tradecredit.audit import service as audit
from tradecredit.audit.canonical import canonical_json
from tradecredit.companies.models import Company
from tradecredit.companies.service import get_company
from tradecredit.context import Actor
from tradecredit.db.snapshot import snapshot
from tradecredit.exposure.service import buyer_exposures
from tradecredit.fx.service import rate_table
from tradecredit.kit.clock import utcnow
from tradecredit.kit.errors import IdempotencyKeyReused, InvalidInput, NotFound, TradecreditError
from tradecredit.kit.money import to_minor
from tradecredit.limits import reasons
from tradecredit.limits.authority import approvers, referral_for
from tradecredit.limits.engine import (
    GRANTING,
    Assessment,
    Condition,
    EngineDecision,
    Outcome,
    decide,
)
from tradecredit.limits.models import CreditLimit, LimitDecision, LimitRequest
from tradecredit.limits.policy import CreditPolicy
from tradecredit.limits.policy_store import PolicyInForce
from tradecredit.limits.recommend import recommend
from tradecredit.organisations.roles import Permission
from tradecredit.scoring.overlays import months_before

ENGINE = "engine"


class AlreadyDecided(TradecreditError):
    status_code = 409
    code = "already_decided"


class BelowExposure(TradecreditError):
    """A limit below what the buyer already owes needs an explicit confirmation."""

    status_code = 409
    code = "below_exposure"


@dataclass(frozen=True)
class NewRequest:
    company_id: uuid.UUID
    amount: Decimal
    currency: str
    reason: str | None = None
    expected_annual_sales: Decimal | None = None
    confirm_below_exposure: bool = False
    as_of: date | None = None


def _fingerprint(data: NewRequest) -> str:
    payload = {
        "company_id": data.company_id,
        "amount": format(data.amount, "f"),
        "currency": data.currency,
        "reason": data.reason,
        "expected_annual_sales": None
        if data.expected_annual_sales is None
        else format(data.expected_annual_sales, "f"),
        "confirm_below_exposure": data.confirm_below_exposure,
        "as_of": data.as_of,
    }
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def _replay(session: Session, actor: Actor, key: str, fingerprint: str) -> LimitRequest | None:
    found = session.scalar(
        select(LimitRequest).where(
            LimitRequest.org_id == actor.org_id, LimitRequest.idempotency_key == key
        )
    )
    if found is not None and found.request_hash != fingerprint:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {key!r} was already used for a different limit request",
            details={"field": "Idempotency-Key", "value": key},
        )
    return found


def exposure_minor(
    session: Session, *, actor: Actor, company_id: uuid.UUID, as_of: date, currency: str
) -> int:
    exposures = buyer_exposures(
        session, actor=actor, company_ids=[company_id], as_of=as_of, currency=currency
    )
    found = exposures.get(company_id)
    return 0 if found is None else to_minor(found.total, currency)


def assess(
    session: Session,
    *,
    actor: Actor,
    company: Company,
    as_of: date,
    currency: str,
    posted_sales: dict[uuid.UUID, int] | None,
) -> tuple[Assessment, PolicyInForce]:
    """The engine's facts on one buyer, amounts in `currency`."""
    found = recommend(
        session,
        actor=actor,
        as_of=as_of,
        currency=currency,
        company_ids=[company.id],
        posted_sales=posted_sales,
    )
    row = found.row(company.id)
    grade = int(str(row["grade"]))
    established = found.policy.policy.progressive.established_after_months
    facts = Assessment(
        status=company.status,
        grade=grade,
        pd=found.scores[company.id].pd,
        recommended_minor=int(str(row["recommended_minor"])),
        binding=str(row["binding"]),
        new_buyer=int(str(row["history_months"])) < established,
        engine_authority_minor=found.amounts.engine_authority[grade - 1],
        exposure_minor=exposure_minor(
            session, actor=actor, company_id=company.id, as_of=as_of, currency=currency
        ),
    )
    return facts, found.policy


def request_limit(
    session: Session, *, actor: Actor, data: NewRequest, idempotency_key: str | None = None
) -> LimitRequest:
    """Record the request and the engine's decision on it (and the limit, when granted). The
    same idempotency key with the same request returns the first request, deciding nothing."""
    actor.require(Permission.REQUEST_LIMITS)
    fingerprint = _fingerprint(data)
    if idempotency_key is not None:
        replayed = _replay(session, actor, idempotency_key, fingerprint)
        if replayed is not None:
            return replayed
    company = get_company(session, actor=actor, company_id=data.company_id)
    as_of = data.as_of or utcnow().date()
    amount_minor = to_minor(data.amount, data.currency)
    if amount_minor <= 0:
        raise InvalidInput(f"amount must be above 0, got {data.amount}")
    sales = None
    if data.expected_annual_sales is not None:
        sales = {company.id: to_minor(data.expected_annual_sales, data.currency)}
    facts, policy = assess(
        session,
        actor=actor,
        company=company,
        as_of=as_of,
        currency=data.currency,
        posted_sales=sales,
    )
    answer = decide(
        requested_minor=amount_minor,
        currency=data.currency,
        facts=facts,
        policy=policy.policy,
        confirm_below_exposure=data.confirm_below_exposure,
    )
    request = LimitRequest(
        org_id=actor.org_id,
        company_id=company.id,
        amount_minor=amount_minor,
        currency=data.currency,
        requested_by=actor.name,
        requested_by_user_id=actor.user_id,
        reason=data.reason,
        expected_annual_sales_minor=None if sales is None else sales[company.id],
        confirm_below_exposure=data.confirm_below_exposure,
        as_of=as_of,
        status=answer.outcome.value,
        idempotency_key=idempotency_key,
        request_hash=fingerprint,
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="limit_request.created",
        entity_type="limit_request",
        entity_id=request.id,
        after=snapshot(request),
    )
    _engine_decision(
        session, actor=actor, request=request, answer=answer, facts=facts, policy=policy
    )
    return request


def _engine_decision(
    session: Session,
    *,
    actor: Actor,
    request: LimitRequest,
    answer: EngineDecision,
    facts: Assessment,
    policy: PolicyInForce,
) -> LimitDecision:
    why = list(answer.reasons)
    role = None
    if answer.outcome is Outcome.REFERRED:
        rates = rate_table(session, actor=actor, as_of=request.as_of)
        referral = referral_for(
            approvers(session, actor=actor),
            amount_minor=request.amount_minor,
            currency=request.currency,
            rates=rates,
        )
        role = referral.role.value
        if not referral.covered:
            why.append(reasons.no_authority_covers(request.amount_minor, request.currency))
        why.append(reasons.referred_to(role))
        request.referred_to_role = role
    days = (
        policy.policy.referral_validity_days
        if answer.outcome is Outcome.REFERRED
        else policy.policy.decision_validity_days
    )
    decision = LimitDecision(
        org_id=actor.org_id,
        request_id=request.id,
        company_id=request.company_id,
        outcome=answer.outcome.value,
        amount_minor=answer.amount_minor,
        currency=request.currency,
        conditions=conditions_json(answer.conditions),
        reasons=reasons.reasons_json(why),
        decided_on=request.as_of,
        valid_until=request.as_of + timedelta(days=days),
        decided_by=ENGINE,
        authority_minor=facts.engine_authority_minor,
        authority_currency=request.currency,
        referred_to_role=role,
        grade=facts.grade,
        pd=facts.pd,
        recommended_minor=facts.recommended_minor,
        binding=facts.binding,
        policy_version=policy.version,
        exposure_minor=facts.exposure_minor,
        below_exposure_confirmed=answer.below_exposure_confirmed,
    )
    return store_decision(
        session, actor=actor, request=request, decision=decision, policy=policy.policy
    )


def store_decision(
    session: Session,
    *,
    actor: Actor,
    request: LimitRequest,
    decision: LimitDecision,
    policy: CreditPolicy,
) -> LimitDecision:
    session.add(decision)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"limit_decision.{decision.outcome}",
        entity_type="limit_decision",
        entity_id=decision.id,
        after=snapshot(decision),
    )
    if Outcome(decision.outcome) in GRANTING and decision.amount_minor is not None:
        set_limit(session, actor=actor, decision=decision, policy=policy)
    return decision


def conditions_json(conditions: tuple[Condition, ...]) -> str:
    return json.dumps(
        [
            {
                "kind": c.kind,
                "amount_minor": c.amount_minor,
                "share": None if c.share is None else format(c.share, "f"),
            }
            for c in conditions
        ]
    )


def review_date(
    policy: CreditPolicy, *, set_on: date, valid_until: date, grade: int | None
) -> date:
    """The earlier of the expiry and the risk cadence's next review (grade at decision)."""
    if grade is None:
        return valid_until
    months = policy.review.months(grade)
    return min(valid_until, months_before(set_on, -months))


def set_limit(
    session: Session, *, actor: Actor, decision: LimitDecision, policy: CreditPolicy
) -> CreditLimit:
    """Make the decision's amount the buyer's current limit; the previous one becomes history."""
    assert decision.amount_minor is not None
    current = current_limit(session, actor=actor, company_id=decision.company_id)
    if current is not None:
        session.execute(
            update(CreditLimit)
            .where(CreditLimit.id == current.id, CreditLimit.org_id == actor.org_id)
            .values(active=False, ended_at=utcnow())
        )
        session.flush()
    limit = CreditLimit(
        org_id=actor.org_id,
        company_id=decision.company_id,
        decision_id=decision.id,
        amount_minor=decision.amount_minor,
        currency=decision.currency,
        set_on=decision.decided_on,
        valid_until=decision.valid_until,
        review_on=review_date(
            policy,
            set_on=decision.decided_on,
            valid_until=decision.valid_until,
            grade=decision.grade,
        ),
        grade=decision.grade,
        active=True,
    )
    session.add(limit)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="credit_limit.set",
        entity_type="credit_limit",
        entity_id=limit.id,
        before=None if current is None else snapshot(current),
        after=snapshot(limit),
    )
    return limit


def current_limit(session: Session, *, actor: Actor, company_id: uuid.UUID) -> CreditLimit | None:
    return session.scalar(
        select(CreditLimit).where(
            CreditLimit.org_id == actor.org_id,
            CreditLimit.company_id == company_id,
            CreditLimit.active.is_(True),
        )
    )


def get_request(session: Session, *, actor: Actor, request_id: uuid.UUID) -> LimitRequest:
    actor.require(Permission.READ)
    request = session.get(LimitRequest, request_id)
    if request is None or request.org_id != actor.org_id:
        raise NotFound(f"no limit request {request_id}")
    return request
