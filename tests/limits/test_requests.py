"""Limit requests end to end on both databases: the engine, tiered authority, people deciding,
the exposure check, idempotency, and the limits that decisions set."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from limits.builders import (
    AS_OF,
    STRONG,
    add_buyer,
    add_decider,
    add_invoice,
    add_rate,
    establish,
)
from tradecredit.audit.models import AuditEvent
from tradecredit.context import Actor
from tradecredit.kit.clock import FixedClock
from tradecredit.kit.errors import IdempotencyKeyReused, NotFound, PermissionDenied
from tradecredit.limits.decisions import (
    AlreadyDecided,
    NewRequest,
    current_limit,
    request_limit,
)
from tradecredit.limits.models import CreditLimit, LimitDecision, LimitRequest
from tradecredit.limits.person import BelowExposure, PersonDecision, decide_by_person
from tradecredit.organisations.roles import Role


def ask(
    session: Session, actor: Actor, company_id: object, amount: str, **extra: object
) -> LimitRequest:
    data = NewRequest(
        company_id=company_id, amount=Decimal(amount), currency="EUR", as_of=AS_OF, **extra
    )  # type: ignore[arg-type]
    return request_limit(session, actor=actor, data=data)


def decisions(session: Session, request: LimitRequest) -> list[LimitDecision]:
    return list(
        session.scalars(
            select(LimitDecision)
            .where(LimitDecision.request_id == request.id)
            .order_by(LimitDecision.created_at, LimitDecision.id)
        )
    )


def reason_codes(decision: LimitDecision) -> list[str]:
    return [reason["code"] for reason in json.loads(decision.reasons)]


@pytest.fixture
def deciders(session: Session, actor: Actor) -> dict[Role, Actor]:
    return {
        Role.CREDIT_ANALYST: add_decider(session, actor, Role.CREDIT_ANALYST, "10000"),
        Role.CREDIT_MANAGER: add_decider(session, actor, Role.CREDIT_MANAGER, "50000"),
        Role.UNDERWRITER: add_decider(session, actor, Role.UNDERWRITER, "200000"),
    }


def buyer(session: Session, actor: Actor, reg: str, grade: int, **extra: object) -> object:
    company_id = add_buyer(session, actor, reg, grade=grade, statement=STRONG, **extra)  # type: ignore[arg-type]
    establish(session, actor, reg)
    return company_id


def test_within_recommendation_and_engine_authority_the_engine_approves(
    session: Session, actor: Actor, clock: FixedClock
) -> None:
    company_id = buyer(session, actor, "G4", grade=4)
    request = ask(session, actor, company_id, "40000", reason="new contract")
    assert request.status == "approved"
    (decision,) = decisions(session, request)
    assert decision.decided_by == "engine"
    assert decision.amount_minor == 40_000_00
    assert decision.recommended_minor == 160_000_00
    assert decision.binding == "capacity"
    assert decision.authority_minor == 100_000_00
    assert decision.valid_until == date(2027, 3, 31)
    assert reason_codes(decision) == ["LIMIT_BOUND_BY_CAPACITY", "WITHIN_RECOMMENDATION"]
    limit = current_limit(session, actor=actor, company_id=company_id)  # type: ignore[arg-type]
    assert limit is not None
    assert (limit.amount_minor, limit.currency, limit.decision_id) == (
        40_000_00,
        "EUR",
        decision.id,
    )
    assert limit.review_on == date(2026, 6, 30), "grade 4 is medium risk: quarterly review"


def test_above_recommendation_is_partly_approved(
    session: Session, actor: Actor, clock: FixedClock
) -> None:
    company_id = buyer(session, actor, "G4P", grade=4)
    actor_policy = {"engine_authority": ["500000"] * 9 + ["0"]}
    from tradecredit.limits.policy import CreditPolicy
    from tradecredit.limits.policy_store import set_policy

    set_policy(session, actor=actor, policy=CreditPolicy.model_validate(actor_policy))
    request = ask(session, actor, company_id, "250000")
    assert request.status == "partly_approved"
    (decision,) = decisions(session, request)
    assert decision.amount_minor == 160_000_00
    assert decision.policy_version == 1


def test_referred_to_the_lowest_role_whose_authority_covers_the_amount(
    session: Session, actor: Actor, clock: FixedClock, deciders: dict[Role, Actor]
) -> None:
    grade7 = buyer(session, actor, "G7", grade=7)
    grade6 = buyer(session, actor, "G6", grade=6)
    to_manager = ask(session, actor, grade7, "40000")
    to_underwriter = ask(session, actor, grade6, "80000")
    assert (to_manager.status, to_manager.referred_to_role) == ("referred", "credit_manager")
    assert (to_underwriter.status, to_underwriter.referred_to_role) == ("referred", "underwriter")
    (decision,) = decisions(session, to_underwriter)
    assert decision.amount_minor is None
    assert decision.valid_until == date(2026, 4, 30), "a referral lapses after 30 days"
    assert reason_codes(decision)[-2:] == ["ABOVE_ENGINE_AUTHORITY", "REFERRED_TO_ROLE"]
    assert current_limit(session, actor=actor, company_id=grade6) is None  # type: ignore[arg-type]


def test_a_credit_manager_with_authority_50000_cannot_approve_80000(
    session: Session, actor: Actor, clock: FixedClock, deciders: dict[Role, Actor]
) -> None:
    company_id = buyer(session, actor, "G6M", grade=6)
    request = ask(session, actor, company_id, "80000")
    manager = deciders[Role.CREDIT_MANAGER]
    with pytest.raises(PermissionDenied) as refused:
        decide_by_person(
            session, actor=manager, data=PersonDecision(request.id, approve=True, note="ok")
        )
    assert "approval authority 50,000.00 EUR, which does not cover 80,000.00 EUR" in str(
        refused.value
    )
    assert request.status == "referred"
    assert len(decisions(session, request)) == 1
    partly = decide_by_person(
        session,
        actor=manager,
        data=PersonDecision(request.id, approve=True, note="half now", amount=Decimal("50000")),
    )
    assert partly.status == "partly_approved"
    limit = current_limit(session, actor=actor, company_id=company_id)  # type: ignore[arg-type]
    assert limit is not None
    assert limit.amount_minor == 50_000_00


def test_the_underwriter_approves_within_authority_and_the_limit_is_set(
    session: Session, actor: Actor, clock: FixedClock, deciders: dict[Role, Actor]
) -> None:
    company_id = buyer(session, actor, "G6U", grade=6)
    request = ask(session, actor, company_id, "80000")
    decided = decide_by_person(
        session,
        actor=deciders[Role.UNDERWRITER],
        data=PersonDecision(request.id, approve=True, note="long-standing customer"),
    )
    assert decided.status == "approved"
    engine, person = decisions(session, request)
    assert person.decided_by_user_id == deciders[Role.UNDERWRITER].user_id
    assert (person.authority_minor, person.authority_currency) == (200_000_00, "EUR")
    assert person.grade == engine.grade == 6
    assert reason_codes(person) == ["APPROVED_BY_PERSON"]
    assert "long-standing customer" in json.loads(person.reasons)[0]["text_en"]
    with pytest.raises(AlreadyDecided):
        decide_by_person(
            session,
            actor=deciders[Role.UNDERWRITER],
            data=PersonDecision(request.id, approve=False, note="again"),
        )


def test_without_a_user_covering_the_amount_the_request_goes_to_admin(
    session: Session, actor: Actor, clock: FixedClock
) -> None:
    add_decider(session, actor, Role.CREDIT_ANALYST, "10000")
    add_decider(session, actor, Role.ADMIN, None)
    company_id = buyer(session, actor, "G6A", grade=6)
    request = ask(session, actor, company_id, "80000")
    assert request.referred_to_role == "admin"
    assert "NO_AUTHORITY_COVERS" in reason_codes(decisions(session, request)[0])


def test_authority_in_another_currency_is_converted_with_the_dated_rate(
    session: Session, actor: Actor, clock: FixedClock
) -> None:
    add_rate(session, actor, "EUR", "USD", "1.10", date(2026, 3, 30))
    covering = add_decider(session, actor, Role.CREDIT_MANAGER, "90000", currency="USD")
    company_id = buyer(session, actor, "G6X", grade=6)
    request = ask(session, actor, company_id, "80000")
    assert request.referred_to_role == "credit_manager", "80,000 EUR = 88,000 USD <= 90,000 USD"
    short = add_decider(session, actor, Role.UNDERWRITER, "87999.99", currency="USD")
    with pytest.raises(PermissionDenied, match=r"87,999\.99 USD"):
        decide_by_person(session, actor=short, data=PersonDecision(request.id, True, "no"))
    decided = decide_by_person(session, actor=covering, data=PersonDecision(request.id, True, "ok"))
    assert decided.status == "approved"


def test_a_limit_below_the_current_exposure_needs_an_explicit_confirmation(
    session: Session, actor: Actor, clock: FixedClock, deciders: dict[Role, Actor]
) -> None:
    company_id = buyer(session, actor, "G4E", grade=4)
    add_invoice(
        session, actor, "G4E", "G4E-1", "45000", issued=date(2026, 3, 1), due=date(2026, 4, 30)
    )
    engine_request = ask(session, actor, company_id, "30000")
    assert engine_request.status == "referred"
    assert reason_codes(decisions(session, engine_request)[0])[-2] == "BELOW_EXPOSURE"
    manager = deciders[Role.CREDIT_MANAGER]
    with pytest.raises(BelowExposure, match=r"below the current exposure 45,000\.00 EUR"):
        decide_by_person(
            session, actor=manager, data=PersonDecision(engine_request.id, True, "cut")
        )
    decide_by_person(
        session,
        actor=manager,
        data=PersonDecision(
            engine_request.id, True, "reduce after late payments", confirm_below_exposure=True
        ),
    )
    person = decisions(session, engine_request)[-1]
    assert person.below_exposure_confirmed
    assert person.exposure_minor == 45_000_00
    assert "BELOW_EXPOSURE_CONFIRMED" in reason_codes(person)
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.org_id == actor.org_id, AuditEvent.action == "limit_request.decided"
        )
    ).one()
    assert "reduce after late payments" in (event.after or "")
    confirmed = ask(session, actor, company_id, "20000", confirm_below_exposure=True)
    assert confirmed.status == "partly_approved", "need: 45,000 x 45 / 365 = 5,547.94"
    engine = decisions(session, confirmed)[0]
    assert (engine.amount_minor, engine.binding) == (5_500_00, "need")
    assert engine.below_exposure_confirmed
    assert reason_codes(engine)[-1] == "BELOW_EXPOSURE_CONFIRMED"


def test_the_same_idempotency_key_gives_one_request_and_one_decision(
    session: Session, actor: Actor, clock: FixedClock
) -> None:
    company_id = buyer(session, actor, "G4I", grade=4)
    data = NewRequest(company_id=company_id, amount=Decimal("1000"), currency="EUR", as_of=AS_OF)  # type: ignore[arg-type]
    first = request_limit(session, actor=actor, data=data, idempotency_key="k-1")
    again = request_limit(session, actor=actor, data=data, idempotency_key="k-1")
    assert again.id == first.id
    count = session.scalars(select(LimitRequest).where(LimitRequest.org_id == actor.org_id)).all()
    assert len(count) == 1
    assert len(decisions(session, first)) == 1
    other = NewRequest(company_id=company_id, amount=Decimal("2000"), currency="EUR", as_of=AS_OF)  # type: ignore[arg-type]
    with pytest.raises(IdempotencyKeyReused):
        request_limit(session, actor=actor, data=other, idempotency_key="k-1")


def test_a_new_decision_replaces_the_limit_and_keeps_its_history(
    session: Session, actor: Actor, clock: FixedClock
) -> None:
    company_id = buyer(session, actor, "G4H", grade=4)
    ask(session, actor, company_id, "10000")
    ask(session, actor, company_id, "20000")
    rows = session.scalars(
        select(CreditLimit)
        .where(CreditLimit.org_id == actor.org_id, CreditLimit.company_id == company_id)
        .order_by(CreditLimit.created_at, CreditLimit.amount_minor)
    ).all()
    assert [(r.amount_minor, r.active) for r in rows] == [(10_000_00, False), (20_000_00, True)]
    assert rows[0].ended_at is not None


def test_refusals_keep_the_limit_and_insolvent_buyers_are_refused(
    session: Session, actor: Actor, clock: FixedClock, deciders: dict[Role, Actor]
) -> None:
    insolvent = buyer(session, actor, "G10", grade=10, status="insolvent")
    request = ask(session, actor, insolvent, "1000")
    assert request.status == "refused"
    assert reason_codes(decisions(session, request)[0]) == ["BUYER_INSOLVENT"]
    assert current_limit(session, actor=actor, company_id=insolvent) is None  # type: ignore[arg-type]
    company_id = buyer(session, actor, "G6R", grade=6)
    ask(session, actor, company_id, "20000")
    referred = ask(session, actor, company_id, "90000")
    refused = decide_by_person(
        session,
        actor=deciders[Role.UNDERWRITER],
        data=PersonDecision(referred.id, approve=False, note="too concentrated"),
    )
    assert refused.status == "refused"
    limit = current_limit(session, actor=actor, company_id=company_id)  # type: ignore[arg-type]
    assert limit is not None
    assert limit.amount_minor == 20_000_00


def test_another_organisations_buyer_or_request_is_not_found(
    session: Session, actor: Actor, other_actor: Actor, clock: FixedClock
) -> None:
    company_id = buyer(session, actor, "G4T", grade=4)
    request = ask(session, actor, company_id, "1000")
    with pytest.raises(NotFound):
        ask(session, other_actor, company_id, "1000")
    stranger = add_decider(session, other_actor, Role.UNDERWRITER, "1000000")
    with pytest.raises(NotFound):
        decide_by_person(session, actor=stranger, data=PersonDecision(request.id, True, "x"))


def test_viewers_cannot_request_and_analysts_need_authority(
    session: Session, actor: Actor, clock: FixedClock
) -> None:
    company_id = buyer(session, actor, "G6V", grade=6)
    viewer = Actor(org_id=actor.org_id, name="viewer", role=Role.VIEWER)
    with pytest.raises(PermissionDenied, match="request limits"):
        ask(session, viewer, company_id, "1000")
    analyst = add_decider(session, actor, Role.CREDIT_ANALYST, None)
    request = ask(session, analyst, company_id, "60000")
    with pytest.raises(PermissionDenied, match="approval authority none"):
        decide_by_person(session, actor=analyst, data=PersonDecision(request.id, True, "x"))
