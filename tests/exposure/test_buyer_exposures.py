"""buyer_exposures on a real ledger: open items, FX by date, zero rows, tenancy, missing rates."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from analytics import db_ledger as db
from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.exposure.service import Exposure, buyer_exposures
from tradecredit.kit.errors import FxRateMissing, NotFound


def company_id(s: Session, actor: Actor, reg: str) -> uuid.UUID:
    found = s.scalar(
        select(Company.id).where(Company.org_id == actor.org_id, Company.registration_number == reg)
    )
    assert found is not None
    return found


def ledger(engine: Engine, actor: Actor) -> None:
    """Buyer A: INV-1 1000 EUR part-paid (300), INV-2 500 EUR with a 100 credit note, INV-3
    200 USD; EUR/USD 1.10 on 03-01, 1.25 on 03-20. Buyer B: nothing."""
    with unit_of_work(engine) as s:
        db.company(s, actor, "A")
        db.company(s, actor, "B")
        db.invoice(
            s, actor, "INV-1", "A", "1000.00", issued=date(2026, 1, 10), due=date(2026, 2, 9)
        )
        db.invoice(s, actor, "INV-2", "A", "500.00", issued=date(2026, 2, 1), due=date(2026, 3, 3))
        db.invoice(
            s,
            actor,
            "INV-3",
            "A",
            "200.00",
            issued=date(2026, 3, 1),
            due=date(2026, 3, 31),
            currency="USD",
        )
        db.payment(s, actor, "P-1", "A", "300.00", date(2026, 2, 15), invoice_number="INV-1")
        db.credit_note(s, actor, "CN-1", "INV-2", "100.00", date(2026, 2, 20))
        db.rate(s, actor, "EUR", "USD", "1.10", date(2026, 3, 1))
        db.rate(s, actor, "EUR", "USD", "1.25", date(2026, 3, 20))


def test_open_invoices_converted_at_the_dated_rate(engine: Engine, actor: Actor) -> None:
    ledger(engine, actor)
    with unit_of_work(engine) as s:
        a, b = company_id(s, actor, "A"), company_id(s, actor, "B")
        found = buyer_exposures(s, actor=actor, as_of=date(2026, 3, 25), currency="EUR")
    assert set(found) == {a, b}
    assert found[a] == Exposure(
        company_id=a,
        currency="EUR",
        open_invoices=Decimal("1260.00"),
        uninvoiced_orders=Decimal("0.00"),
        uninvoiced_deliveries=Decimal("0.00"),
        total=Decimal("1260.00"),
        fx_rate_date=date(2026, 3, 20),
    )
    assert found[b].total == Decimal("0.00")
    assert found[b].fx_rate_date is None


def test_as_of_an_earlier_date_ignores_later_settlements_and_rates(
    engine: Engine, actor: Actor
) -> None:
    ledger(engine, actor)
    with unit_of_work(engine) as s:
        a = company_id(s, actor, "A")
        before_credit = buyer_exposures(
            s, actor=actor, company_ids=[a], as_of=date(2026, 2, 16), currency="EUR"
        )
        early_rate = buyer_exposures(
            s, actor=actor, company_ids=[a], as_of=date(2026, 3, 5), currency="eur"
        )
    assert before_credit[a].open_invoices == Decimal("1200.00")
    assert before_credit[a].fx_rate_date is None
    assert early_rate[a].open_invoices == Decimal("1281.82")
    assert early_rate[a].fx_rate_date == date(2026, 3, 1)


def test_in_another_currency_every_amount_converts(engine: Engine, actor: Actor) -> None:
    ledger(engine, actor)
    with unit_of_work(engine) as s:
        a = company_id(s, actor, "A")
        found = buyer_exposures(
            s, actor=actor, company_ids=[a], as_of=date(2026, 3, 25), currency="USD"
        )
    assert found[a].open_invoices == Decimal("1575.00")
    assert found[a].currency == "USD"


def test_a_missing_rate_names_the_pair_and_the_date(engine: Engine, actor: Actor) -> None:
    ledger(engine, actor)
    with unit_of_work(engine) as s, pytest.raises(FxRateMissing) as raised:
        buyer_exposures(s, actor=actor, as_of=date(2026, 3, 25), currency="GBP")
    assert "EUR/GBP" in raised.value.message
    assert "2026-03-25" in raised.value.message
    with unit_of_work(engine) as s:
        a = company_id(s, actor, "A")
        too_early = buyer_exposures(
            s, actor=actor, company_ids=[a], as_of=date(2026, 2, 28), currency="EUR"
        )
    assert too_early[a].open_invoices == Decimal("1100.00")


def test_another_organisations_buyer_is_not_found(
    engine: Engine, actor: Actor, other_actor: Actor
) -> None:
    ledger(engine, actor)
    with unit_of_work(engine) as s:
        a = company_id(s, actor, "A")
        assert buyer_exposures(s, actor=other_actor, as_of=date(2026, 3, 25), currency="EUR") == {}
        with pytest.raises(NotFound):
            buyer_exposures(
                s, actor=other_actor, company_ids=[a], as_of=date(2026, 3, 25), currency="EUR"
            )
