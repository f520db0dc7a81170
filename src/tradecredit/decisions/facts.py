"""What a checkout decision reads: the policy (cached per version), the buyer locked for the
decision, its credit position, its score, and the amount in the position currency."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.decisions.rules import BuyerFacts, CheckoutRules
from tradecredit.fx.rates import resolve
from tradecredit.fx.service import rate_table
from tradecredit.gates.position import CreditPosition, credit_position
from tradecredit.kit.errors import NotFound
from tradecredit.kit.money import round_to_currency, to_minor
from tradecredit.limits.inputs import stored_scores
from tradecredit.limits.models import CreditPolicyVersion
from tradecredit.limits.policy_store import PolicyInForce, policy_in_force
from tradecredit.organisations.models import Organisation
from tradecredit.scoring.scores import company_score


@dataclass(frozen=True)
class CheckoutDefaults:
    """The checkout's own parameters (the credit policy has no fields for them yet).

    `max_terms_days`: the longest terms sold at checkout; `over_limit_referral_share`: over
    the limit by at most this share of it, a checkout is referred rather than declined;
    `approval_validity_days`: how long an approval's reservation holds."""

    max_terms_days: int = 90
    over_limit_referral_share: Decimal = Decimal("0.10")
    approval_validity_days: int = 14


CHECKOUT = CheckoutDefaults()

_policies: dict[tuple[uuid.UUID, int, str], PolicyInForce] = {}
_policies_lock = threading.Lock()


def cached_policy(session: Session, *, actor: Actor) -> PolicyInForce:
    """The policy in force, parsed once per (organisation, version).

    One query reads the base currency and the latest version number; versions are never
    changed (a change stores a new one), so a cached version is valid until a newer one
    appears, in this process or any other."""
    latest = (
        select(func.max(CreditPolicyVersion.version))
        .where(CreditPolicyVersion.org_id == actor.org_id)
        .scalar_subquery()
    )
    row = session.execute(
        select(Organisation.base_currency, latest).where(Organisation.id == actor.org_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no organisation {actor.org_id}")
    key = (actor.org_id, row[1] or 0, row[0])
    found = _policies.get(key)
    if found is None:
        found = policy_in_force(session, actor=actor)
        with _policies_lock:
            _policies[(actor.org_id, found.version, found.currency)] = found
    return found


def lock_buyer(
    session: Session, *, actor: Actor, registration_number: str, country: str
) -> Company | None:
    """The buyer, locked until the transaction ends, so that concurrent decisions for it run
    one after the other and each sees the orders the previous ones reserved.

    PostgreSQL: SELECT ... FOR UPDATE on the company row. SQLite locks the whole database for
    writing: the transaction starts with BEGIN IMMEDIATE unless it has already written (the
    driver opens a transaction only at the first write, which takes the write lock), so no
    read below runs before the lock is held."""
    query = select(Company).where(
        Company.org_id == actor.org_id,
        Company.country == country,
        Company.registration_number == registration_number,
    )
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        if driver is not None and not driver.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        query = query.with_for_update()
    return session.scalar(query)


@dataclass(frozen=True)
class Score:
    grade: int
    pd: Decimal
    as_of: date


def latest_score(session: Session, *, actor: Actor, company_id: uuid.UUID, as_of: date) -> Score:
    """The buyer's latest stored score on or before `as_of`; computed now when none is stored."""
    stored = stored_scores(session, actor=actor, as_of=as_of, company_ids=[company_id])
    fact = stored.get(company_id)
    if fact is not None:
        return Score(fact.grade, fact.pd, fact.as_of)
    computed = company_score(session, actor=actor, company_id=company_id, as_of=as_of).result
    return Score(computed.grade, computed.pd, as_of)


def in_currency(
    session: Session, *, actor: Actor, amount: Decimal, currency: str, target: str, as_of: date
) -> int:
    """`amount` of `currency` in minor units of `target`, at the latest rate on `as_of`."""
    minor = to_minor(amount, currency)
    if currency == target:
        return minor
    conversion = resolve(rate_table(session, actor=actor, as_of=as_of), currency, target)
    return conversion.convert_minor(minor)


@dataclass(frozen=True)
class Known:
    """Everything the rules need about a known buyer, plus what the record keeps."""

    company: Company
    position: CreditPosition
    score: Score
    facts: BuyerFacts
    amount_minor: int
    """The order amount in the position currency."""


def buyer_facts(
    session: Session,
    *,
    actor: Actor,
    company: Company,
    amount: Decimal,
    currency: str,
    as_of: date,
) -> Known:
    position = credit_position(session, actor=actor, company_id=company.id, as_of=as_of)
    score = latest_score(session, actor=actor, company_id=company.id, as_of=as_of)
    target = position.currency
    limit = None if position.limit is None else to_minor(position.limit, target)
    facts = BuyerFacts(
        known=True,
        status=company.status,
        grade=score.grade,
        pd=score.pd,
        account_on_hold=position.account_on_hold,
        oldest_overdue_days=position.oldest_overdue_days,
        limit_minor=limit,
        limit_expired=position.limit_expired,
        exposure_minor=to_minor(position.exposure, target),
    )
    amount_minor = in_currency(
        session, actor=actor, amount=amount, currency=currency, target=target, as_of=as_of
    )
    return Known(company, position, score, facts, amount_minor)


def rules_for(policy: PolicyInForce, *, currency: str) -> CheckoutRules:
    """The policy's parameters for the rules; the starting limit matters only for a buyer
    without a limit, whose position is in the base currency, the policy's own."""
    terms = policy.policy
    return CheckoutRules(
        currency=currency,
        max_terms_days=CHECKOUT.max_terms_days,
        overdue_tolerance_days=terms.overdue_tolerance_days,
        max_credit_grade=terms.max_credit_grade,
        starting_limit_minor=to_minor(
            round_to_currency(terms.progressive.starting_limit, policy.currency), policy.currency
        ),
        over_limit_referral_share=CHECKOUT.over_limit_referral_share,
    )
