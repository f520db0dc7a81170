"""Checkout policy parameters, expired reservations released, the integrator role (SQLite and
PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.builders import Tenant, client_for, make_tenant
from decisions.builders import TODAY, add_buyer, add_invoice, checkout, grant_limit
from tradecredit.api.app import create_app
from tradecredit.audit.models import AuditEvent
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.decisions import expiry, service
from tradecredit.decisions.models import CheckoutDecision
from tradecredit.decisions.schemas import DecisionCreate
from tradecredit.exposure.service import buyer_exposures
from tradecredit.kit.clock import FixedClock
from tradecredit.kit.errors import PermissionDenied
from tradecredit.limits.policy import CheckoutPolicy, CreditPolicy, policy_from_toml, policy_to_toml
from tradecredit.limits.policy_store import set_policy
from tradecredit.orders.models import Order
from tradecredit.orders.schemas import DeliveryCreate
from tradecredit.orders.service import record_delivery
from tradecredit.organisations.roles import Role
from tradecredit.organisations.service import system_actor

pytestmark = pytest.mark.usefixtures("clock")


def decide(session: Session, actor: Actor, body: dict[str, Any]) -> CheckoutDecision:
    return service.decide_checkout(session, actor=actor, data=DecisionCreate.model_validate(body))


def exposure(engine: Engine, actor: Actor, company_id: uuid.UUID) -> Decimal:
    with unit_of_work(engine) as session:
        found = buyer_exposures(
            session,
            actor=actor,
            company_ids=[company_id],
            as_of=TODAY + timedelta(days=30),
            currency="EUR",
        )[company_id]
    return found.total


def test_the_policy_sets_the_checkout_terms_margin_and_validity(
    engine: Engine, actor: Actor, clock: FixedClock
) -> None:
    with unit_of_work(engine) as session:
        grant_limit(session, actor, add_buyer(session, actor, "POL1"), "1000")
        set_policy(
            session,
            actor=actor,
            policy=CreditPolicy(
                checkout=CheckoutPolicy(
                    max_terms_days=30,
                    over_limit_referral_share=Decimal("0.5"),
                    approval_validity_days=3,
                )
            ),
        )
    with unit_of_work(engine) as session:
        long_terms = decide(session, actor, checkout("POL1", "10") | {"terms_days": 45})
        approved = decide(session, actor, checkout("POL1", "100"))
        over_by_40_percent = decide(session, actor, checkout("POL1", "1300"))
    assert long_terms.outcome == "decline"
    assert "TERMS_ABOVE_POLICY" in long_terms.reasons
    assert approved.expires_at == clock.now() + timedelta(days=3)
    assert over_by_40_percent.outcome == "refer", "within the policy's 50% referral margin"


def test_the_checkout_section_round_trips_through_toml_and_is_validated() -> None:
    policy = CreditPolicy(checkout=CheckoutPolicy(max_terms_days=60))
    text = policy_to_toml(policy)
    assert "[checkout]" in text
    assert policy_from_toml("policy.toml", text) == policy
    with pytest.raises(Exception, match=r"checkout\.max_terms_days"):
        policy_from_toml("policy.toml", "[checkout]\nmax_terms_days = 365\n")


def approve(engine: Engine, actor: Actor, reg: str, amount: str, **extra: Any) -> CheckoutDecision:
    with unit_of_work(engine) as session:
        grant_limit(session, actor, add_buyer(session, actor, reg), "10000")
    with unit_of_work(engine) as session:
        decision = decide(session, actor, checkout(reg, amount) | extra)
    assert decision.outcome == "approve"
    return decision


def test_an_expired_undelivered_reservation_is_cancelled_once_and_audited(
    engine: Engine, actor: Actor, clock: FixedClock
) -> None:
    decision = approve(engine, actor, "EXP1", "2500")
    assert decision.company_id is not None
    assert exposure(engine, actor, decision.company_id) == Decimal("2500.00")
    with unit_of_work(engine) as session:
        early = expiry.release_expired(session, actor=actor)
    assert early == [], "not expired yet"
    clock.advance(timedelta(days=15))
    with unit_of_work(engine) as session:
        planned = expiry.release_expired(session, actor=actor, dry_run=True)
    with unit_of_work(engine) as session:
        released = expiry.release_expired(session, actor=actor)
        again = expiry.release_expired(session, actor=actor)
    assert [r.decision_id for r in planned] == [r.decision_id for r in released] == [decision.id]
    assert again == []
    assert exposure(engine, actor, decision.company_id) == Decimal("0.00")
    with unit_of_work(engine) as session:
        order = session.get(Order, decision.order_id)
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.org_id == actor.org_id, AuditEvent.action == "order.cancelled"
            )
        ).all()
    assert order is not None
    assert order.status == "cancelled"
    assert order.cancelled_on == clock.today()
    assert str(decision.id) in (order.cancellation_reason or "")
    assert [e.entity_id for e in events] == [str(order.id)]


def test_delivered_or_invoiced_reservations_are_left_alone(
    engine: Engine, actor: Actor, clock: FixedClock
) -> None:
    delivered = approve(engine, actor, "DLV1", "100")
    invoiced = approve(engine, actor, "INV1", "100", order_reference="PO-INV1")
    assert delivered.order_id is not None
    with unit_of_work(engine) as session:
        record_delivery(
            session,
            actor=actor,
            order_id=delivered.order_id,
            data=DeliveryCreate(delivered_on=TODAY, amount=Decimal("40")),
        )
        add_invoice(
            session,
            actor,
            "INV1",
            "F-1",
            "100",
            issued=TODAY,
            due=TODAY + timedelta(days=30),
            order_reference="PO-INV1",
        )
    clock.advance(timedelta(days=30))
    with unit_of_work(engine) as session:
        assert expiry.release_expired(session, actor=actor) == []
    assert invoiced.outcome == "approve"


def test_releasing_needs_ledger_rights_and_sees_one_organisation(
    engine: Engine, actor: Actor, other_actor: Actor, clock: FixedClock
) -> None:
    approve(engine, actor, "ISO1", "100")
    clock.advance(timedelta(days=30))
    viewer = Actor(org_id=actor.org_id, name="viewer", role=Role.VIEWER)
    with unit_of_work(engine) as session, pytest.raises(PermissionDenied):
        expiry.release_expired(session, actor=viewer)
    with unit_of_work(engine) as session:
        assert expiry.release_expired(session, actor=other_actor) == []
        assert len(expiry.release_expired(session, actor=actor)) == 1


@pytest.fixture
def tenant(engine: Engine) -> Tenant:
    return make_tenant(engine, roles=(Role.ADMIN, Role.VIEWER, Role.INTEGRATOR))


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    return create_app(engine, migrate=False)


def test_release_expired_over_the_api(
    app: FastAPI, engine: Engine, tenant: Tenant, clock: FixedClock
) -> None:
    approve(engine, system_actor(tenant.org_id, "test"), "API9", "300")
    clock.advance(timedelta(days=15))
    with client_for(app, tenant.keys[Role.ADMIN]) as admin:
        dry = admin.post("/v1/decisions/release-expired", json={"dry_run": True})
        done = admin.post("/v1/decisions/release-expired", json={})
        again = admin.post("/v1/decisions/release-expired", json={})
        bad = admin.post("/v1/decisions/release-expired", json={"dry_run": "maybe"})
    with client_for(app, tenant.keys[Role.VIEWER]) as viewer:
        refused = viewer.post("/v1/decisions/release-expired", json={})
    assert dry.status_code == done.status_code == 201, dry.text
    assert bad.status_code == 422
    assert dry.json()["dry_run"] is True
    assert [r["amount"] for r in dry.json()["released"]] == ["300.00"]
    assert done.json()["released"] == dry.json()["released"]
    assert again.json()["released"] == []
    assert refused.status_code == 403


def test_an_integrator_key_decides_and_reads_its_decisions_and_nothing_else(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    with unit_of_work(engine) as session:
        actor = system_actor(tenant.org_id, "test")
        grant_limit(session, actor, add_buyer(session, actor, "INT1"), "1000")
    with client_for(app, tenant.keys[Role.INTEGRATOR]) as integrator:
        decided = integrator.post(
            "/v1/decisions", json=checkout("INT1", "100"), headers={"Idempotency-Key": "i-1"}
        )
        routed = integrator.post(
            "/v1/decisions",
            content=b'{"registration_number": "INT1", "country": "DE", "currency": "EUR", '
            b'"amount": "50", "terms_days": 30}',
            headers={"Idempotency-Key": "i-2", "Content-Type": "application/json; charset=utf-8"},
        )
        read = integrator.get(f"/v1/decisions/{decided.json()['decision_id']}")
        companies = integrator.get("/v1/companies")
        released = integrator.post("/v1/decisions/release-expired", json={})
    assert decided.status_code == routed.status_code == 201, decided.text
    assert decided.json()["outcome"] == "approve"
    assert read.status_code == 200
    assert companies.status_code == 403
    assert released.status_code == 403
    with unit_of_work(engine) as session:
        actors = set(
            session.scalars(
                select(AuditEvent.actor).where(
                    AuditEvent.org_id == tenant.org_id,
                    AuditEvent.action.in_(("order.created", "checkout_decision.made")),
                )
            )
        )
    assert actors == {f"user:{Role.INTEGRATOR.value}@{tenant.slug}.test"}


def test_a_collector_or_an_analyst_may_not_decide(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as session:
        add_buyer(session, actor, "NOPE")
    for role in (Role.COLLECTOR, Role.CREDIT_ANALYST, Role.VIEWER):
        other = Actor(org_id=actor.org_id, name=role.value, role=role)
        with unit_of_work(engine) as session, pytest.raises(PermissionDenied):
            decide(session, other, checkout("NOPE", "10"))
