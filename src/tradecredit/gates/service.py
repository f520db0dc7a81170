"""Gate checks and the hold queue. Never commits; a hold, its release and its cancellation are
audited in the same transaction.

A check reads the buyer's credit position, converts the amount into the position's currency
with the dated FX table, works out how much of it exposure already holds (the named order's
uninvoiced part) and whether an invoice is for delivered goods, and applies the gate rule
(`tradecredit.gates.rules`). A hold is stored and waits in the queue.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.audit import service as audit
from tradecredit.companies.service import company_by_key, get_company
from tradecredit.context import Actor
from tradecredit.db.snapshot import snapshot
from tradecredit.exposure.compute import order_positions
from tradecredit.exposure.frames import load_order_frames
from tradecredit.fx.rates import RateTable, resolve
from tradecredit.fx.service import rate_table
from tradecredit.gates.models import GateHold
from tradecredit.gates.position import CreditPosition, credit_position
from tradecredit.gates.rules import GateOutcome, GateReason, Stage, gate_outcome
from tradecredit.gates.schemas import GateCheckIn
from tradecredit.kit.clock import utcnow
from tradecredit.kit.errors import InvalidInput, NotFound, TradecreditError
from tradecredit.kit.money import from_minor, to_minor
from tradecredit.limits.policy_store import policy_in_force
from tradecredit.orders.service import find_order
from tradecredit.organisations.roles import Permission

ExtraCheck = Callable[[Session, Actor, CreditPosition, Stage], Sequence[GateReason]]
"""A check from another domain: its reasons join the gate rule's own (a hold reason holds)."""

EXTRA_CHECKS: tuple[ExtraCheck, ...] = ()
"""The extension point for checks outside credit limits: stop-delivery under an insurance
policy comes with the insurance package, which adds its check here. Empty until then."""


class HoldNotOpen(TradecreditError):
    status_code = 409
    code = "hold_not_open"


@dataclass(frozen=True)
class OrderShare:
    """What the named order contributes: the part of the amount exposure already holds (in
    minor units of the request's currency) and whether its delivered, uninvoiced goods cover
    the amount."""

    counted_minor: int
    delivered: bool


@dataclass(frozen=True)
class GateResult:
    outcome: GateOutcome
    position: CreditPosition
    requested_amount: Decimal
    requested_currency: str
    already_counted: Decimal
    fx_rate_date: date | None
    hold: GateHold | None


def _company_id(session: Session, actor: Actor, data: GateCheckIn) -> uuid.UUID:
    if data.company_id is not None:
        return get_company(session, actor=actor, company_id=data.company_id).id
    assert data.registration_number is not None
    assert data.country is not None
    company = company_by_key(
        session, actor=actor, registration_number=data.registration_number, country=data.country
    )
    return company.id


def _order_share(
    session: Session,
    actor: Actor,
    data: GateCheckIn,
    company_id: uuid.UUID,
    as_of: date,
    rates: RateTable,
) -> OrderShare:
    """Nothing counted when no order is named or tradecredit does not know it (the check may
    come before the order is recorded). An order of another buyer is refused."""
    reference = data.order_reference
    order = (
        None if reference is None else find_order(session, actor=actor, order_reference=reference)
    )
    if order is None:
        return OrderShare(0, False)
    if order.company_id != company_id:
        raise InvalidInput(
            f"order {reference!r} is another buyer's order",
            details={"field": "order_reference", "value": reference},
        )
    orders, deliveries, invoices = load_order_frames(
        session, actor=actor, as_of=as_of, company_ids=[company_id]
    )
    mine = pl.col("order_reference") == reference
    positions = order_positions(
        orders=orders.filter(mine),
        deliveries=deliveries.filter(mine),
        invoices=invoices.filter(mine),
        as_of=as_of,
        rates=rates,
    )
    if positions.is_empty():
        return OrderShare(0, False)
    row = positions.row(0, named=True)
    asked = to_minor(data.amount, data.currency)
    amount = resolve(rates, data.currency, order.currency).convert_minor(asked)
    delivered = int(row["uninvoiced_deliveries_minor"])
    uninvoiced = int(row["uninvoiced_orders_minor"]) + delivered
    if uninvoiced >= amount:
        return OrderShare(counted_minor=asked, delivered=delivered >= amount)
    back = resolve(rates, order.currency, data.currency).convert_minor(uninvoiced)
    return OrderShare(counted_minor=back, delivered=False)


