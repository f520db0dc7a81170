"""The credit policy in force per organisation: versions stored as JSON, each change audited."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.audit import service as audit
from tradecredit.context import Actor
from tradecredit.kit.errors import NotFound
from tradecredit.limits.models import CreditPolicyVersion
from tradecredit.limits.policy import DEFAULT_POLICY, CreditPolicy, policy_from_document
from tradecredit.organisations.models import Organisation
from tradecredit.organisations.roles import Permission


@dataclass(frozen=True)
class PolicyInForce:
    policy: CreditPolicy
    version: int
    """0: the documented defaults, never stored."""
    currency: str
    """The organisation's base currency, which the policy's amounts are in."""
    set_by: str | None
    set_at: datetime | None


def base_currency(session: Session, *, actor: Actor) -> str:
    currency = session.scalar(
        select(Organisation.base_currency).where(Organisation.id == actor.org_id)
    )
    if currency is None:
        raise NotFound(f"no organisation {actor.org_id}")
    return currency


def _latest(session: Session, actor: Actor) -> CreditPolicyVersion | None:
    return session.scalars(
        select(CreditPolicyVersion)
        .where(CreditPolicyVersion.org_id == actor.org_id)
        .order_by(CreditPolicyVersion.version.desc())
        .limit(1)
    ).first()


def policy_in_force(session: Session, *, actor: Actor) -> PolicyInForce:
    """The organisation's latest policy version, or the defaults (version 0) before any is set."""
    actor.require(Permission.READ)
    currency = base_currency(session, actor=actor)
    row = _latest(session, actor)
    if row is None:
        return PolicyInForce(DEFAULT_POLICY, 0, currency, None, None)
    policy = policy_from_document(f"credit policy v{row.version}", json.loads(row.document))
    return PolicyInForce(policy, row.version, currency, row.set_by, row.created_at)


def set_policy(session: Session, *, actor: Actor, policy: CreditPolicy) -> PolicyInForce:
    """Store `policy` as the next version; the change (before and after) is audited. Storing
    the policy already in force changes nothing and writes nothing."""
    actor.require(Permission.SET_CREDIT_POLICY)
    current = policy_in_force(session, actor=actor)
    if current.version and current.policy == policy:
        return current
    document = policy.model_dump(mode="json")
    row = CreditPolicyVersion(
        org_id=actor.org_id,
        version=current.version + 1,
        document=json.dumps(document, sort_keys=True),
        set_by=actor.name,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="credit_policy.set",
        entity_type="credit_policy",
        entity_id=row.id,
        before={"version": current.version, **current.policy.model_dump(mode="json")},
        after={"version": row.version, **document},
    )
    return PolicyInForce(policy, row.version, current.currency, row.set_by, row.created_at)
