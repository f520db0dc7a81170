"""Reading limit requests, their decisions and credit limits; every query filters on the
organisation, and a filter naming another organisation's company is NotFound."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.companies.service import get_company
from tradecredit.context import Actor
from tradecredit.limits.models import CreditLimit, LimitDecision, LimitRequest
from tradecredit.organisations.roles import Permission


def list_requests(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    referred_to_role: str | None = None,
    company_id: uuid.UUID | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[LimitRequest]:
    """Newest first. `status="referred"` is the approval queue; `referred_to_role` narrows it
    to the requests waiting for one role."""
    actor.require(Permission.READ)
    query = select(LimitRequest).where(LimitRequest.org_id == actor.org_id)
    if status is not None:
        query = query.where(LimitRequest.status == status)
    if referred_to_role is not None:
        query = query.where(LimitRequest.referred_to_role == referred_to_role)
    if company_id is not None:
        get_company(session, actor=actor, company_id=company_id)
        query = query.where(LimitRequest.company_id == company_id)
    query = query.order_by(LimitRequest.created_at.desc(), LimitRequest.id.desc())
    return session.scalars(query.limit(limit).offset(offset)).all()


def decisions_for(
    session: Session, *, actor: Actor, request_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[LimitDecision]]:
    """Each request's decisions, oldest first (the engine's, then a person's)."""
    found: dict[uuid.UUID, list[LimitDecision]] = defaultdict(list)
    if not request_ids:
        return found
    rows = session.scalars(
        select(LimitDecision)
        .where(
            LimitDecision.org_id == actor.org_id,
            LimitDecision.request_id.in_(sorted(set(request_ids))),
        )
        .order_by(LimitDecision.created_at, LimitDecision.id)
    )
    for decision in rows:
        found[decision.request_id].append(decision)
    return found


def list_limits(
    session: Session,
    *,
    actor: Actor,
    company_id: uuid.UUID | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[CreditLimit]:
    """The current limits, soonest review first."""
    actor.require(Permission.READ)
    query = select(CreditLimit).where(
        CreditLimit.org_id == actor.org_id, CreditLimit.active.is_(True)
    )
    if company_id is not None:
        get_company(session, actor=actor, company_id=company_id)
        query = query.where(CreditLimit.company_id == company_id)
    query = query.order_by(CreditLimit.review_on, CreditLimit.id)
    return session.scalars(query.limit(limit).offset(offset)).all()


def limit_history(
    session: Session, *, actor: Actor, company_id: uuid.UUID
) -> Sequence[CreditLimit]:
    """Every limit set on the buyer, newest first (the first is current when active)."""
    actor.require(Permission.READ)
    get_company(session, actor=actor, company_id=company_id)
    return session.scalars(
        select(CreditLimit)
        .where(CreditLimit.org_id == actor.org_id, CreditLimit.company_id == company_id)
        .order_by(CreditLimit.created_at.desc(), CreditLimit.active.desc(), CreditLimit.id.desc())
    ).all()