def check(
    session: Session, *, actor: Actor, data: GateCheckIn, requested_by: str | None = None
) -> GateResult:
    """Check a sale; a hold is stored (and audited) and comes back in `GateResult.hold`."""
    actor.require(Permission.WRITE_LEDGER)
    company_id = _company_id(session, actor, data)
    as_of = data.as_of or utcnow().date()
    position = credit_position(session, actor=actor, company_id=company_id, as_of=as_of)
    rates = rate_table(session, actor=actor, as_of=as_of)
    conversion = resolve(rates, data.currency, position.currency)
    amount = from_minor(
        conversion.convert_minor(to_minor(data.amount, data.currency)), position.currency
    )
    share = _order_share(session, actor, data, company_id, as_of, rates)
    in_full = share.counted_minor == to_minor(data.amount, data.currency)
    counted = conversion.convert_minor(share.counted_minor)
    already_counted = amount if in_full else from_minor(counted, position.currency)
    stage = Stage(data.stage)
    outcome = gate_outcome(
        position,
        stage=stage,
        amount=amount,
        already_counted=already_counted,
        policy=policy_in_force(session, actor=actor).policy,
        delivered=data.delivered or (stage is Stage.INVOICE and share.delivered),
        more_reasons=[
            reason for extra in EXTRA_CHECKS for reason in extra(session, actor, position, stage)
        ],
    )
    hold = None
    if outcome.holds:
        hold = _store_hold(session, actor, data, company_id, as_of, outcome, requested_by)
    return GateResult(
        outcome=outcome,
        position=position,
        requested_amount=data.amount,
        requested_currency=data.currency,
        already_counted=already_counted,
        fx_rate_date=conversion.oldest_rate_date,
        hold=hold,
    )


def reasons_json(reasons: Sequence[GateReason]) -> str:
    return json.dumps(
        [
            {"code": r.code, "effect": r.effect.value, "text_en": r.text_en, "text_zh": r.text_zh}
            for r in reasons
        ],
        ensure_ascii=False,
    )


def _store_hold(
    session: Session,
    actor: Actor,
    data: GateCheckIn,
    company_id: uuid.UUID,
    as_of: date,
    outcome: GateOutcome,
    requested_by: str | None,
) -> GateHold:
    currency = outcome.currency
    hold = GateHold(
        org_id=actor.org_id,
        company_id=company_id,
        stage=outcome.stage.value,
        amount_minor=to_minor(data.amount, data.currency),
        currency=data.currency,
        order_reference=data.order_reference,
        as_of=as_of,
        reasons=reasons_json(outcome.reasons),
        position_currency=currency,
        limit_minor=None if outcome.limit is None else to_minor(outcome.limit, currency),
        exposure_minor=to_minor(outcome.exposure, currency),
        exposure_after_minor=to_minor(outcome.exposure_after, currency),
        requested_by=requested_by or actor.name,
        status="open",
    )
    session.add(hold)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="gate_hold.created",
        entity_type="gate_hold",
        entity_id=hold.id,
        after=snapshot(hold),
    )
    return hold


def get_hold(session: Session, *, actor: Actor, hold_id: uuid.UUID) -> GateHold:
    actor.require(Permission.READ)
    hold = session.get(GateHold, hold_id)
    if hold is None or hold.org_id != actor.org_id:
        raise NotFound(f"no hold {hold_id}")
    return hold


def list_holds(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    company_id: uuid.UUID | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[GateHold]:
    """Oldest first, so the queue is worked in the order the sales were stopped."""
    actor.require(Permission.READ)
    query = select(GateHold).where(GateHold.org_id == actor.org_id)
    if status is not None:
        query = query.where(GateHold.status == status)
    if company_id is not None:
        get_company(session, actor=actor, company_id=company_id)
        query = query.where(GateHold.company_id == company_id)
    query = query.order_by(GateHold.created_at, GateHold.id).limit(limit).offset(offset)
    return session.scalars(query).all()


def _locked_open_hold(session: Session, actor: Actor, hold_id: uuid.UUID) -> GateHold:
    hold = session.scalar(
        select(GateHold)
        .where(GateHold.org_id == actor.org_id, GateHold.id == hold_id)
        .with_for_update()
    )
    if hold is None:
        raise NotFound(f"no hold {hold_id}")
    session.refresh(hold)
    if hold.status != "open":
        when = hold.released_at.isoformat() if hold.released_at else "earlier"
        raise HoldNotOpen(
            f"hold {hold_id} is already {hold.status} (by {hold.released_by}, {when}); "
            "only an open hold can be released or cancelled",
            details={"status": hold.status, "released_by": hold.released_by},
        )
    return hold


def _required_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise InvalidInput(
            "reason: a reason is required", details=[{"field": "reason", "reason": "required"}]
        )
    return text


def _close(
    session: Session, actor: Actor, hold_id: uuid.UUID, status: str, reason: str
) -> GateHold:
    why = _required_reason(reason)
    hold = _locked_open_hold(session, actor, hold_id)
    before = snapshot(hold)
    hold.status = status
    hold.released_by = actor.name
    hold.released_by_user_id = actor.user_id
    hold.release_reason = why
    hold.released_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"gate_hold.{status}",
        entity_type="gate_hold",
        entity_id=hold.id,
        before=before,
        after=snapshot(hold),
    )
    return hold


def release_hold(session: Session, *, actor: Actor, hold_id: uuid.UUID, reason: str) -> GateHold:
    """Let the held sale go ahead: only a role that may override holds, always with a reason."""
    actor.require(Permission.OVERRIDE_HOLDS)
    return _close(session, actor, hold_id, "released", reason)


def cancel_hold(session: Session, *, actor: Actor, hold_id: uuid.UUID, reason: str) -> GateHold:
    """The held sale will not happen (quote lost, order withdrawn): the hold leaves the queue."""
    actor.require(Permission.WRITE_LEDGER)
    return _close(session, actor, hold_id, "cancelled", reason)
