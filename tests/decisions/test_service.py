"""Deciding checkouts against a real database (SQLite and PostgreSQL): reservations, exposure,
audit, policy changes, currencies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from decisions.builders import TODAY, add_buyer, add_invoice, checkout, grant_limit
from tradecredit.audit.models import AuditEvent
from tradecredit.audit.service import verify_chain
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.decisions import service
from tradecredit.decisions.models import CheckoutDecision
from tradecredit.decisions.schemas import DecisionCreate
from tradecredit.decisions.shape import decision_out
from tradecredit.exposure.service import buyer_exposures
from tradecredit.fx import service as fx
from tradecredit.fx.schemas import FxRateCreate
from tradecredit.kit.clock import FixedClock
from tradecredit.kit.errors import AlreadyExists, PermissionDenied
from tradecredit.limits.policy import DEFAULT_POLICY, CreditPolicy, ProgressivePolicy
from tradecredit.limits.policy_store import set_policy
from tradecredit.orders.models import Order
from tradecredit.organisations.roles import Role

pytestmark = pytest.mark.usefixtures("clock")


def decide(session: Session, actor: Actor, body: dict[str, Any]) -> CheckoutDecision:
    return service.decide_checkout(session, actor=actor, data=DecisionCreate.model_validate(body))


def test_an_approval_reserves_the_amount_as_an_order_and_is_audited(
    engine: Engine, actor: Actor
) -> None:
    with unit_of_work(engine) as session:
        company_id = add_buyer(session, actor, "HRB1")
        grant_limit(session, actor, company_id, "10000")
    with unit_of_work(engine) as session:
        decision = decide(session, actor, checkout("HRB1", "2500.00"))
    with unit_of_work(engine) as session:
        answer = decision_out(service.get_decision(session, actor=actor, decision_id=decision.id))
        order = session.scalars(select(Order).where(Order.org_id == actor.org_id)).one()
        exposure = buyer_exposures(
            session, actor=actor, company_ids=[company_id], as_of=TODAY, currency="EUR"
        )[company_id]
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == str(decision.id))
        ).all()
        assert verify_chain(session, org_id=actor.org_id).ok
    assert answer.outcome == "approve"
    assert [r.code for r in answer.reasons] == ["WITHIN_LIMIT"]
    assert (answer.limit, answer.exposure, answer.limit_left) == (
        Decimal("10000.00"),
        Decimal("0.00"),
        Decimal("7500.00"),
    )
    assert (answer.grade, answer.pd, answer.score_as_of) == (4, Decimal("0.008"), date(2026, 3, 1))
    assert order.order_reference == f"checkout-{decision.id}" == answer.order_reference
    assert (order.amount_minor, order.currency, order.order_date) == (250000, "EUR", TODAY)
    assert answer.order_id == order.id
    assert answer.expires_at is not None
    assert exposure.uninvoiced_orders == Decimal("2500.00")
    assert [e.action for e in events] == ["checkout_decision.made"]


def test_the_next_decision_sees_the_reservation_and_an_invoice_releases_it(
    engine: Engine, actor: Actor
) -> None:
    with unit_of_work(engine) as session:
        company_id = add_buyer(session, actor, "HRB2")
        grant_limit(session, actor, company_id, "1000")
    with unit_of_work(engine) as session:
        first = decide(session, actor, checkout("HRB2", "800", order_reference="SHOP-1"))
    with unit_of_work(engine) as session:
        second = decide(session, actor, checkout("HRB2", "400"))
    assert (first.outcome, first.order_reference) == ("approve", "SHOP-1")
    assert second.outcome == "decline"
    assert (second.exposure_minor, second.limit_left_minor) == (80000, 20000)
    assert second.order_id is None
    with unit_of_work(engine) as session:
        add_invoice(
            session,
            actor,
            "HRB2",
            "INV-1",
            "800",
            issued=TODAY,
            due=date(2026, 4, 30),
            order_reference="SHOP-1",
        )
        exposure = buyer_exposures(
            session, actor=actor, company_ids=[company_id], as_of=TODAY, currency="EUR"
        )[company_id]
        third = decide(session, actor, checkout("HRB2", "150"))
    assert (exposure.uninvoiced_orders, exposure.open_invoices) == (Decimal(0), Decimal(800))
    assert third.outcome == "approve"
    assert third.exposure_minor == 80000


def test_unknown_buyer_is_referred_and_nothing_is_reserved(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as session:
        decision = decide(session, actor, checkout("NOBODY", "10", name="Who Knows GmbH"))
        orders = session.scalars(select(Order).where(Order.org_id == actor.org_id)).all()
    answer = decision_out(decision)
    assert answer.outcome == "refer"
    assert [r.code for r in answer.reasons] == ["NO_ASSESSMENT"]
    assert answer.buyer.company_id is None
    assert answer.buyer.name == "Who Knows GmbH"
    assert answer.limit is None
    assert answer.grade is None
    assert orders == []


def test_new_buyer_uses_the_policys_starting_limit_and_sees_a_policy_change(
    engine: Engine, actor: Actor
) -> None:
    with unit_of_work(engine) as session:
        add_buyer(session, actor, "NEW1")
    with unit_of_work(engine) as session:
        within = decide(session, actor, checkout("NEW1", "5000"))
        above = decide(session, actor, checkout("NEW1", "0.01"))
    assert (within.outcome, above.outcome) == ("approve", "refer")
    assert within.limit_minor == 500000
    assert within.policy_version == 0
    with unit_of_work(engine) as session:
        set_policy(
            session,
            actor=actor,
            policy=CreditPolicy(progressive=ProgressivePolicy(starting_limit=Decimal(8000))),
        )
    with unit_of_work(engine) as session:
        raised = decide(session, actor, checkout("NEW1", "3000"))
    assert raised.outcome == "approve"
    assert (raised.policy_version, raised.limit_minor, raised.limit_left_minor) == (1, 800000, 0)


def test_declines_for_hold_insolvency_and_overdue_with_all_reasons(
    engine: Engine, actor: Actor
) -> None:
    with unit_of_work(engine) as session:
        held = add_buyer(session, actor, "HOLD", on_hold=True)
        grant_limit(session, actor, held, "5000")
        add_buyer(session, actor, "BUST", status="insolvent", grade=10)
        add_invoice(
            session, actor, "HOLD", "OLD-1", "10", issued=date(2026, 1, 1), due=date(2026, 2, 1)
        )
    with unit_of_work(engine) as session:
        on_hold = decide(session, actor, checkout("HOLD", "10"))
        insolvent = decide(session, actor, checkout("BUST", "10"))
    assert on_hold.outcome == "decline"
    assert [r["code"] for r in _reasons(on_hold)] == ["ACCOUNT_ON_HOLD", "OVERDUE_BEYOND_TOLERANCE"]
    assert "58 days overdue" in _reasons(on_hold)[1]["text_en"]
    assert insolvent.outcome == "decline"
    assert [r["code"] for r in _reasons(insolvent)] == ["BUYER_INSOLVENT"]


def _reasons(decision: CheckoutDecision) -> list[dict[str, str]]:
    return [r.model_dump() for r in decision_out(decision).reasons]


def test_an_amount_in_another_currency_is_converted_at_the_days_rate(
    engine: Engine, actor: Actor
) -> None:
    with unit_of_work(engine) as session:
        company_id = add_buyer(session, actor, "FX1")
        grant_limit(session, actor, company_id, "1000")
        fx.add_rate(
            session,
            actor=actor,
            data=FxRateCreate(
                rate_date=date(2026, 3, 30), base_currency="EUR", quote_currency="USD", rate="1.25"
            ),
        )
    with unit_of_work(engine) as session:
        decision = decide(session, actor, checkout("FX1", "1250.00", currency="USD"))
        order = session.get(Order, decision.order_id)
    assert decision.outcome == "approve"
    assert (decision.amount_minor, decision.currency) == (125000, "USD")
    assert (decision.amount_in_position_minor, decision.position_currency) == (100000, "EUR")
    assert decision.limit_left_minor == 0
    assert order is not None
    assert (order.amount_minor, order.currency) == (125000, "USD")


def test_a_merchant_reference_already_used_is_refused_and_nothing_is_written(
    engine: Engine, actor: Actor
) -> None:
    with unit_of_work(engine) as session:
        company_id = add_buyer(session, actor, "DUP")
        grant_limit(session, actor, company_id, "1000")
    with unit_of_work(engine) as session:
        decide(session, actor, checkout("DUP", "10", order_reference="SHOP-9"))
    with pytest.raises(AlreadyExists, match="SHOP-9"), unit_of_work(engine) as session:
        decide(session, actor, checkout("DUP", "10", order_reference="SHOP-9"))
    with unit_of_work(engine) as session:
        assert len(service.list_decisions(session, actor=actor)) == 1


def test_a_viewer_may_read_but_not_decide(engine: Engine, actor: Actor) -> None:
    viewer = Actor(org_id=actor.org_id, name="viewer", role=Role.VIEWER)
    with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
        decide(session, viewer, checkout("X", "10"))
    with unit_of_work(engine) as session:
        assert service.list_decisions(session, actor=viewer) == []


def test_an_approval_expires_after_the_validity(
    engine: Engine, actor: Actor, clock: FixedClock
) -> None:
    with unit_of_work(engine) as session:
        add_buyer(session, actor, "EXP")
        decision = decide(session, actor, checkout("EXP", "10"))
    assert decision.expires_at is not None
    assert (
        decision.expires_at - clock.now()
    ).days == DEFAULT_POLICY.checkout.approval_validity_days
