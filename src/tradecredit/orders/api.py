"""Routes: /orders, their deliveries and cancellation. Parse, call the service, shape.

Every POST accepts an `Idempotency-Key`, so an ERP can retry a delivery without delivering twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, cast

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from tradecredit.api.deps import ActorDep, Page, PageDep, SessionDep, page_of
from tradecredit.api.idempotency import KEYED_WRITE_RESPONSES, IdempotencyKeyDep, respond_once
from tradecredit.context import Actor
from tradecredit.kit.money import from_minor
from tradecredit.orders import service
from tradecredit.orders.models import Order
from tradecredit.orders.schemas import (
    CancellationCreate,
    DeliveryCreate,
    DeliveryOut,
    OrderCreate,
    OrderOut,
    OrderStatus,
)
from tradecredit.organisations.roles import Permission

router = APIRouter(tags=["orders"])


def orders_out(session: Session, *, actor: Actor, orders: Sequence[Order]) -> list[OrderOut]:
    """One deliveries query for the whole list."""
    deliveries = service.deliveries_of(session, actor=actor, order_ids=[o.id for o in orders])
    answers = []
    for order in orders:
        done = deliveries[order.id]
        answers.append(
            OrderOut(
                id=order.id,
                order_reference=order.order_reference,
                company_id=order.company_id,
                account_id=order.account_id,
                currency=order.currency,
                amount=from_minor(order.amount_minor, order.currency),
                delivered_amount=from_minor(sum(d.amount_minor for d in done), order.currency),
                order_date=order.order_date,
                status=cast(OrderStatus, order.status),
                cancelled_on=order.cancelled_on,
                cancellation_reason=order.cancellation_reason,
                deliveries=[
                    DeliveryOut(
                        amount=from_minor(d.amount_minor, order.currency),
                        delivered_on=d.delivered_on,
                    )
                    for d in done
                ],
                created_at=order.created_at,
                updated_at=order.updated_at,
            )
        )
    return answers


@router.post(
    "/orders",
    status_code=201,
    response_model=OrderOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Record an order (with a delivery_date: delivered in full that day)",
)
def create_order(
    data: OrderCreate,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    return respond_once(
        session,
        actor=actor,
        key=key,
        request=request,
        body=data,
        permission=Permission.WRITE_LEDGER,
        operation=lambda: orders_out(
            session, actor=actor, orders=[service.create_order(session, actor=actor, data=data)]
        )[0],
    )


@router.post(
    "/orders/{order_id}/delivery",
    status_code=201,
    response_model=OrderOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Record a delivery: a part of the order, or without an amount all that is left",
)
def record_delivery(
    order_id: uuid.UUID,
    data: DeliveryCreate,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    def operation() -> OrderOut:
        order = service.record_delivery(session, actor=actor, order_id=order_id, data=data)
        return orders_out(session, actor=actor, orders=[order])[0]

    return respond_once(
        session,
        actor=actor,
        key=key,
        request=request,
        body=data,
        permission=Permission.WRITE_LEDGER,
        operation=operation,
    )


@router.post(
    "/orders/{order_id}/cancellation",
    status_code=201,
    response_model=OrderOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Cancel what is not yet delivered (delivered goods stay exposure until invoiced)",
)
def cancel_order(
    order_id: uuid.UUID,
    data: CancellationCreate,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    def operation() -> OrderOut:
        order = service.cancel_order(session, actor=actor, order_id=order_id, data=data)
        return orders_out(session, actor=actor, orders=[order])[0]

    return respond_once(
        session,
        actor=actor,
        key=key,
        request=request,
        body=data,
        permission=Permission.WRITE_LEDGER,
        operation=operation,
    )


@router.get("/orders", response_model=Page[OrderOut], summary="List orders")
def list_orders(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    company_id: Annotated[uuid.UUID | None, Query(description="only this buyer's")] = None,
    status: Annotated[OrderStatus | None, Query(description="only orders in this status")] = None,
) -> Page[OrderOut]:
    orders = service.list_orders(
        session,
        actor=actor,
        company_id=company_id,
        status=status,
        limit=page.limit,
        offset=page.offset,
    )
    return page_of(orders_out(session, actor=actor, orders=orders), page)


@router.get("/orders/{order_id}", response_model=OrderOut, summary="Get an order")
def get_order(order_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> OrderOut:
    order = service.get_order(session, actor=actor, order_id=order_id)
    return orders_out(session, actor=actor, orders=[order])[0]
