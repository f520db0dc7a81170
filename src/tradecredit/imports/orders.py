"""Orders: new ones are created (opening an account for a first-time buyer); a stored order
reference must carry the same buyer, currency, amount and date. Its status may move forward
(ordered -> delivered -> invoiced, or ordered -> cancelled), so a daily ERP export of open
orders can be imported again and again; any other change is a problem."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select

from tradecredit.audit.service import Change
from tradecredit.imports.compare import Compared, conflict, file_values
from tradecredit.imports.lookup import company_ids, company_keys, ensure_accounts, known_company
from tradecredit.imports.plan import Context, Plan, chunked, new_row, repeated_rows
from tradecredit.imports.problems import Row
from tradecredit.orders.models import Order, OrderDelivery
from tradecredit.orders.schemas import OrderCreate, initial_status
from tradecredit.orders.service import OPEN_STATUSES, order_fields

BUYER = ("buyer_registration_number", "buyer_country")
COMPARED = (
    Compared("buyer_registration_number", "company_id", looked_up=True),
    Compared("currency", "currency"),
    Compared("amount", "amount_minor", money=True),
    Compared("order_date", "order_date"),
)
MOVES: dict[str, frozenset[str]] = {
    "ordered": frozenset({"delivered", "invoiced", "cancelled"}),
    "partly_delivered": frozenset({"delivered", "invoiced", "cancelled"}),
    "delivered": frozenset({"invoiced"}),
    "invoiced": frozenset(),
    "cancelled": frozenset(),
}
"""The statuses a file may move a stored order to (besides its own). `ordered` on a partly
delivered order is no news: the file does not know of the partial delivery."""


def plan_orders(ctx: Context, rows: Sequence[Row]) -> Plan:
    plan = Plan()
    repeated = repeated_rows(
        ctx,
        rows,
        needs=("order_reference",),
        column="order_reference",
        reason=lambda v, first: (
            f"duplicate order reference {v['order_reference']!r} for this seller: it appears "
            f"more than once in this file (first at row {first})"
        ),
    )
    buyers = company_ids(ctx, company_keys(rows, BUYER))
    stored = _orders_by_reference(
        ctx, (r.values["order_reference"] for r in rows if r.has("order_reference"))
    )
    delivered = _deliveries(ctx, [order.id for order in stored.values()])
    deliveries: list[dict[str, Any]] = []
    new: list[tuple[uuid.UUID, OrderCreate]] = []
    for row in rows:
        company_id = known_company(ctx, row, buyers, role="buyer", columns=BUYER)
        existing = stored.get(row.values.get("order_reference", ""))
        if existing is not None:
            moved = _compare(ctx, plan, row, existing, company_id, delivered.get(existing.id))
            deliveries.extend(moved)
        elif row.data is not None and company_id is not None and row.number not in repeated:
            new.append((company_id, row.data))
    accounts = ensure_accounts(ctx, plan, (company_id for company_id, _ in new))
    for company_id, data in new:
        values = new_row(
            Order, ctx, company_id=company_id, account_id=accounts[company_id], **order_fields(data)
        )
        extra: dict[str, Any] = {}
        if data.delivery_date is not None:
            delivery = _delivery(ctx, values["id"], values["amount_minor"], data.delivery_date)
            deliveries.append(delivery)
            extra["deliveries"] = [_audited(delivery)]
        plan.add(Order, values, action="order.imported", entity="order", extra=extra)
    for delivery in deliveries:
        plan.queue(OrderDelivery, delivery)
    return plan


def _delivery(ctx: Context, order_id: uuid.UUID, amount_minor: int, on: date) -> dict[str, Any]:
    return new_row(
        OrderDelivery, ctx, order_id=order_id, amount_minor=amount_minor, delivered_on=on
    )


def _audited(delivery: dict[str, Any]) -> dict[str, Any]:
    return {"amount_minor": delivery["amount_minor"], "delivered_on": delivery["delivered_on"]}


def _orders_by_reference(ctx: Context, references: Iterable[str]) -> dict[str, Order]:
    found: dict[str, Order] = {}
    for chunk in chunked(sorted(set(references))):
        query = select(Order).where(
            Order.org_id == ctx.actor.org_id, Order.order_reference.in_(chunk)
        )
        found.update((order.order_reference, order) for order in ctx.session.scalars(query))
    return found


def _deliveries(ctx: Context, order_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[int, date]]:
    """Per order: the amount delivered so far and the last delivery date."""
    found: dict[uuid.UUID, tuple[int, date]] = {}
    for chunk in chunked(order_ids):
        rows = ctx.session.execute(
            select(
                OrderDelivery.order_id,
                func.sum(OrderDelivery.amount_minor),
                func.max(OrderDelivery.delivered_on),
            )
            .where(OrderDelivery.org_id == ctx.actor.org_id, OrderDelivery.order_id.in_(chunk))
            .group_by(OrderDelivery.order_id)
        )
        found.update((order_id, (int(total), last)) for order_id, total, last in rows)
    return found


def _compare(
    ctx: Context,
    plan: Plan,
    row: Row,
    existing: Order,
    company_id: uuid.UUID | None,
    delivered: tuple[int, date] | None,
) -> list[dict[str, Any]]:
    """Check a stored order against the row; plan its status move. Returns deliveries to add."""
    wanted = file_values(row, COMPARED)
    if company_id is not None:
        wanted["company_id"] = company_id
    what = f"duplicate order reference: order {existing.order_reference!r}"
    found = conflict(what, existing, wanted, COMPARED, ctx.present)
    if found:
        reason = found.reason.replace(
            "money movements are never overwritten",
            "an order's buyer, currency, amount and date are never overwritten",
        )
        ctx.problems.at(row, found.column, reason)
        return []
    if row.data is None:
        return []
    data: OrderCreate = row.data
    status = initial_status(data.status, data.delivery_date)
    last = None if delivered is None else delivered[1]
    fully_delivered = existing.status not in OPEN_STATUSES and last is not None
    if fully_delivered and data.delivery_date is not None and data.delivery_date != last:
        ctx.problems.at(
            row,
            "delivery_date",
            f"order {existing.order_reference!r} was delivered on {last}, not {data.delivery_date}",
        )
        return []
    if status == existing.status or (status, existing.status) == ("ordered", "partly_delivered"):
        plan.unchanged += 1
        return []
    if status not in MOVES[existing.status]:
        ctx.problems.at(
            row,
            "status",
            f"order {existing.order_reference!r} is {existing.status}; an import cannot make it "
            f"{status}",
        )
        return []
    plan.change(existing, {"status": status}, action="order.updated", entity="order")
    return _rest_delivered(ctx, plan, existing, data.delivery_date, delivered)


def _rest_delivered(
    ctx: Context,
    plan: Plan,
    order: Order,
    on: date | None,
    delivered: tuple[int, date] | None,
) -> list[dict[str, Any]]:
    """An open order the file says was delivered: the rest of it, delivered on that date."""
    rest = order.amount_minor - (0 if delivered is None else delivered[0])
    if on is None or order.status not in OPEN_STATUSES or rest <= 0:
        return []
    delivery = _delivery(ctx, order.id, rest, on)
    plan.changes.append(Change("order.delivered", "order", str(order.id), after=_audited(delivery)))
    return [delivery]
