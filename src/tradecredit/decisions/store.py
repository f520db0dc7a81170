"""The rows a checkout decision writes, as prepared INSERTs (`db.prepared`): the order that
reserves an approval and the decision itself (a batch's decisions in one executemany), each with
the audit change describing it.

Both rows carry every column explicitly (ids, timestamps, defaults), so the audit `after` is
exactly what `db.snapshot.snapshot()` of the flushed ORM row would give (every column but
org_id), and `orders.service.create_order` would have written the same order for the same
request: a new order in status `ordered` on the decision's day, with no delivery.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from tradecredit.audit.service import Change
from tradecredit.companies.service import get_company
from tradecredit.context import Actor
from tradecredit.db.prepared import Prepared
from tradecredit.decisions.models import CheckoutDecision
from tradecredit.kit.errors import AlreadyExists
from tradecredit.kit.ids import new_id
from tradecredit.orders.models import Order
from tradecredit.orders.schemas import initial_status
from tradecredit.organisations.roles import Permission
from tradecredit.receivables.service import ensure_account

_INSERT_ORDER = Prepared(insert(cast(Table, Order.__table__)))
_INSERT_DECISION = Prepared(insert(cast(Table, CheckoutDecision.__table__)))


def _after(values: dict[str, Any]) -> dict[str, Any]:
    """The audit snapshot of a row: every column but org_id."""
    return {key: value for key, value in values.items() if key != "org_id"}


def reserve_order(
    session: Session,
    *,
    actor: Actor,
    company_id: uuid.UUID,
    account_id: uuid.UUID | None,
    reference: str,
    reference_taken: bool,
    currency: str,
    amount_minor: int,
    now: datetime,
    rows_later: list[dict[str, Any]] | None = None,
) -> tuple[dict[str, Any], Change]:
    """The reservation order's row (written, or appended to `rows_later` for the caller to
    write with `insert_orders`) and its `order.created` change (not yet recorded).

    A reference another order already has is AlreadyExists, as `create_order` says it; a buyer
    without a customer account gets one opened (and audited) as `create_order` would."""
    actor.require(Permission.WRITE_LEDGER)
    if reference_taken:
        raise AlreadyExists(f"duplicate order reference {reference!r} for this seller")
    if account_id is None:
        company = get_company(session, actor=actor, company_id=company_id)
        account_id = ensure_account(session, actor=actor, company=company).id
    order_date: date = now.date()
    values: dict[str, Any] = {
        "id": new_id(),
        "org_id": actor.org_id,
        "created_at": now,
        "company_id": company_id,
        "account_id": account_id,
        "order_reference": reference,
        "currency": currency,
        "amount_minor": amount_minor,
        "order_date": order_date,
        "status": initial_status(None, None),
        "cancelled_on": None,
        "cancellation_reason": None,
        "updated_at": now,
    }
    if rows_later is None:
        _INSERT_ORDER.execute(session, values)
    else:
        rows_later.append(values)
    change = Change("order.created", "order", str(values["id"]), None, _after(values))
    return values, change


def insert_orders(session: Session, *, rows: Sequence[dict[str, Any]]) -> None:
    """Write reservation orders (`reserve_order`'s rows) in one executemany."""
    _INSERT_ORDER.execute_many(session, rows)


def insert_decision(session: Session, *, values: dict[str, Any]) -> Change:
    """Write the decision row (every column given); its `checkout_decision.made` change."""
    _INSERT_DECISION.execute(session, values)
    return decision_change(values)


def insert_decisions(session: Session, *, rows: Sequence[dict[str, Any]]) -> None:
    """Write decision rows (every column given) in one executemany (PostgreSQL: pipelined)."""
    _INSERT_DECISION.execute_many(session, rows)


def decision_change(values: dict[str, Any]) -> Change:
    """The `checkout_decision.made` change of a decision row."""
    return Change(
        "checkout_decision.made", "checkout_decision", str(values["id"]), None, _after(values)
    )
