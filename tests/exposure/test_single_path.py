"""The few-buyer path (`exposure/single.py`, aggregate selects) gives exactly the frame path's
Exposure objects and errors: every buyer of a generated demo portfolio with orders added in
several currencies, and the worked example with rates missing, on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from analytics import db_ledger as db
from conftest import make_org
from exposure import ledger
from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.demo.generator import generate_portfolio
from tradecredit.demo.loader import load_portfolio
from tradecredit.exposure.one import buyers_native, one_buyer_native
from tradecredit.exposure.service import (
    FEW_BUYERS_BY_SQL,
    Exposure,
    buyer_exposures,
    few_buyer_exposures,
    frame_buyer_exposures,
)
from tradecredit.exposure.single import LazyRates
from tradecredit.kit.errors import FxRateMissing, NotFound, TradecreditError
from tradecredit.orders import service as orders
from tradecredit.orders.schemas import CancellationCreate, DeliveryCreate, OrderCreate
from tradecredit.receivables.schemas import InvoiceCreate
from tradecredit.receivables.service import create_invoice

DEMO_DAYS = (date(2026, 9, 30), date(2026, 9, 10), date(2025, 12, 31), date(2024, 3, 31))
TARGETS = ("EUR", "USD", "JPY", "GBP")
Key = tuple[str, str]


COUNTRY_CURRENCY = {"DE": "EUR", "FR": "EUR", "NL": "EUR", "GB": "GBP", "US": "USD", "JP": "JPY"}


def _buyers_by_currency(s: Session, actor: Actor) -> dict[str, list[Key]]:
    """Demo buyers (registration number, country) by the currency their country invoices in."""
    found: dict[str, list[Key]] = {}
    rows = s.execute(
        select(Company.registration_number, Company.country)
        .where(Company.org_id == actor.org_id)
        .order_by(Company.registration_number)
    )
    for reg, country in rows:
        found.setdefault(COUNTRY_CURRENCY.get(country, "other"), []).append((reg, country))
    return found


def _order(
    s: Session, actor: Actor, ref: str, buyer: Key, amount: str, on: date, currency: str, **kw: Any
) -> uuid.UUID:
    data = OrderCreate(
        order_reference=ref,
        buyer_registration_number=buyer[0],
        buyer_country=buyer[1],
        currency=currency,
        amount=Decimal(amount),
        order_date=on,
        **kw,
    )
    return orders.create_order(s, actor=actor, data=data).id


def _invoice(
    s: Session,
    actor: Actor,
    number: str,
    buyer: Key,
    amount: str,
    on: date,
    currency: str,
    ref: str,
) -> None:
    data = InvoiceCreate(
        invoice_number=number,
        buyer_registration_number=buyer[0],
        buyer_country=buyer[1],
        currency=currency,
        amount=Decimal(amount),
        issue_date=on,
        due_date=on,
        order_reference=ref,
    )
    create_invoice(s, actor=actor, data=data)


def _deliver(s: Session, actor: Actor, order_id: uuid.UUID, amount: str | None, on: date) -> None:
    data = DeliveryCreate(delivered_on=on, amount=None if amount is None else Decimal(amount))
    orders.record_delivery(s, actor=actor, order_id=order_id, data=data)


def _add_orders(s: Session, actor: Actor) -> None:
    """Orders on demo buyers: partial deliveries, invoices in another currency (some from
    another buyer; equal amounts, which round differently one by one than summed),
    cancellations, over-invoicing, an invoice paid in full and then credited (settled beyond
    its amount: open 0, not negative), `invoiced` status."""
    by = _buyers_by_currency(s, actor)
    eur, gbp, usd, jpy = by["EUR"], by["GBP"], by["USD"], by["JPY"]
    aug, sep = date(2026, 8, 20), date(2026, 9, 5)
    o1 = _order(s, actor, "S-1", eur[0], "5000.00", aug, "EUR")
    _deliver(s, actor, o1, "1800.00", date(2026, 9, 1))
    _invoice(s, actor, "S-INV-1", eur[0], "1200.00", date(2026, 9, 8), "EUR", "S-1")
    o2 = _order(s, actor, "S-2", eur[1], "3333.33", aug, "USD")
    _deliver(s, actor, o2, None, date(2026, 8, 25))
    _invoice(s, actor, "S-INV-2a", eur[1], "1000.01", date(2026, 9, 2), "EUR", "S-2")
    _invoice(s, actor, "S-INV-2b", eur[1], "1000.01", date(2026, 9, 20), "EUR", "S-2")
    o3 = _order(s, actor, "S-3", jpy[0], "987654", aug, "JPY")
    _deliver(s, actor, o3, "123457", date(2026, 9, 3))
    _invoice(s, actor, "S-INV-3", gbp[0], "777.77", date(2026, 9, 4), "GBP", "S-3")
    o4 = _order(s, actor, "S-4", gbp[1], "2500.00", aug, "GBP")
    _deliver(s, actor, o4, "600.00", date(2026, 8, 30))
    orders.cancel_order(
        s, actor=actor, order_id=o4, data=CancellationCreate(cancelled_on=date(2026, 9, 15))
    )
    _order(s, actor, "S-5", usd[0], "400.00", aug, "USD")
    _invoice(s, actor, "S-INV-5", usd[0], "650.00", date(2026, 9, 1), "USD", "S-5")
    db.payment(
        s,
        actor,
        "S-PAY-5",
        usd[0][0],
        "650.00",
        date(2026, 9, 2),
        currency="USD",
        country=usd[0][1],
        invoice_number="S-INV-5",
    )
    db.credit_note(s, actor, "S-CN-5", "S-INV-5", "50.00", date(2026, 9, 3), currency="USD")
    _invoice(s, actor, "S-INV-3b", eur[3], "0.01", date(2026, 9, 6), "EUR", "S-3")
    _invoice(s, actor, "S-INV-3c", eur[3], "0.01", date(2026, 9, 7), "EUR", "S-3")
    _order(s, actor, "S-6", usd[1], "900.00", aug, "USD", status="invoiced")
    _order(s, actor, "S-7", eur[0], "250.00", sep, "CHF")
    _order(s, actor, "S-8", eur[2], "100.00", aug, "EUR", delivery_date=date(2026, 8, 21))
    _order(s, actor, "S-9", eur[2], "80.00", aug, "EUR", status="cancelled")


@pytest.fixture(scope="module")
def demo_org(engine: Engine) -> tuple[Actor, list[uuid.UUID]]:
    """A 150-buyer demo portfolio with the orders above, loaded once per database."""
    actor = make_org(engine)
    with unit_of_work(engine) as s:
        load_portfolio(s, actor=actor, portfolio=generate_portfolio(seed=11, buyers=150))
        _add_orders(s, actor)
        ids = list(s.scalars(select(Company.id).where(Company.org_id == actor.org_id)))
    return actor, ids


def _chunks(ids: list[uuid.UUID], size: int) -> Iterator[list[uuid.UUID]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def test_demo_portfolio_every_buyer_the_same(
    engine: Engine, demo_org: tuple[Actor, list[uuid.UUID]]
) -> None:
    actor, ids = demo_org
    seen_orders = seen_deliveries = seen_fx = 0
    with unit_of_work(engine) as s:
        for day in DEMO_DAYS:
            for target in TARGETS:
                frames = frame_buyer_exposures(s, actor=actor, as_of=day, currency=target)
                assert set(frames) == set(ids)
                single: dict[uuid.UUID, Exposure] = {}
                for chunk in _chunks(ids, FEW_BUYERS_BY_SQL):
                    single.update(
                        few_buyer_exposures(
                            s, actor=actor, company_ids=chunk, as_of=day, currency=target
                        )
                    )
                assert single == frames, (day, target)
                seen_orders += sum(e.uninvoiced_orders > 0 for e in frames.values())
                seen_deliveries += sum(e.uninvoiced_deliveries > 0 for e in frames.values())
                seen_fx += sum(e.fx_rate_date is not None for e in frames.values())
    assert seen_orders
    assert seen_deliveries
    assert seen_fx


@pytest.mark.parametrize(
    ("day", "target"), [(date(2026, 9, 30), "EUR"), (date(2026, 9, 10), "JPY")]
)
def test_one_buyer_at_a_time_through_buyer_exposures(
    engine: Engine, demo_org: tuple[Actor, list[uuid.UUID]], day: date, target: str
) -> None:
    """What the gates and decisions call: buyer_exposures with one id, and the frame path
    reading that one buyer by id (its indexed branch), for every buyer."""
    actor, ids = demo_org
    with unit_of_work(engine) as s:
        whole = frame_buyer_exposures(s, actor=actor, as_of=day, currency=target)
        for company_id in ids:
            one = buyer_exposures(
                s, actor=actor, company_ids=[company_id], as_of=day, currency=target
            )
            assert one == {company_id: whole[company_id]}
        for company_id in ids[:10]:
            framed = frame_buyer_exposures(
                s, actor=actor, company_ids=[company_id], as_of=day, currency=target
            )
            assert framed == {company_id: whole[company_id]}


def _outcome(call: Callable[[], dict[uuid.UUID, Exposure]]) -> Any:
    try:
        return call()
    except TradecreditError as error:
        return type(error), str(error), error.details


def test_worked_example_and_missing_rates_the_same(engine: Engine, actor: Actor) -> None:
    """The worked ledger plus a NOK invoice for B and a CHF order of X invoiced in EUR: with no
    NOK or CHF rates, which error each path raises, and its words, must match too."""
    ledger.build(engine, actor)
    with unit_of_work(engine) as s:
        db.invoice(
            s,
            actor,
            "INV-N",
            "B",
            "70.00",
            issued=date(2026, 3, 2),
            due=date(2026, 4, 1),
            currency="NOK",
        )
        ledger.order(s, actor, "O-CHF", "X", "90.00", date(2026, 3, 3), currency="CHF")
        ledger.order_invoice(s, actor, "INV-C", "X", "40.00", date(2026, 3, 4), "O-CHF")
        ids = list(s.scalars(select(Company.id).where(Company.org_id == actor.org_id)))
    errors = 0
    with unit_of_work(engine) as s:
        for day in (date(2026, 2, 27), date(2026, 3, 3), date(2026, 3, 12), date(2026, 3, 25)):
            for target in ("EUR", "USD", "NOK"):
                for company_id in ids:
                    kwargs: dict[str, Any] = {
                        "actor": actor,
                        "company_ids": [company_id],
                        "as_of": day,
                        "currency": target,
                    }
                    framed = _outcome(partial(frame_buyer_exposures, s, **kwargs))
                    assert _outcome(partial(few_buyer_exposures, s, **kwargs)) == framed
                    errors += isinstance(framed, tuple) and framed[0] is FxRateMissing
                both: dict[str, Any] = {
                    "actor": actor,
                    "company_ids": ids,
                    "as_of": day,
                    "currency": target,
                }
                assert _outcome(partial(few_buyer_exposures, s, **both)) == _outcome(
                    partial(frame_buyer_exposures, s, **both)
                )
    assert errors


def test_another_organisations_buyer_is_not_found_on_both_paths(
    engine: Engine, actor: Actor, other_actor: Actor
) -> None:
    ledger.build(engine, actor)
    with unit_of_work(engine) as s:
        mine = list(s.scalars(select(Company.id).where(Company.org_id == actor.org_id)))
        for path in (few_buyer_exposures, frame_buyer_exposures):
            with pytest.raises(NotFound):
                path(
                    s,
                    actor=other_actor,
                    company_ids=mine[:1],
                    as_of=date(2026, 3, 25),
                    currency="EUR",
                )
            stranger = uuid.uuid4()
            everyone = [*mine, stranger]
            found = _outcome(
                partial(
                    path,
                    s,
                    actor=actor,
                    company_ids=everyone,
                    as_of=date(2026, 3, 25),
                    currency="EUR",
                )
            )
            assert found[0] is NotFound
            assert str(stranger) in found[1]


def _postgresql_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("buyers_native takes the buyers as a PostgreSQL array")


def test_many_buyers_in_two_statements_as_one_by_one(
    engine: Engine, demo_org: tuple[Actor, list[uuid.UUID]]
) -> None:
    """`exposure.one.buyers_native` (a decision batch's read) gives each buyer's
    `one_buyer_native`, for the whole portfolio at once and in small batches."""
    _postgresql_only(engine)
    actor, ids = demo_org
    with unit_of_work(engine) as s:
        for day in DEMO_DAYS[:3]:
            rates = LazyRates(s, actor, day)
            alone = {
                company_id: one_buyer_native(
                    s, actor=actor, company_id=company_id, as_of=day, rates=rates
                )
                for company_id in ids
            }
            assert buyers_native(s, actor=actor, company_ids=ids, as_of=day, rates=rates) == alone
            for chunk in _chunks(ids, 7):
                found = buyers_native(s, actor=actor, company_ids=chunk, as_of=day, rates=rates)
                assert found == {company_id: alone[company_id] for company_id in chunk}
            assert sum(bool(native.parts) for native in alone.values()) > len(ids) // 2
            assert any(native.oldest_overdue_due for native in alone.values())


def test_a_buyer_missing_a_rate_is_left_out_of_many_and_raises_alone(
    engine: Engine, actor: Actor, other_actor: Actor
) -> None:
    """X's CHF order is invoiced in EUR and there is no CHF rate: read with the others, X is
    left out (its own decision reads it alone and fails); the others are read. Another
    organisation's buyers are not read."""
    _postgresql_only(engine)
    ledger.build(engine, actor)
    with unit_of_work(engine) as s:
        ledger.order(s, actor, "O-CHF", "X", "90.00", date(2026, 3, 3), currency="CHF")
        ledger.order_invoice(s, actor, "INV-C", "X", "40.00", date(2026, 3, 4), "O-CHF")
        rows = s.execute(
            select(Company.registration_number, Company.id).where(Company.org_id == actor.org_id)
        )
        names = dict(rows.all())
    day = date(2026, 3, 12)
    with unit_of_work(engine) as s:
        rates = LazyRates(s, actor, day)
        ids = list(names.values())
        found = buyers_native(s, actor=actor, company_ids=ids, as_of=day, rates=rates)
        assert set(found) == set(ids) - {names["X"]}
        with pytest.raises(FxRateMissing):
            one_buyer_native(s, actor=actor, company_id=names["X"], as_of=day, rates=rates)
        for company_id, native in found.items():
            assert native == one_buyer_native(
                s, actor=actor, company_id=company_id, as_of=day, rates=rates
            )
        strangers = buyers_native(
            s, actor=other_actor, company_ids=ids, as_of=day, rates=LazyRates(s, other_actor, day)
        )
        assert all(not native.parts for native in strangers.values())
