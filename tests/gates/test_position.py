"""A buyer's credit position on both databases: limit, exposure, overdue, hold, status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from gates.builders import (
    AS_OF,
    add_buyer,
    add_invoice,
    add_order,
    add_payment,
    add_rate,
    set_limit,
)
from tradecredit.context import Actor
from tradecredit.gates.position import credit_position
from tradecredit.kit.errors import NotFound
from tradecredit.receivables.schemas import AccountCreate
from tradecredit.receivables.service import create_account


def test_position_with_limit_exposure_and_overdue(session: Session, actor: Actor) -> None:
    buyer = add_buyer(session, actor, "B1")
    set_limit(session, actor, buyer, "10000.00", valid_until=date(2026, 12, 31))
    add_invoice(
        session, actor, "B1", "I-1", "1000.00", issued=date(2026, 1, 1), due=date(2026, 1, 31)
    )
    add_invoice(
        session, actor, "B1", "I-2", "2000.00", issued=date(2026, 2, 1), due=date(2026, 3, 3)
    )
    add_invoice(
        session, actor, "B1", "I-3", "500.00", issued=date(2026, 3, 20), due=date(2026, 4, 19)
    )
    add_payment(session, actor, "B1", "P-1", "1000.00", paid=date(2026, 2, 20))
    add_order(session, actor, "B1", "O-1", "3000.00", delivered="1000.00")

    position = credit_position(session, actor=actor, company_id=buyer, as_of=AS_OF)

    assert position.currency == "EUR"
    assert position.limit == Decimal("10000.00")
    assert position.limit_source == "credit_limit"
    assert position.limit_valid_until == date(2026, 12, 31)
    assert not position.limit_expired
    assert position.exposure == Decimal("5500.00")
    assert position.available == Decimal("4500.00")
    assert position.utilisation == Decimal("0.5500")
    assert position.oldest_overdue_days == (AS_OF - date(2026, 3, 3)).days
    assert not position.account_on_hold
    assert position.company_status == "active"

    earlier = credit_position(session, actor=actor, company_id=buyer, as_of=date(2026, 2, 10))
    assert earlier.oldest_overdue_days == 10
    assert earlier.exposure == Decimal("3000.00")


def test_position_without_limit_is_in_base_currency(session: Session, actor: Actor) -> None:
    buyer = add_buyer(session, actor, "B2", status="insolvent", on_hold=True)
    add_invoice(
        session,
        actor,
        "B2",
        "U-1",
        "110.00",
        issued=date(2026, 3, 1),
        due=date(2026, 3, 31),
        currency="USD",
    )
    add_rate(session, actor, "EUR", "USD", "1.10", date(2026, 3, 1))

    position = credit_position(session, actor=actor, company_id=buyer, as_of=AS_OF)

    assert position.limit is None
    assert position.limit_source is None
    assert position.available is None
    assert position.utilisation is None
    assert position.currency == "EUR"
    assert position.exposure == Decimal("100.00")
    assert position.exposure_fx_rate_date == date(2026, 3, 1)
    assert position.oldest_overdue_days is None
    assert position.account_on_hold
    assert position.company_status == "insolvent"


def test_expired_limit_and_account_limit_fallback(session: Session, actor: Actor) -> None:
    expired = add_buyer(session, actor, "B3")
    set_limit(session, actor, expired, "100.00", valid_until=date(2026, 3, 30))
    assert credit_position(session, actor=actor, company_id=expired, as_of=AS_OF).limit_expired
    assert not credit_position(
        session, actor=actor, company_id=expired, as_of=date(2026, 3, 30)
    ).limit_expired

    from tradecredit.companies.schemas import CompanyCreate
    from tradecredit.companies.service import create_company

    company = create_company(
        session,
        actor=actor,
        data=CompanyCreate(registration_number="B4", country="DE", name="B4", sector="C25"),
    )
    create_account(
        session,
        actor=actor,
        data=AccountCreate(
            registration_number="B4",
            country="DE",
            payment_terms_days=30,
            credit_limit=Decimal("2500.00"),
            currency="GBP",
        ),
    )
    position = credit_position(session, actor=actor, company_id=company.id, as_of=AS_OF)
    assert position.limit == Decimal("2500.00")
    assert position.currency == "GBP"
    assert position.limit_source == "account"
    assert position.limit_valid_until is None
    assert not position.limit_expired
    assert position.exposure == Decimal("0.00")
    assert position.utilisation == Decimal("0.0000")


def test_another_organisations_buyer_is_not_found(
    session: Session, actor: Actor, other_actor: Actor
) -> None:
    buyer = add_buyer(session, actor, "B5")
    with pytest.raises(NotFound):
        credit_position(session, actor=other_actor, company_id=buyer, as_of=AS_OF)
