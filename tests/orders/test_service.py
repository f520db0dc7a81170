"""Orders: create, deliver in parts, cancel; every refusal writes nothing; every change audited."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from analytics import db_ledger as db
from tradecredit.audit.models import AuditEvent
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.kit.errors import (
    AlreadyExists,
    InvalidInput,
    NotFound,
    PermissionDenied,
    PrecisionExceeded,
)
from tradecredit.orders import service
from tradecredit.orders.models import OrderDelivery
from tradecredit.orders.schemas import CancellationCreate, DeliveryCreate, OrderCreate
from tradecredit.organisations.roles import Role


def order_data(reference: str = "O-1", **changes: object) -> OrderCreate:
    values: dict[str, object] = {
        "order_reference": reference,
        "buyer_registration_number": "A",
        "buyer_country": "DE",
        "currency": "EUR",
        "amount": "1000.00",
        "order_date": date(2026, 3, 1),
    }
    return OrderCreate.model_validate(values | changes)


@pytest.fixture
def order_id(engine: Engine, actor: Actor) -> uuid.UUID:
    with unit_of_work(engine) as s:
        db.company(s, actor, "A")
        return service.create_order(s, actor=actor, data=order_data()).id


def deliver(engine: Engine, actor: Actor, order_id: uuid.UUID, amount: str | None, on: date) -> str:
    data = DeliveryCreate(delivered_on=on, amount=None if amount is None else Decimal(amount))
    with unit_of_work(engine) as s:
        return service.record_delivery(s, actor=actor, order_id=order_id, data=data).status


def actions(engine: Engine, actor: Actor, order_id: uuid.UUID) -> list[str]:
    with unit_of_work(engine) as s:
        return list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.org_id == actor.org_id, AuditEvent.entity_id == str(order_id))
                .order_by(AuditEvent.seq)
            )
        )


def delivered(engine: Engine, actor: Actor, order_id: uuid.UUID) -> int:
    with unit_of_work(engine) as s:
        return service.delivered_minor(s, actor=actor, order_id=order_id)


def test_partial_then_full_delivery(engine: Engine, actor: Actor, order_id: uuid.UUID) -> None:
    assert deliver(engine, actor, order_id, "400.00", date(2026, 3, 5)) == "partly_delivered"
    assert deliver(engine, actor, order_id, None, date(2026, 3, 9)) == "delivered"
    assert delivered(engine, actor, order_id) == 100000
    with unit_of_work(engine) as s:
        deliveries = service.deliveries_of(s, actor=actor, order_ids=[order_id])[order_id]
    assert [(d.amount_minor, d.delivered_on) for d in deliveries] == [
        (40000, date(2026, 3, 5)),
        (60000, date(2026, 3, 9)),
    ]
    assert actions(engine, actor, order_id) == [
        "order.created",
        "order.delivered",
        "order.delivered",
    ]


@pytest.mark.parametrize(
    ("amount", "on", "message"),
    [
        ("1000.01", date(2026, 3, 5), "exceeds what is left to deliver"),
        ("10.00", date(2026, 2, 28), "delivered_on 2026-02-28 is before order date 2026-03-01"),
    ],
)
def test_a_refused_delivery_writes_nothing(
    engine: Engine, actor: Actor, order_id: uuid.UUID, amount: str, on: date, message: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        deliver(engine, actor, order_id, amount, on)
    assert message in raised.value.message
    assert delivered(engine, actor, order_id) == 0
    assert actions(engine, actor, order_id) == ["order.created"]


def test_cancel_keeps_the_delivered_part_and_then_refuses_changes(
    engine: Engine, actor: Actor, order_id: uuid.UUID
) -> None:
    deliver(engine, actor, order_id, "250.00", date(2026, 3, 2))
    with unit_of_work(engine) as s:
        data = CancellationCreate(cancelled_on=date(2026, 3, 3), reason="buyer withdrew")
        order = service.cancel_order(s, actor=actor, order_id=order_id, data=data)
        assert (order.status, order.cancelled_on) == ("cancelled", date(2026, 3, 3))
    with pytest.raises(InvalidInput, match="is cancelled"):
        deliver(engine, actor, order_id, None, date(2026, 3, 4))
    assert delivered(engine, actor, order_id) == 25000
    assert actions(engine, actor, order_id)[-1] == "order.cancelled"


def test_a_delivered_order_cannot_be_cancelled(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as s:
        db.company(s, actor, "A")
        order = service.create_order(
            s, actor=actor, data=order_data(delivery_date=date(2026, 3, 4))
        )
        assert order.status == "delivered"
    data = CancellationCreate(cancelled_on=date(2026, 3, 5))
    with unit_of_work(engine) as s, pytest.raises(InvalidInput, match="is delivered"):
        service.cancel_order(s, actor=actor, order_id=order.id, data=data)
    assert delivered(engine, actor, order.id) == 100000


def test_create_refusals(engine: Engine, actor: Actor, order_id: uuid.UUID) -> None:
    with unit_of_work(engine) as s, pytest.raises(AlreadyExists):
        service.create_order(s, actor=actor, data=order_data())
    with unit_of_work(engine) as s, pytest.raises(NotFound, match="unknown company 'Z'"):
        service.create_order(s, actor=actor, data=order_data("O-2", buyer_registration_number="Z"))
    with unit_of_work(engine) as s, pytest.raises(PrecisionExceeded):
        service.create_order(s, actor=actor, data=order_data("O-4", amount="1.005"))
    viewer = dataclasses.replace(actor, role=Role.VIEWER)
    with unit_of_work(engine) as s, pytest.raises(PermissionDenied):
        service.create_order(s, actor=viewer, data=order_data("O-3"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "0"}, "amount must be positive, got 0"),
        ({"delivery_date": date(2026, 2, 1)}, "delivery date 2026-02-01 is before order date"),
        ({"status": "delivered"}, "status delivered needs a delivery_date"),
        ({"status": "cancelled", "delivery_date": date(2026, 3, 2)}, "status cancelled cannot"),
    ],
)
def test_schema_refusals(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        order_data(**changes)


def test_another_organisation_cannot_touch_an_order(
    engine: Engine, other_actor: Actor, order_id: uuid.UUID
) -> None:
    with unit_of_work(engine) as s:
        with pytest.raises(NotFound):
            service.get_order(s, actor=other_actor, order_id=order_id)
        data = DeliveryCreate(delivered_on=date(2026, 3, 5))
        with pytest.raises(NotFound):
            service.record_delivery(s, actor=other_actor, order_id=order_id, data=data)
        assert service.list_orders(s, actor=other_actor) == []
        count = select(func.count()).select_from(OrderDelivery)
        assert s.scalar(count.where(OrderDelivery.order_id == order_id)) == 0
