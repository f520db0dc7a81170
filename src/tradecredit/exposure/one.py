"""Exposure of one buyer already found: two prepared statements (`db.prepared`: compiled once,
run on the DBAPI cursor), the same figures as `single.few_buyer_parts` gives.

The statements: the open invoices per currency, which also give the due date of the
earliest-due invoice open and past due (the credit position's oldest overdue), and the live
orders joined to the invoices naming them.

The split between `one_buyer_native` (what the database says, per currency) and
`one_buyer_converted` (into the position currency) lets `exposure.memo` keep the first.

`buyers_native` runs the same two statements for several buyers at once (PostgreSQL only: the
buyers are one array parameter), so that a batch of decisions reads its buyers' ledgers in two
round trips instead of two per decision.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Uuid,
    and_,
    any_,
    bindparam,
    case,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from tradecredit.context import Actor
from tradecredit.db.prepared import Prepared
from tradecredit.exposure.single import (
    BuyerParts,
    ConverterFactory,
    InvoiceGroup,
    LazyRates,
    LiveOrder,
    NativeParts,
    Rates,
    add_order_parts,
    converted_parts,
    invoiced_per_order,
    remaining_on,
)
from tradecredit.kit.errors import FxRateMissing
from tradecredit.orders.models import Order, OrderDelivery
from tradecredit.receivables.models import Invoice

_ORG: BindParameter[Any] = bindparam("org_id")
_BUYER: BindParameter[Any] = bindparam("company_id")
_AS_OF: BindParameter[Any] = bindparam("as_of")
_BUYERS: BindParameter[Any] = bindparam("company_ids", type_=ARRAY(Uuid()))
"""PostgreSQL: the buyers as one uuid[] parameter."""


BuyerFilter = Callable[[Any], ColumnElement[bool]]
"""The condition on a company id column: one buyer, or any of the array's."""


def _one(column: Any) -> ColumnElement[bool]:
    return column == _BUYER


def _any(column: Any) -> ColumnElement[bool]:
    return column == any_(_BUYERS)


def _open_by_currency_statement(buyer: BuyerFilter = _one) -> Prepared:
    """Per currency of the buyer's invoices issued by `as_of`: the open sum (each invoice
    floored at 0, as `_open_invoices`) and the earliest due date among those open and past due
    (`remaining > 0` is `receivables.allocation.open_minor(...) > 0`).

    MATERIALIZED (SQLite >= 3.35, PostgreSQL >= 12): computed once per invoice; as a plain
    subquery both databases inline `remaining` into its three uses and run the settlement
    subqueries three times per invoice."""
    per_invoice = (
        select(
            Invoice.company_id,
            Invoice.currency,
            Invoice.due_date,
            remaining_on(_AS_OF).label("remaining"),
        )
        .where(Invoice.org_id == _ORG, buyer(Invoice.company_id), Invoice.issue_date <= _AS_OF)
        .cte("per_invoice")
        .prefix_with("MATERIALIZED")
    )
    remaining, due = per_invoice.c.remaining, per_invoice.c.due_date
    return Prepared(
        select(
            per_invoice.c.company_id,
            per_invoice.c.currency,
            func.sum(case((remaining > 0, remaining), else_=0)),
            func.min(case((and_(due < _AS_OF, remaining > 0), due))),
        ).group_by(per_invoice.c.company_id, per_invoice.c.currency)
    )


def _orders_with_invoices_statement(buyer: BuyerFilter = _one) -> Prepared:
    """The buyer's live orders (`_order_conditions`) with what was delivered by `as_of`, one
    row per group of equal invoices naming the order (any buyer's, issued by `as_of`; none:
    one row with NULLs), as `_live_orders` + `_invoiced_by_order` read them."""
    delivered = (
        select(func.coalesce(func.sum(OrderDelivery.amount_minor), 0))
        .where(OrderDelivery.order_id == Order.id, OrderDelivery.delivered_on <= _AS_OF)
        .scalar_subquery()
    )
    return Prepared(
        select(
            Order.company_id,
            Order.order_reference,
            Order.currency,
            Order.amount_minor,
            Order.status,
            Order.cancelled_on,
            delivered,
            Invoice.currency,
            Invoice.amount_minor,
            func.count(Invoice.id),
        )
        .select_from(Order)
        .outerjoin(
            Invoice,
            and_(
                Invoice.org_id == Order.org_id,
                Invoice.order_reference == Order.order_reference,
                Invoice.issue_date <= _AS_OF,
            ),
        )
        .where(
            Order.org_id == _ORG,
            buyer(Order.company_id),
            Order.order_date <= _AS_OF,
            Order.status != "invoiced",
        )
        .group_by(Order.id, Invoice.currency, Invoice.amount_minor)
    )


_OPEN_BY_CURRENCY = _open_by_currency_statement()
_ORDERS_WITH_INVOICES = _orders_with_invoices_statement()
_OPEN_BY_BUYER_AND_CURRENCY = _open_by_currency_statement(_any)
_ORDERS_OF_BUYERS_WITH_INVOICES = _orders_with_invoices_statement(_any)


