"""What a decision writes with single INSERTs (`decisions/store.py`) is what the ORM path wrote:
the audit `after` of the order and of the decision is `snapshot()` of the stored row, the chain
verifies, the events are in order (account opened, order created, decision made), and through
the API the answer is stored before the audit append, in the same transaction."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.builders import Tenant
from decisions.builders import add_buyer, checkout, grant_limit
from tradecredit.audit.canonical import canonical_json
from tradecredit.audit.models import AuditEvent
from tradecredit.audit.service import verify_chain
from tradecredit.companies import service as companies
from tradecredit.companies.schemas import CompanyCreate
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.db.snapshot import snapshot
from tradecredit.decisions import service
from tradecredit.decisions.models import CheckoutDecision
from tradecredit.decisions.schemas import DecisionCreate
from tradecredit.idempotency.models import IdempotencyRecord
from tradecredit.orders.models import Order
from tradecredit.organisations.service import system_actor
from tradecredit.receivables.models import CustomerAccount

pytestmark = pytest.mark.usefixtures("clock")


def _events(session: Session, org_id: uuid.UUID, after_seq: int = 0) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.org_id == org_id, AuditEvent.seq > after_seq)
            .order_by(AuditEvent.seq)
        )
    )


def _last_seq(session: Session, org_id: uuid.UUID) -> int:
    events = _events(session, org_id)
    return events[-1].seq if events else 0


def test_audit_after_is_the_snapshot_of_the_stored_rows(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as session:
        grant_limit(session, actor, add_buyer(session, actor, "REC1"), "1000")
        start = _last_seq(session, actor.org_id)
    with unit_of_work(engine) as session:
        decided = service.decide_checkout(
            session, actor=actor, data=DecisionCreate.model_validate(checkout("REC1", "250.50"))
        )
    with unit_of_work(engine) as session:
        events = _events(session, actor.org_id, start)
        order = session.get(Order, decided.order_id)
        decision = session.get(CheckoutDecision, decided.id)
        assert order is not None
        assert decision is not None
        assert [e.action for e in events] == ["order.created", "checkout_decision.made"]
        assert [e.entity_id for e in events] == [str(order.id), str(decision.id)]
        assert events[0].after == canonical_json(snapshot(order))
        assert events[1].after == canonical_json(snapshot(decision))
        assert events[0].before is None
        assert verify_chain(session, org_id=actor.org_id).ok
    assert (order.status, order.order_date, order.amount_minor) == (
        "ordered",
        decided.created_at.date(),
        25050,
    )
    assert decision.order_reference == order.order_reference == f"checkout-{decision.id}"
    for column, value in snapshot(decision).items():
        assert getattr(decided, column) == value, column


def test_a_buyer_without_an_account_gets_one_opened_and_audited_first(
    engine: Engine, actor: Actor
) -> None:
    with unit_of_work(engine) as session:
        companies.create_company(
            session,
            actor=actor,
            data=CompanyCreate(
                registration_number="NOACC", country="DE", name="No account", sector="C25"
            ),
        )
        start = _last_seq(session, actor.org_id)
    with unit_of_work(engine) as session:
        decided = service.decide_checkout(
            session, actor=actor, data=DecisionCreate.model_validate(checkout("NOACC", "10"))
        )
    with unit_of_work(engine) as session:
        actions = [e.action for e in _events(session, actor.org_id, start)]
        account = session.scalars(
            select(CustomerAccount).where(CustomerAccount.org_id == actor.org_id)
        ).one()
        order = session.get(Order, decided.order_id)
        assert verify_chain(session, org_id=actor.org_id).ok
    assert decided.outcome == "approve"
    assert actions == ["account.opened", "order.created", "checkout_decision.made"]
    assert order is not None
    assert order.account_id == account.id


def test_a_decline_writes_the_decision_and_its_event_only(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as session:
        grant_limit(session, actor, add_buyer(session, actor, "REC2"), "100")
        start = _last_seq(session, actor.org_id)
    with unit_of_work(engine) as session:
        decided = service.decide_checkout(
            session, actor=actor, data=DecisionCreate.model_validate(checkout("REC2", "500"))
        )
    with unit_of_work(engine) as session:
        events = _events(session, actor.org_id, start)
        orders = session.scalars(select(Order).where(Order.org_id == actor.org_id)).all()
    assert decided.outcome == "decline"
    assert [e.action for e in events] == ["checkout_decision.made"]
    assert orders == []


def test_through_the_api_answer_record_and_audit_commit_together(
    api: TestClient, engine: Engine, tenant: Tenant
) -> None:
    with unit_of_work(engine) as session:
        admin = system_actor(tenant.org_id, "test")
        grant_limit(session, admin, add_buyer(session, admin, "REC3"), "1000")
        start = _last_seq(session, tenant.org_id)
    answer = api.post(
        "/v1/decisions", json=checkout("REC3", "100"), headers={"Idempotency-Key": "rec-3"}
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    with unit_of_work(engine) as session:
        record = session.scalars(
            select(IdempotencyRecord).where(
                IdempotencyRecord.org_id == tenant.org_id, IdempotencyRecord.key == "rec-3"
            )
        ).one()
        events = _events(session, tenant.org_id, start)
        assert verify_chain(session, org_id=tenant.org_id).ok
    assert (record.status_code, json.loads(record.response_body)) == (201, body)
    assert [e.action for e in events] == ["order.created", "checkout_decision.made"]
    assert events[1].entity_id == body["decision_id"]
    assert events[1].actor.startswith("user:")


def test_the_plain_record_has_exactly_the_rows_columns() -> None:
    """`decide_checkout` returns a DecisionRecord built from the values it inserted: it must
    name every column of checkout_decisions and nothing else."""
    from dataclasses import fields

    from tradecredit.decisions.models import CheckoutDecision, DecisionRecord

    columns = [column.name for column in CheckoutDecision.__table__.columns]
    assert sorted(field.name for field in fields(DecisionRecord)) == sorted(columns)
