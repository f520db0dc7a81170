"""Orders: create, deliver (in full or in parts), cancel, read. Never commits; every change is
audited. Delivery and cancellation lock the order row, so two concurrent deliveries cannot
deliver more than was ordered."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.audit import service as audit
from tradecredit.companies.service import company_by_key, get_company
from tradecredit.context import Actor
from tradecredit.db.snapshot import snapshot
from tradecredit.kit.errors import AlreadyExists, InvalidInput, NotFound
from tradecredit.kit.money import from_minor, to_minor
from tradecredit.orders.models import Order, OrderDelivery
from tradecredit.orders.schemas import (
    CancellationCreate,
    DeliveryCreate,
    OrderCreate,
    initial_status,
)
from tradecredit.organisations.roles import Permission
from tradecredit.receivables.service import ensure_account

OPEN_STATUSES = ("ordered", "partly_delivered")
"""Statuses in which goods are still to be delivered: only these can be delivered or cancelled."""


def order_fields(data: OrderCreate) -> dict[str, Any]:
    return {
        "order_reference": data.order_reference,
        "currency": data.currency,
        "amount_minor": to_minor(data.amount, data.currency),
        "order_date": data.order_date,
        "status": initial_status(data.status, data.delivery_date),
        "cancelled_on": None,
        "cancellation_reason": None,
    }


def find_order(session: Session, *, actor: Actor, order_reference: str) -> Order | None:
    return session.scalar(
        select(Order).where(Order.org_id == actor.org_id, Order.order_reference == order_reference)
    )


def create_order(session: Session, *, actor: Actor, data: OrderCreate) -> Order:
    """A new order; with a delivery date, delivered in full on that day."""
    actor.require(Permission.WRITE_LEDGER)
    if find_order(session, actor=actor, order_reference=data.order_reference):
        raise AlreadyExists(f"duplicate order reference {data.order_reference!r} for this seller")
    company = company_by_key(
        session,
        actor=actor,
        registration_number=data.buyer_registration_number,
        country=data.buyer_country,
    )
    account = ensure_account(session, actor=actor, company=company)
    order = Order(
        org_id=actor.org_id, company_id=company.id, account_id=account.id, **order_fields(data)
    )
    session.add(order)
    session.flush()
    after = snapshot(order)
    if data.delivery_date is not None:
        delivery = _deliver(
            session, order=order, amount_minor=order.amount_minor, on=data.delivery_date
        )
        after["deliveries"] = [_delivery_audit(delivery)]
    audit.record(
        session,
        actor=actor,
        action="order.created",
        entity_type="order",
        entity_id=order.id,
        after=after,
    )
    return order


def _deliver(session: Session, *, order: Order, amount_minor: int, on: date) -> OrderDelivery:
    delivery = OrderDelivery(
        org_id=order.org_id, order_id=order.id, amount_minor=amount_minor, delivered_on=on
    )
    session.add(delivery)
    session.flush()
    return delivery


def _delivery_audit(delivery: OrderDelivery) -> dict[str, Any]:
    return {"amount_minor": delivery.amount_minor, "delivered_on": delivery.delivered_on}


def get_order(session: Session, *, actor: Actor, order_id: uuid.UUID) -> Order:
    actor.require(Permission.READ)
    order = session.get(Order, order_id)
    if order is None or order.org_id != actor.org_id:
        raise NotFound(f"no order {order_id}")
    return order


def _locked_order(session: Session, *, actor: Actor, order_id: uuid.UUID) -> Order:
    order = session.scalar(
        select(Order).where(Order.org_id == actor.org_id, Order.id == order_id).with_for_update()
    )
    if order is None:
        raise NotFound(f"no order {order_id}")
    session.refresh(order)
    return order


def _require_open(order: Order, what: str) -> None:
    if order.status not in OPEN_STATUSES:
        raise InvalidInput(
            f"order {order.order_reference!r} is {order.status}: only an order with goods still "
            f"to deliver ({' or '.join(OPEN_STATUSES)}) can be {what}",
            details={"field": "status", "value": order.status},
        )


def _not_before_order(order: Order, on: date, field: str) -> None:
    if on < order.order_date:
        raise InvalidInput(
            f"{field} {on} is before order date {order.order_date}",
            details={"field": field, "value": on.isoformat()},
        )


def delivered_minor(session: Session, *, actor: Actor, order_id: uuid.UUID) -> int:
    return sum(
        d.amount_minor for d in deliveries_of(session, actor=actor, order_ids=[order_id])[order_id]
    )


def record_delivery(
    session: Session, *, actor: Actor, order_id: uuid.UUID, data: DeliveryCreate
) -> Order:
    """Deliver part of an order, or (without an amount) everything not yet delivered."""
    actor.require(Permission.WRITE_LEDGER)
    order = _locked_order(session, actor=actor, order_id=order_id)
    _require_open(order, "delivered")
    _not_before_order(order, data.delivered_on, "delivered_on")
    done = delivered_minor(session, actor=actor, order_id=order.id)
    rest = order.amount_minor - done
    amount_minor = rest if data.amount is None else to_minor(data.amount, order.currency)
    if amount_minor > rest:
        raise InvalidInput(
            f"delivery of {from_minor(amount_minor, order.currency)} {order.currency} exceeds "
            f"what is left to deliver on order {order.order_reference!r} "
            f"({from_minor(rest, order.currency)} {order.currency})",
            details={"field": "amount", "value": str(data.amount)},
        )
    before = snapshot(order)
    delivery = _deliver(session, order=order, amount_minor=amount_minor, on=data.delivered_on)
    order.status = "delivered" if amount_minor == rest else "partly_delivered"
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="order.delivered",
        entity_type="order",
        entity_id=order.id,
        before=before,
        after=snapshot(order) | {"delivery": _delivery_audit(delivery)},
    )
    return order


def cancel_order(
    session: Session, *, actor: Actor, order_id: uuid.UUID, data: CancellationCreate
) -> Order:
    """Cancel what is not yet delivered; the delivered part stays exposure until invoiced."""
    actor.require(Permission.WRITE_LEDGER)
    order = _locked_order(session, actor=actor, order_id=order_id)
    _require_open(order, "cancelled")
    _not_before_order(order, data.cancelled_on, "cancelled_on")
    before = snapshot(order)
    order.status = "cancelled"
    order.cancelled_on = data.cancelled_on
    order.cancellation_reason = data.reason
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="order.cancelled",
        entity_type="order",
        entity_id=order.id,
        before=before,
        after=snapshot(order),
    )
    return order


def list_orders(
    session: Session,
    *,
    actor: Actor,
    company_id: uuid.UUID | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Order]:
    actor.require(Permission.READ)
    query = select(Order).where(Order.org_id == actor.org_id)
    if company_id is not None:
        get_company(session, actor=actor, company_id=company_id)
        query = query.where(Order.company_id == company_id)
    if status is not None:
        query = query.where(Order.status == status)
    query = query.order_by(Order.order_date, Order.order_reference)
    return session.scalars(query.limit(limit).offset(offset)).all()


def deliveries_of(
    session: Session, *, actor: Actor, order_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[OrderDelivery]]:
    """Each order's deliveries in date order, in one query for a whole page of orders."""
    found: dict[uuid.UUID, list[OrderDelivery]] = {i: [] for i in order_ids}
    if not found:
        return found
    query = (
        select(OrderDelivery)
        .where(OrderDelivery.org_id == actor.org_id, OrderDelivery.order_id.in_(found))
        .order_by(OrderDelivery.delivered_on, OrderDelivery.created_at, OrderDelivery.id)
    )
    for delivery in session.scalars(query):
        found[delivery.order_id].append(delivery)
    return found
