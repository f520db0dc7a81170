"""Gate checks and the hold queue through the service, on both databases."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gates.builders import (
    AS_OF,
    add_buyer,
    add_invoice,
    add_order,
    add_rate,
    add_user,
    set_limit,
)
from tradecredit.audit.models import AuditEvent
from tradecredit.context import Actor
from tradecredit.gates import service
from tradecredit.gates.models import GateHold
from tradecredit.gates.schemas import GateCheckIn
from tradecredit.kit.errors import InvalidInput, NotFound, PermissionDenied
from tradecredit.organisations.roles import Role


def ask(session: Session, actor: Actor, **fields: Any) -> service.GateResult:
    body = {"registration_number": "B1", "country": "DE", "currency": "EUR", "as_of": AS_OF}
    return service.check(session, actor=actor, data=GateCheckIn.model_validate(body | fields))


def holds(session: Session, actor: Actor) -> int:
    count = session.scalar(
        select(func.count()).select_from(GateHold).where(GateHold.org_id == actor.org_id)
    )
    return int(count or 0)


def events(session: Session, actor: Actor, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.org_id == actor.org_id, AuditEvent.action == action)
        )
    )


def test_allow_warn_hold_and_the_stored_hold(session: Session, actor: Actor) -> None:
    buyer = add_buyer(session, actor, "B1")
    set_limit(session, actor, buyer, "10000.00")
    add_invoice(
        session, actor, "B1", "I-1", "7000.00", issued=date(2026, 3, 20), due=date(2026, 4, 19)
    )

    allowed = ask(session, actor, stage="order", amount="500.00")
    assert allowed.outcome.outcome.value == "allow"
    assert allowed.hold is None

    warned = ask(session, actor, stage="order", amount="1000.00")
    assert warned.outcome.outcome.value == "warn"
    assert warned.outcome.utilisation_after == Decimal("0.8000")
    assert holds(session, actor) == 0

    held = ask(session, actor, stage="order", amount="3000.01", order_reference="O-NEW")
    assert held.outcome.outcome.value == "hold"
    assert held.hold is not None
    stored = session.get(GateHold, held.hold.id)
    assert stored is not None
    assert (stored.stage, stored.amount_minor, stored.currency) == ("order", 300001, "EUR")
    assert stored.order_reference == "O-NEW"
    assert stored.status == "open"
    assert (stored.limit_minor, stored.exposure_minor) == (1_000_000, 700_000)
    assert stored.exposure_after_minor == 1_000_001
    assert [r["code"] for r in json.loads(stored.reasons)] == ["OVER_LIMIT"]
    assert holds(session, actor) == 1
    [event] = events(session, actor, "gate_hold.created")
    assert event.entity_id == str(stored.id)


def test_an_order_already_in_exposure_is_not_counted_twice(session: Session, actor: Actor) -> None:
    buyer = add_buyer(session, actor, "B1")
    set_limit(session, actor, buyer, "5000.00")
    add_order(session, actor, "B1", "O-1", "3000.00")

    named = ask(session, actor, stage="delivery", amount="3000.00", order_reference="O-1")
    assert named.already_counted == Decimal("3000.00")
    assert named.outcome.exposure == Decimal("3000.00")
    assert named.outcome.exposure_after == Decimal("3000.00")
    assert named.outcome.outcome.value == "allow"

    unnamed = ask(session, actor, stage="delivery", amount="3000.00")
    assert unnamed.already_counted == Decimal("0")
    assert unnamed.outcome.exposure_after == Decimal("6000.00")
    assert unnamed.outcome.outcome.value == "hold"

    more = ask(session, actor, stage="order", amount="3500.00", order_reference="O-1")
    assert more.already_counted == Decimal("3000.00")
    assert more.outcome.exposure_after == Decimal("3500.00")


def test_delivered_goods_are_invoiceable_over_limit_overdue_and_on_hold(
    session: Session, actor: Actor
) -> None:
    buyer = add_buyer(session, actor, "B1", on_hold=True)
    set_limit(session, actor, buyer, "1000.00")
    add_invoice(
        session, actor, "B1", "I-OLD", "2000.00", issued=date(2025, 12, 1), due=date(2025, 12, 31)
    )
    add_order(session, actor, "B1", "O-1", "3000.00", delivered="3000.00")

    by_order = ask(session, actor, stage="invoice", amount="3000.00", order_reference="O-1")
    assert by_order.outcome.outcome.value == "warn"
    assert by_order.hold is None
    codes = [reason.code for reason in by_order.outcome.reasons]
    assert codes == [
        "ACCOUNT_ON_HOLD",
        "OVERDUE_BEYOND_TOLERANCE",
        "OVER_LIMIT",
        "INVOICE_FOR_DELIVERED_GOODS",
    ]
    assert by_order.already_counted == Decimal("3000.00")

    by_flag = ask(session, actor, stage="invoice", amount="400.00", delivered=True)
    assert by_flag.outcome.outcome.value == "warn"

    not_delivered = ask(session, actor, stage="invoice", amount="400.00")
    assert not_delivered.outcome.outcome.value == "hold"
    assert holds(session, actor) == 1


def test_partly_delivered_order_does_not_cover_a_bigger_invoice(
    session: Session, actor: Actor
) -> None:
    buyer = add_buyer(session, actor, "B1")
    set_limit(session, actor, buyer, "1000.00")
    add_order(session, actor, "B1", "O-1", "3000.00", delivered="1000.00")

    result = ask(session, actor, stage="invoice", amount="2000.00", order_reference="O-1")
    assert result.already_counted == Decimal("2000.00")
    assert result.outcome.outcome.value == "hold"
    covered = ask(session, actor, stage="invoice", amount="1000.00", order_reference="O-1")
    assert covered.outcome.outcome.value == "warn"


def test_amount_in_another_currency_is_converted(session: Session, actor: Actor) -> None:
    buyer = add_buyer(session, actor, "B1")
    set_limit(session, actor, buyer, "1000.00")
    add_rate(session, actor, "EUR", "USD", "1.25", date(2026, 3, 2))

    result = ask(session, actor, stage="order", amount="1100.00", currency="USD")
    assert result.outcome.amount == Decimal("880.00")
    assert result.outcome.currency == "EUR"
    assert result.fx_rate_date == date(2026, 3, 2)
    assert result.outcome.outcome.value == "warn"


def test_no_limit_warns_at_quote_and_holds_at_order(session: Session, actor: Actor) -> None:
    add_buyer(session, actor, "B1")
    assert ask(session, actor, stage="quote", amount="100").outcome.outcome.value == "warn"
    assert ask(session, actor, stage="order", amount="100").outcome.outcome.value == "hold"


def test_refusals(session: Session, actor: Actor, other_actor: Actor) -> None:
    buyer = add_buyer(session, actor, "B1")
    add_buyer(session, actor, "B2")
    add_order(session, actor, "B2", "O-B2", "100.00")
    with pytest.raises(InvalidInput, match="another buyer's order"):
        ask(session, actor, stage="delivery", amount="100", order_reference="O-B2")
    with pytest.raises(NotFound):
        ask(session, other_actor, stage="order", amount="100")
    with pytest.raises(NotFound):
        service.check(
            session,
            actor=other_actor,
            data=GateCheckIn(stage="order", company_id=buyer, amount=Decimal(1), currency="EUR"),
        )
    viewer = add_user(session, actor, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        ask(session, viewer, stage="order", amount="100")


def _open_hold(session: Session, actor: Actor) -> GateHold:
    add_buyer(session, actor, "B1")
    result = ask(session, actor, stage="order", amount="100")
    assert result.hold is not None
    return result.hold


def test_release_by_a_credit_manager_with_a_reason(session: Session, actor: Actor) -> None:
    hold = _open_hold(session, actor)
    manager = add_user(session, actor, Role.CREDIT_MANAGER, email="cm@example.test")

    released = service.release_hold(
        session, actor=manager, hold_id=hold.id, reason="  prepayment received  "
    )
    assert released.status == "released"
    assert released.released_by == "user:cm@example.test"
    assert released.released_by_user_id == manager.user_id
    assert released.release_reason == "prepayment received"
    assert released.released_at is not None
    [event] = events(session, actor, "gate_hold.released")
    assert event.actor == "user:cm@example.test"
    assert "prepayment received" in (event.after or "")
    assert '"open"' in (event.before or "")

    with pytest.raises(service.HoldNotOpen, match="already released"):
        service.release_hold(session, actor=manager, hold_id=hold.id, reason="again")
    with pytest.raises(service.HoldNotOpen):
        service.cancel_hold(session, actor=manager, hold_id=hold.id, reason="too late")
    assert service.list_holds(session, actor=actor, status="open") == []
    assert [h.id for h in service.list_holds(session, actor=actor, status="released")] == [hold.id]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CREDIT_ANALYST, Role.COLLECTOR])
def test_release_refused_for_roles_that_may_not_override(
    session: Session, actor: Actor, role: Role
) -> None:
    hold = _open_hold(session, actor)
    person = add_user(session, actor, role)
    with pytest.raises(PermissionDenied, match="override holds"):
        service.release_hold(session, actor=person, hold_id=hold.id, reason="please")
    assert session.get(GateHold, hold.id).status == "open"  # type: ignore[union-attr]
    assert events(session, actor, "gate_hold.released") == []


def test_release_needs_a_reason_and_an_own_hold(
    session: Session, actor: Actor, other_actor: Actor
) -> None:
    hold = _open_hold(session, actor)
    with pytest.raises(InvalidInput, match="reason"):
        service.release_hold(session, actor=actor, hold_id=hold.id, reason="   ")
    with pytest.raises(NotFound):
        service.release_hold(session, actor=other_actor, hold_id=hold.id, reason="mine now")
    with pytest.raises(NotFound):
        service.get_hold(session, actor=other_actor, hold_id=hold.id)
    assert service.list_holds(session, actor=other_actor) == []


def test_cancel_takes_the_hold_out_of_the_queue(session: Session, actor: Actor) -> None:
    hold = _open_hold(session, actor)
    cancelled = service.cancel_hold(session, actor=actor, hold_id=hold.id, reason="quote lost")
    assert cancelled.status == "cancelled"
    assert cancelled.release_reason == "quote lost"
    assert len(events(session, actor, "gate_hold.cancelled")) == 1
    assert service.list_holds(session, actor=actor, status="open") == []
