"""Load what exposure is computed from, as frames, with organisation-scoped Core selects.

For a few buyers every select goes through an index on (org_id, company_id, ...) or on the
invoice id, so one buyer costs a handful of small index lookups; without a list of buyers the
whole organisation is read, the open items through the analytics snapshot.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Executable, select
from sqlalchemy.orm import Session

from tradecredit.analytics.open_items import open_items
from tradecredit.analytics.snapshot import from_keyed_frames, load_snapshot
from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.exposure.compute import (
    DELIVERY_SCHEMA,
    OPEN_ITEM_SCHEMA,
    ORDER_INVOICE_SCHEMA,
    ORDER_SCHEMA,
    frame,
)
from tradecredit.kit.errors import NotFound
from tradecredit.orders.models import Order, OrderDelivery
from tradecredit.receivables.models import Allocation, CreditNote, Invoice

FEW_BUYERS = 500
"""Up to this many buyers are read by id; more, and reading the whole organisation is cheaper."""
COMPANY_SCHEMA: dict[str, Any] = {"id": pl.String, "group_parent_id": pl.String}


def _rows(session: Session, query: Executable) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in session.execute(query).all()]


def load_companies(
    session: Session, *, actor: Actor, company_ids: Sequence[uuid.UUID] | None
) -> pl.DataFrame:
    """id and group_parent_id of the organisation's companies (or of `company_ids`, which must
    all be the organisation's), in id order."""
    query = select(Company.id, Company.group_parent_id).where(Company.org_id == actor.org_id)
    if company_ids is not None:
        wanted = set(company_ids)
        if len(wanted) <= FEW_BUYERS:
            query = query.where(Company.id.in_(wanted))
        rows = [row for row in _rows(session, query.order_by(Company.id)) if row[0] in wanted]
        missing = sorted(wanted - {row[0] for row in rows})
        if missing:
            raise NotFound(f"no company {missing[0]}", details={"company_id": str(missing[0])})
        return frame(rows, COMPANY_SCHEMA)
    return frame(_rows(session, query.order_by(Company.id)), COMPANY_SCHEMA)


def _few(ids: Sequence[uuid.UUID] | None) -> list[uuid.UUID] | None:
    return list(ids) if ids is not None and len(ids) <= FEW_BUYERS else None


def _open_items_of(
    session: Session, *, actor: Actor, as_of: date, company_ids: list[uuid.UUID]
) -> pl.DataFrame:
    """The buyers' open items. Settlements are reached through their invoice, which is
    filtered on the organisation: a second org_id filter on them would lead SQLite's planner
    (which has no statistics) to read every allocation of the organisation."""
    org = actor.org_id
    invoice_filter = (
        Invoice.org_id == org,
        Invoice.company_id.in_(company_ids),
        Invoice.issue_date <= as_of,
    )
    invoice_rows = _rows(
        session,
        select(
            Invoice.id,
            Invoice.company_id,
            Invoice.currency,
            Invoice.amount_minor,
            Invoice.issue_date,
            Invoice.due_date,
        ).where(*invoice_filter),
    )
    allocation_rows = _rows(
        session,
        select(Allocation.invoice_id, Allocation.amount_minor, Allocation.applied_on)
        .join(Invoice, Invoice.id == Allocation.invoice_id)
        .where(*invoice_filter, Allocation.applied_on <= as_of),
    )
    credit_rows = _rows(
        session,
        select(CreditNote.invoice_id, CreditNote.amount_minor, CreditNote.issue_date)
        .join(Invoice, Invoice.id == CreditNote.invoice_id)
        .where(*invoice_filter, CreditNote.issue_date <= as_of),
    )
    snapshot = from_keyed_frames(
        as_of=as_of,
        invoices=frame(
            invoice_rows,
            {
                "id": pl.String,
                "company_id": pl.String,
                "currency": pl.String,
                "amount_minor": pl.Int64,
                "issue_date": pl.Date,
                "due_date": pl.Date,
            },
        ),
        allocations=frame(
            allocation_rows,
            {"invoice_id": pl.String, "amount_minor": pl.Int64, "applied_on": pl.Date},
        ),
        credit_notes=frame(
            credit_rows, {"invoice_id": pl.String, "amount_minor": pl.Int64, "issue_date": pl.Date}
        ),
        companies=pl.DataFrame({"id": [str(i) for i in company_ids]}, schema={"id": pl.String}),
    )
    return _keyed_open_items(open_items(snapshot, as_of=as_of), snapshot.companies["id"])


def _keyed_open_items(items: pl.DataFrame, company_ids: pl.Series) -> pl.DataFrame:
    """Open items with their buyer's id in place of its row position."""
    return pl.DataFrame(
        {
            "company_id": company_ids.gather(items["company"]),
            "currency": items["currency"].cast(pl.String),
            "open_minor": items["open_minor"],
        },
        schema=OPEN_ITEM_SCHEMA,
    )


def load_open_items(
    session: Session, *, actor: Actor, as_of: date, company_ids: Sequence[uuid.UUID] | None
) -> pl.DataFrame:
    """company_id, currency, open_minor: every invoice open on `as_of` (analytics' rule)."""
    few = _few(company_ids)
    if few is not None:
        return _open_items_of(session, actor=actor, as_of=as_of, company_ids=few)
    snapshot = load_snapshot(session, actor=actor, as_of=as_of)
    items = _keyed_open_items(open_items(snapshot, as_of=as_of), snapshot.companies["id"])
    if company_ids is not None:
        items = items.filter(pl.col("company_id").is_in([str(i) for i in company_ids]))
    return items


def _order_filter(
    *, actor: Actor, as_of: date, company_ids: Sequence[uuid.UUID] | None
) -> list[Any]:
    conditions: list[Any] = [
        Order.org_id == actor.org_id,
        Order.order_date <= as_of,
        Order.status != "invoiced",
    ]
    if company_ids is not None:
        conditions.append(Order.company_id.in_(list(company_ids)))
    return conditions


def load_order_frames(
    session: Session, *, actor: Actor, as_of: date, company_ids: Sequence[uuid.UUID] | None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Orders placed on or before `as_of`, their deliveries (reached through their order, which
    is filtered on the organisation), and the invoices naming them."""
    few = _few(company_ids)
    conditions = _order_filter(actor=actor, as_of=as_of, company_ids=few)
    orders = _rows(
        session,
        select(
            Order.order_reference,
            Order.company_id,
            Order.currency,
            Order.amount_minor,
            Order.order_date,
            Order.status,
            Order.cancelled_on,
        ).where(*conditions),
    )
    deliveries = _rows(
        session,
        select(Order.order_reference, OrderDelivery.amount_minor, OrderDelivery.delivered_on)
        .join(Order, Order.id == OrderDelivery.order_id)
        .where(*conditions, OrderDelivery.delivered_on <= as_of),
    )
    references = select(Order.order_reference).where(*conditions)
    invoices = _rows(
        session,
        select(Invoice.order_reference, Invoice.currency, Invoice.amount_minor, Invoice.issue_date)
        .where(
            Invoice.org_id == actor.org_id,
            Invoice.order_reference.in_(references.scalar_subquery()),
            Invoice.issue_date <= as_of,
        )
        .order_by(Invoice.order_reference),
    )
    order_frame = frame(orders, ORDER_SCHEMA)
    if company_ids is not None and few is None:
        order_frame = order_frame.filter(pl.col("company_id").is_in([str(i) for i in company_ids]))
    return (
        order_frame,
        frame(deliveries, DELIVERY_SCHEMA),
        frame(invoices, ORDER_INVOICE_SCHEMA),
    )
