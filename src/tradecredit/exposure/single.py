"""Exposure of a handful of buyers with a few aggregate selects and integer arithmetic.

The same figures as the frame path (`compute.buyer_exposure` over `frames`), for callers that
ask about one buyer at a time (gates, instant decisions): open invoices summed per buyer and
currency in SQL, the buyers' live orders with their delivered amounts, the invoices naming those
orders, and the dated FX table only when something is not already in the target currency.

Every select is filtered on the organisation. Settlements and deliveries are reached through
their invoice or order (correlated on its id), which is filtered on the organisation: a second
org_id term on them would lead SQLite's planner to the organisation-wide org_id index.

The one-buyer path the instant decisions and the gates use is `exposure.one`.

Rounding is where the frame path rounds: each invoice naming an order is converted on its own
into the order's currency, and each part of a buyer is converted once per currency; missing
rates are reported in the same order (order invoices by currency pair, then the parts by
currency), so the errors match too.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import BindParameter, ColumnElement, case, func, select
from sqlalchemy.orm import Session

from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.fx.rates import Conversion, Converter, RateTable, resolve
from tradecredit.fx.service import rate_table
from tradecredit.kit.errors import NotFound
from tradecredit.orders.models import Order, OrderDelivery
from tradecredit.receivables.models import Allocation, CreditNote, Invoice

NativeParts = dict[tuple[uuid.UUID, str], list[int]]
"""(buyer, currency) -> [open invoices, uninvoiced orders, uninvoiced deliveries], minor units."""


@dataclass(frozen=True, slots=True)
class BuyerParts:
    """One buyer's three parts in target minor units and the oldest rate behind them."""

    open_invoices_minor: int
    uninvoiced_orders_minor: int
    uninvoiced_deliveries_minor: int
    fx_rate_date: date | None

    @property
    def total_minor(self) -> int:
        return (
            self.open_invoices_minor
            + self.uninvoiced_orders_minor
            + self.uninvoiced_deliveries_minor
        )


@dataclass(frozen=True, slots=True)
class LiveOrder:
    reference: str
    company_id: uuid.UUID
    currency: str
    amount_minor: int
    status: str
    cancelled_on: date | None
    delivered_minor: int


class Rates(Protocol):
    """Where the dated FX table comes from when a conversion needs it."""

    def table(self) -> RateTable: ...


class LazyRates:
    """The dated FX table, read on first use: buyers trading only in the target currency
    never need it."""

    def __init__(self, session: Session, actor: Actor, as_of: date) -> None:
        self._load = lambda: rate_table(session, actor=actor, as_of=as_of)
        self._table: RateTable | None = None

    def table(self) -> RateTable:
        if self._table is None:
            self._table = self._load()
        return self._table


def company_ids_in_order(
    session: Session, *, actor: Actor, company_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """`company_ids` in id order; NotFound (the smallest missing id) when one is not the
    organisation's."""
    wanted = set(company_ids)
    found = list(
        session.scalars(
            select(Company.id)
            .where(Company.org_id == actor.org_id, Company.id.in_(wanted))
            .order_by(Company.id)
        )
    )
    missing = sorted(wanted - set(found))
    if missing:
        raise NotFound(f"no company {missing[0]}", details={"company_id": str(missing[0])})
    return found


def remaining_on(as_of: date | BindParameter[Any]) -> ColumnElement[int]:
    """An invoice's amount less the allocations applied and the credit notes issued by
    `as_of` (correlated on `Invoice`); not floored."""
    allocated = (
        select(func.coalesce(func.sum(Allocation.amount_minor), 0))
        .where(Allocation.invoice_id == Invoice.id, Allocation.applied_on <= as_of)
        .scalar_subquery()
    )
    credited = (
        select(func.coalesce(func.sum(CreditNote.amount_minor), 0))
        .where(CreditNote.invoice_id == Invoice.id, CreditNote.issue_date <= as_of)
        .scalar_subquery()
    )
    return Invoice.amount_minor - allocated - credited


def _open_invoices(
    session: Session, *, actor: Actor, company_ids: list[uuid.UUID], as_of: date
) -> NativeParts:
    """Per buyer and currency: the sum over invoices issued by `as_of` of amount - allocations
    applied - credit notes issued by then, each invoice floored at 0 (analytics' open items)."""
    per_invoice = (
        select(
            Invoice.company_id,
            Invoice.currency,
            remaining_on(as_of).label("remaining"),
        )
        .where(
            Invoice.org_id == actor.org_id,
            Invoice.company_id.in_(company_ids),
            Invoice.issue_date <= as_of,
        )
        .subquery()
    )
    remaining = per_invoice.c.remaining
    rows = session.execute(
        select(
            per_invoice.c.company_id,
            per_invoice.c.currency,
            func.sum(case((remaining > 0, remaining), else_=0)),
        ).group_by(per_invoice.c.company_id, per_invoice.c.currency)
    ).all()
    return {(buyer, currency): [int(open_minor), 0, 0] for buyer, currency, open_minor in rows}


def _order_conditions(actor: Actor, company_ids: list[uuid.UUID], as_of: date) -> tuple[Any, ...]:
    return (
        Order.org_id == actor.org_id,
        Order.company_id.in_(company_ids),
        Order.order_date <= as_of,
        Order.status != "invoiced",
    )


def _live_orders(
    session: Session, *, actor: Actor, company_ids: list[uuid.UUID], as_of: date
) -> list[LiveOrder]:
    """Orders placed by `as_of` and not marked invoiced, with what was delivered by then."""
    delivered = (
        select(func.coalesce(func.sum(OrderDelivery.amount_minor), 0))
        .where(OrderDelivery.order_id == Order.id, OrderDelivery.delivered_on <= as_of)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Order.order_reference,
            Order.company_id,
            Order.currency,
            Order.amount_minor,
            Order.status,
            Order.cancelled_on,
            delivered,
        ).where(*_order_conditions(actor, company_ids, as_of))
    ).all()
    return [
        LiveOrder(reference, buyer, currency, amount_minor, status, cancelled_on, int(delivered))
        for reference, buyer, currency, amount_minor, status, cancelled_on, delivered in rows
    ]


