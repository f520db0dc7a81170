"""A person decides a referred limit request: approve (in full or in part) or refuse, within
their own approval authority. Setting a limit below the current exposure needs an explicit
confirmation, which the decision and its audit event record with the person's note."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.audit import service as audit
from tradecredit.context import Actor
from tradecredit.db.snapshot import snapshot
from tradecredit.fx.service import rate_table
from tradecredit.kit.clock import utcnow
from tradecredit.kit.errors import InvalidInput
from tradecredit.kit.money import to_minor
from tradecredit.limits import reasons
from tradecredit.limits.authority import approver_for, require_authority
from tradecredit.limits.decisions import (
    AlreadyDecided,
    BelowExposure,
    exposure_minor,
    get_request,
    store_decision,
)
from tradecredit.limits.engine import Outcome
from tradecredit.limits.models import LimitDecision, LimitRequest
from tradecredit.limits.policy_store import policy_in_force
from tradecredit.organisations.roles import Permission
from tradecredit.scoring.overlays import Reason


@dataclass(frozen=True)
class PersonDecision:
    request_id: uuid.UUID
    approve: bool
    note: str
    amount: Decimal | None = None
    """Approvals only: the amount granted (default: the amount requested)."""
    confirm_below_exposure: bool = False
    as_of: date | None = None


def _amount(request: LimitRequest, data: PersonDecision) -> int:
    if not data.approve:
        if data.amount is not None:
            raise InvalidInput("a refusal takes no amount")
        return request.amount_minor
    if data.amount is None:
        return request.amount_minor
    amount = to_minor(data.amount, request.currency)
    if not 0 < amount <= request.amount_minor:
        raise InvalidInput(
            f"amount {data.amount} {request.currency} must be above 0 and at most the "
            f"{reasons.money(request.amount_minor, request.currency)} requested"
        )
    return amount


def _outcome(data: PersonDecision, amount: int, requested: int) -> Outcome:
    if not data.approve:
        return Outcome.REFUSED
    return Outcome.APPROVED if amount == requested else Outcome.PARTLY_APPROVED


def _engine_decision(session: Session, actor: Actor, request: LimitRequest) -> LimitDecision:
    found = session.scalars(
        select(LimitDecision)
        .where(LimitDecision.org_id == actor.org_id, LimitDecision.request_id == request.id)
        .order_by(LimitDecision.created_at, LimitDecision.id)
        .limit(1)
    ).first()
    if found is None:
        raise AssertionError(f"limit request {request.id} has no engine decision")
    return found


def _exposure_reasons(
    session: Session,
    actor: Actor,
    request: LimitRequest,
    data: PersonDecision,
    amount: int,
    as_of: date,
) -> tuple[int, list[Reason]]:
    exposure = exposure_minor(
        session, actor=actor, company_id=request.company_id, as_of=as_of, currency=request.currency
    )
    if not data.approve or amount >= exposure:
        return exposure, []
    if not data.confirm_below_exposure:
        raise BelowExposure(
            f"the limit {reasons.money(amount, request.currency)} would be below the current "
            f"exposure {reasons.money(exposure, request.currency)}; confirm it explicitly "
            "(confirm_below_exposure=true, with the reason) to set it anyway",
            details={"exposure": reasons.money(exposure, request.currency)},
        )
    return exposure, [reasons.below_exposure_confirmed(amount, exposure, request.currency)]


def decide_by_person(session: Session, *, actor: Actor, data: PersonDecision) -> LimitRequest:
    actor.require(Permission.DECIDE_LIMITS)
    request = get_request(session, actor=actor, request_id=data.request_id)
    if request.status != Outcome.REFERRED.value:
        raise AlreadyDecided(
            f"limit request {request.id} is {request.status}, not referred: only referred "
            "requests wait for a person"
        )
    approver = approver_for(session, actor=actor)
    as_of = data.as_of or utcnow().date()
    amount = _amount(request, data)
    rates = rate_table(session, actor=actor, as_of=as_of)
    require_authority(approver, amount_minor=amount, currency=request.currency, rates=rates)
    exposure, why = _exposure_reasons(session, actor, request, data, amount, as_of)
    outcome = _outcome(data, amount, request.amount_minor)
    who = reasons.decided_by_person(
        outcome.value, approver.email, approver.role.value, approver.authority_text(), data.note
    )
    engine = _engine_decision(session, actor, request)
    policy = policy_in_force(session, actor=actor)
    decision = LimitDecision(
        org_id=actor.org_id,
        request_id=request.id,
        company_id=request.company_id,
        outcome=outcome.value,
        amount_minor=amount if data.approve else 0,
        currency=request.currency,
        conditions="[]",
        reasons=reasons.reasons_json([who, *why]),
        decided_on=as_of,
        valid_until=as_of + timedelta(days=policy.policy.decision_validity_days),
        decided_by=actor.name,
        decided_by_user_id=approver.user_id,
        authority_minor=approver.authority_minor,
        authority_currency=approver.authority_currency,
        grade=engine.grade,
        pd=engine.pd,
        recommended_minor=engine.recommended_minor,
        binding=engine.binding,
        policy_version=policy.version,
        exposure_minor=exposure,
        below_exposure_confirmed=bool(why),
    )
    before = snapshot(request)
    request.status = outcome.value
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="limit_request.decided",
        entity_type="limit_request",
        entity_id=request.id,
        before=before,
        after=snapshot(request) | {"note": data.note},
    )
    store_decision(session, actor=actor, request=request, decision=decision, policy=policy.policy)
    return request