@dataclass(frozen=True, slots=True)
class OneBuyer:
    """`parts` as `few_buyer_parts` gives them; `oldest_overdue_due`: the due date of the
    buyer's earliest-due invoice still open on `as_of` and past due then (None: none)."""

    parts: BuyerParts
    oldest_overdue_due: date | None


@dataclass(frozen=True, slots=True)
class NativeBuyer:
    """One buyer's exposure before its conversion into the position currency: per (buyer,
    currency), [open invoices, uninvoiced orders, uninvoiced deliveries] in that currency's
    minor units; and `OneBuyer.oldest_overdue_due`."""

    parts: NativeParts
    oldest_overdue_due: date | None

    def with_order(self, company_id: uuid.UUID, currency: str, amount_minor: int) -> NativeBuyer:
        """As after a new order of `amount_minor` placed on the day, not yet delivered nor
        named by any invoice (`add_order_parts` counts all of it as uninvoiced)."""
        parts = {key: list(values) for key, values in self.parts.items()}
        parts.setdefault((company_id, currency), [0, 0, 0])[1] += amount_minor
        return NativeBuyer(parts, self.oldest_overdue_due)


def one_buyer_native(
    session: Session, *, actor: Actor, company_id: uuid.UUID, as_of: date, rates: Rates
) -> NativeBuyer:
    """The buyer's `NativeBuyer` on `as_of` from two prepared statements (the caller has read
    the company from the organisation); `rates` converts invoices naming an order into the
    order's currency."""
    params = {"org_id": actor.org_id, "company_id": company_id, "as_of": as_of}
    order_rows = _ORDERS_WITH_INVOICES.all(session, params)
    open_rows = _OPEN_BY_CURRENCY.all(session, params)
    return _native(company_id, order_rows, open_rows, as_of, rates)


def buyers_native(
    session: Session, *, actor: Actor, company_ids: list[uuid.UUID], as_of: date, rates: Rates
) -> dict[uuid.UUID, NativeBuyer]:
    """`one_buyer_native` of each buyer, from the same two statements run once for all
    (PostgreSQL only). A buyer whose figures need an FX rate that is missing is left out: read
    alone, it raises FxRateMissing for its own decision only."""
    params = {"org_id": actor.org_id, "company_ids": company_ids, "as_of": as_of}
    order_rows = _rows_by_buyer(_ORDERS_OF_BUYERS_WITH_INVOICES.all(session, params))
    open_rows = _rows_by_buyer(_OPEN_BY_BUYER_AND_CURRENCY.all(session, params))
    found: dict[uuid.UUID, NativeBuyer] = {}
    for company_id in company_ids:
        try:
            found[company_id] = _native(
                company_id,
                order_rows.get(company_id, []),
                open_rows.get(company_id, []),
                as_of,
                rates,
            )
        except FxRateMissing:
            continue
    return found


def _rows_by_buyer(rows: list[tuple[Any, ...]]) -> dict[uuid.UUID, list[tuple[Any, ...]]]:
    by_buyer: dict[uuid.UUID, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_buyer.setdefault(row[0], []).append(row)
    return by_buyer


def _native(
    company_id: uuid.UUID,
    order_rows: list[tuple[Any, ...]],
    open_rows: list[tuple[Any, ...]],
    as_of: date,
    rates: Rates,
) -> NativeBuyer:
    """One buyer's rows of the two statements (each led by the company id) as `NativeBuyer`."""
    orders: dict[str, LiveOrder] = {}
    groups: list[InvoiceGroup] = []
    for row in order_rows:
        reference, order_currency, amount, status, cancelled_on, delivered = row[1:7]
        if reference not in orders:
            orders[reference] = LiveOrder(
                reference, company_id, order_currency, amount, status, cancelled_on, int(delivered)
            )
        invoice_currency, invoice_amount, count = row[7:]
        if invoice_currency is not None:
            groups.append((reference, invoice_currency, int(invoice_amount), int(count)))
    live = list(orders.values())
    invoiced = invoiced_per_order(groups, live, rates) if live else {}
    parts: NativeParts = {}
    oldest: date | None = None
    for _, invoice_currency, open_minor, overdue_due in open_rows:
        parts[(company_id, invoice_currency)] = [int(open_minor), 0, 0]
        if overdue_due is not None and (oldest is None or overdue_due < oldest):
            oldest = overdue_due
    add_order_parts(parts, live, invoiced, as_of)
    return NativeBuyer(parts, oldest)


def one_buyer_converted(
    native: NativeBuyer, *, company_id: uuid.UUID, currency: str, rates: Rates
) -> OneBuyer:
    """`native` in `currency` (valid code), rounded as `few_buyer_parts` rounds."""
    found = converted_parts(native.parts, [company_id], ConverterFactory(rates, currency))
    return OneBuyer(found[company_id], native.oldest_overdue_due)


def one_buyer_parts(
    session: Session, *, actor: Actor, company_id: uuid.UUID, as_of: date, currency: str
) -> OneBuyer:
    """The exposure parts of one buyer in `currency` (valid code), as `few_buyer_parts` gives
    them, for a company the caller has read from the organisation (not checked again)."""
    rates = LazyRates(session, actor, as_of)
    native = one_buyer_native(session, actor=actor, company_id=company_id, as_of=as_of, rates=rates)
    return one_buyer_converted(native, company_id=company_id, currency=currency, rates=rates)