def _invoiced_by_order(
    session: Session,
    *,
    actor: Actor,
    company_ids: list[uuid.UUID],
    as_of: date,
    orders: list[LiveOrder],
    rates: Rates,
) -> dict[str, int]:
    """Per order reference: its invoices issued by `as_of`, each converted on its own into the
    order's currency (equal amounts convert equally, so they are grouped and counted)."""
    references = select(Order.order_reference).where(*_order_conditions(actor, company_ids, as_of))
    rows = session.execute(
        select(Invoice.order_reference, Invoice.currency, Invoice.amount_minor, func.count())
        .where(
            Invoice.org_id == actor.org_id,
            Invoice.order_reference.in_(references.scalar_subquery()),
            Invoice.issue_date <= as_of,
        )
        .group_by(Invoice.order_reference, Invoice.currency, Invoice.amount_minor)
    ).all()
    return invoiced_per_order(
        [(str(ref), currency, int(amount), int(count)) for ref, currency, amount, count in rows],
        orders,
        rates,
    )


InvoiceGroup = tuple[str, str, int, int]
"""(order reference, invoice currency, invoice amount in minor units, how many such invoices)"""


def invoiced_per_order(
    groups: Iterable[InvoiceGroup], orders: list[LiveOrder], rates: Rates
) -> dict[str, int]:
    """Per order reference, its invoice groups converted into the order's currency; missing
    rates are reported by currency pair in sorted order."""
    order_currency = {order.reference: order.currency for order in orders}
    matched = [group for group in groups if group[0] in order_currency]
    pairs = sorted({(currency, order_currency[reference]) for reference, currency, _, _ in matched})
    conversions = {
        pair: resolve(rates.table(), *pair) if pair[0] != pair[1] else Conversion(*pair, ())
        for pair in pairs
    }
    invoiced: dict[str, int] = defaultdict(int)
    for reference, currency, amount_minor, count in matched:
        conversion = conversions[(currency, order_currency[reference])]
        invoiced[reference] += conversion.convert_minor(amount_minor) * count
    return invoiced


def add_order_parts(
    parts: NativeParts, orders: Iterable[LiveOrder], invoiced: dict[str, int], as_of: date
) -> None:
    """`compute.order_positions`' rule, one order at a time."""
    for order in orders:
        counted = min(order.amount_minor, invoiced.get(order.reference, 0))
        cancelled = order.status == "cancelled" and (
            order.cancelled_on is None or order.cancelled_on <= as_of
        )
        rest = 0 if cancelled else order.amount_minor - max(order.delivered_minor, counted)
        row = parts.setdefault((order.company_id, order.currency), [0, 0, 0])
        row[1] += max(rest, 0)
        row[2] += max(order.delivered_minor - counted, 0)


def converted_parts(
    parts: NativeParts, company_ids: list[uuid.UUID], converter: ConverterFactory
) -> dict[uuid.UUID, BuyerParts]:
    counted = {key: values for key, values in parts.items() if any(values)}
    conversions = {
        currency: converter.get(currency) for currency in sorted({c for _, c in counted})
    }
    totals: dict[uuid.UUID, list[int]] = {buyer: [0, 0, 0] for buyer in company_ids}
    oldest: dict[uuid.UUID, date | None] = dict.fromkeys(company_ids)
    for (buyer, currency), values in counted.items():
        conversion = conversions[currency]
        for index, value in enumerate(values):
            totals[buyer][index] += conversion.convert_minor(value)
        rate_date = conversion.oldest_rate_date
        known = oldest[buyer]
        if rate_date is not None and (known is None or rate_date < known):
            oldest[buyer] = rate_date
    return {
        buyer: BuyerParts(
            open_invoices_minor=totals[buyer][0],
            uninvoiced_orders_minor=totals[buyer][1],
            uninvoiced_deliveries_minor=totals[buyer][2],
            fx_rate_date=oldest[buyer],
        )
        for buyer in company_ids
    }


class ConverterFactory:
    """`fx.rates.Converter` into the target currency, reading the FX table only when a
    currency actually needs converting."""

    def __init__(self, rates: Rates, target: str) -> None:
        self._rates = rates
        self._target = target
        self._converter: Converter | None = None

    def get(self, source: str) -> Conversion:
        if source == self._target:
            return Conversion(source, source, ())
        if self._converter is None:
            self._converter = Converter(self._rates.table(), self._target)
        return self._converter.get(source)


def few_buyer_parts(
    session: Session, *, actor: Actor, company_ids: Sequence[uuid.UUID], as_of: date, currency: str
) -> dict[uuid.UUID, BuyerParts]:
    """The exposure parts of `company_ids` (the organisation's, else NotFound) in `currency`,
    in company id order. The caller checks the permission and the currency code."""
    ids = company_ids_in_order(session, actor=actor, company_ids=company_ids)
    rates = LazyRates(session, actor, as_of)
    orders = _live_orders(session, actor=actor, company_ids=ids, as_of=as_of)
    invoiced = (
        _invoiced_by_order(
            session, actor=actor, company_ids=ids, as_of=as_of, orders=orders, rates=rates
        )
        if orders
        else {}
    )
    parts = _open_invoices(session, actor=actor, company_ids=ids, as_of=as_of)
    add_order_parts(parts, orders, invoiced, as_of)
    return converted_parts(parts, ids, ConverterFactory(rates, currency))
