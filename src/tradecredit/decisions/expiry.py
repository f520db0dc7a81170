"""Releasing expired checkout reservations.

An approval reserves its amount as an order until `expires_at` (the policy's
`checkout.approval_validity_days`). A checkout the merchant never completed leaves that order
in the buyer's exposure, eating its limit; `release_expired` cancels such orders: still
`ordered` (nothing delivered) and named by no invoice. An order with goods delivered or
invoiced is left alone: that credit was used. Each cancellation is the ordinary, audited
`orders.service.cancel_order`, dated the day of the run, with a reason naming the decision.
Running it again finds nothing more to do.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tradecredit.context import Actor
from tradecredit.decisions.models import CheckoutDecision
from tradecredit.kit.clock import utcnow
from tradecredit.orders.models import Order
from tradecredit.orders.schemas import CancellationCreate
from tradecredit.orders.service import cancel_order
from tradecredit.organisations.roles import Permission
from tradecredit.receivables.models import Invoice


@dataclass(frozen=True)
class ExpiredReservation:
    decision_id: uuid.UUID
    order_id: uuid.UUID
    order_reference: str
    company_id: uuid.UUID
    amount_minor: int
    currency: str
    expired_at: datetime


def expired_reservations(
    session: Session, *, actor: Actor, now: datetime
) -> list[ExpiredReservation]:
    """Approvals expired by `now` whose order is still `ordered` and named by no invoice,
    oldest expiry first."""
    actor.require(Permission.READ)
    invoiced = exists().where(
        Invoice.org_id == Order.org_id, Invoice.order_reference == Order.order_reference
    )
    rows = session.execute(
        select(
            CheckoutDecision.id,
            Order.id,
            Order.order_reference,
            Order.company_id,
            Order.amount_minor,
            Order.currency,
            CheckoutDecision.expires_at,
        )
        .join(Order, Order.id == CheckoutDecision.order_id)
        .where(
            CheckoutDecision.org_id == actor.org_id,
            Order.org_id == actor.org_id,
            CheckoutDecision.outcome == "approve",
            CheckoutDecision.expires_at <= now,
            Order.status == "ordered",
            ~invoiced,
        )
        .order_by(CheckoutDecision.expires_at, CheckoutDecision.id)
    ).all()
    return [
        ExpiredReservation(decision, order, reference, company, amount, currency, expired)
        for decision, order, reference, company, amount, currency, expired in rows
        if expired is not None
    ]


def release_expired(
    session: Session, *, actor: Actor, now: datetime | None = None, dry_run: bool = False
) -> list[ExpiredReservation]:
    """Cancel the orders of `expired_reservations` (none with `dry_run`); the ones found."""
    actor.require(Permission.WRITE_LEDGER)
    moment = now or utcnow()
    found = expired_reservations(session, actor=actor, now=moment)
    if dry_run:
        return found
    for reservation in found:
        cancel_order(
            session,
            actor=actor,
            order_id=reservation.order_id,
            data=CancellationCreate(
                cancelled_on=moment.date(),
                reason=f"checkout approval {reservation.decision_id} expired "
                f"{reservation.expired_at.isoformat()}",
            ),
        )
    return found
