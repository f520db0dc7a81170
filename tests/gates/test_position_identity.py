"""`credit_position` (three prepared statements) gives exactly the position composed from the
services one query at a time, as it was computed before: company, account, current limit, base
currency, the frame path's exposure, and the oldest overdue invoice from its own queries. Every
buyer of a generated demo portfolio with orders in several currencies, limits decided in
several currencies (some expired), account limits, holds, a buyer without an account, on several
days, on both databases; and the same errors (unknown company, missing FX rate)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from conftest import make_org
from exposure.test_single_path import DEMO_DAYS, _add_orders
from gates.builders import set_limit
from tradecredit.companies import service as companies
from tradecredit.companies.models import Company
from tradecredit.companies.schemas import CompanyCreate
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.demo.generator import generate_portfolio
from tradecredit.demo.loader import load_portfolio
from tradecredit.exposure.service import frame_buyer_exposures
from tradecredit.gates.position import CreditPosition, credit_position, utilisation_of
from tradecredit.kit.errors import NotFound, TradecreditError
from tradecredit.kit.money import from_minor
from tradecredit.limits.decisions import current_limit
from tradecredit.limits.policy_store import base_currency
from tradecredit.receivables.allocation import open_minor
from tradecredit.receivables.models import Allocation, CreditNote, CustomerAccount, Invoice
from tradecredit.receivables.service import find_account


def _oldest_overdue_days(
    s: Session, actor: Actor, company_id: uuid.UUID, as_of: date
) -> int | None:
    past_due = (
        Invoice.org_id == actor.org_id,
        Invoice.company_id == company_id,
        Invoice.due_date < as_of,
        Invoice.issue_date <= as_of,
    )
    invoices = s.execute(
        select(Invoice.id, Invoice.amount_minor, Invoice.due_date)
        .where(*past_due)
        .order_by(Invoice.due_date, Invoice.id)
    ).all()
    settled: dict[uuid.UUID, int] = defaultdict(int)
    for table, dated in ((Allocation, Allocation.applied_on), (CreditNote, CreditNote.issue_date)):
        for invoice_id, amount in s.execute(
            select(table.invoice_id, func.sum(table.amount_minor))
            .join(Invoice, Invoice.id == table.invoice_id)
            .where(*past_due, dated <= as_of)
            .group_by(table.invoice_id)
        ):
            settled[invoice_id] += int(amount)
    for invoice_id, amount_minor, due_date in invoices:
        if open_minor(amount_minor, settled[invoice_id], 0) > 0:
            return (as_of - due_date).days
    return None


def reference_position(
    s: Session, actor: Actor, company_id: uuid.UUID, as_of: date
) -> CreditPosition:
    """The position as `gates.position` composed it before its prepared statements."""
    company = companies.get_company(s, actor=actor, company_id=company_id)
    account = find_account(s, actor=actor, company_id=company_id)
    decided = current_limit(s, actor=actor, company_id=company_id)
    found: tuple[int, str, date | None, str] | None = None
    if decided is not None:
        found = (decided.amount_minor, decided.currency, decided.valid_until, "credit_limit")
    elif account is not None and account.credit_limit_minor is not None and account.currency:
        found = (account.credit_limit_minor, account.currency, None, "account")
    currency = found[1] if found else base_currency(s, actor=actor)
    limit = from_minor(found[0], currency) if found else None
    exposure = frame_buyer_exposures(
        s, actor=actor, company_ids=[company_id], as_of=as_of, currency=currency
    )[company_id]
    valid_until = found[2] if found else None
    return CreditPosition(
        company_id=company_id,
        as_of=as_of,
        currency=currency,
        limit=limit,
        limit_source=found[3] if found else None,  # type: ignore[arg-type]
        limit_valid_until=valid_until,
        limit_expired=valid_until is not None and valid_until < as_of,
        exposure=exposure.total,
        exposure_fx_rate_date=exposure.fx_rate_date,
        available=None if limit is None else limit - exposure.total,
        utilisation=utilisation_of(exposure.total, limit),
        oldest_overdue_days=_oldest_overdue_days(s, actor, company_id, as_of),
        account_on_hold=bool(account and account.on_hold),
        company_status=company.status,
    )


def _outcome(call: Any) -> Any:
    try:
        return call()
    except TradecreditError as error:
        return type(error), str(error), error.details


def _vary_limits_and_accounts(s: Session, actor: Actor, ids: list[uuid.UUID]) -> None:
    """Decided limits in EUR, USD and JPY (every fifth expired by the last demo day), account
    limits, accounts on hold, and one buyer without an account."""
    for index, company_id in enumerate(ids[:60]):
        currency = ("EUR", "USD", "JPY")[index % 3]
        expiry = date(2026, 9, 20) if index % 5 == 0 else date(2027, 6, 30)
        set_limit(
            s, actor, company_id, str(1000 * (index + 1)), currency=currency, valid_until=expiry
        )
    for index, company_id in enumerate(ids[60:90]):
        s.execute(
            update(CustomerAccount)
            .where(CustomerAccount.org_id == actor.org_id, CustomerAccount.company_id == company_id)
            .values(
                credit_limit_minor=0 if index % 7 == 0 else 250_000 * (index + 1),
                currency=("GBP", "EUR", None)[index % 3],
            )
        )
    for company_id in ids[::9]:
        s.execute(
            update(CustomerAccount)
            .where(CustomerAccount.org_id == actor.org_id, CustomerAccount.company_id == company_id)
            .values(on_hold=True)
        )
    companies.create_company(
        s,
        actor=actor,
        data=CompanyCreate(
            registration_number="NO-ACCOUNT", country="DE", name="No account", sector="C25"
        ),
    )


@pytest.fixture(scope="module")
def varied_org(engine: Engine) -> tuple[Actor, list[uuid.UUID]]:
    actor = make_org(engine)
    with unit_of_work(engine) as s:
        load_portfolio(s, actor=actor, portfolio=generate_portfolio(seed=23, buyers=120))
        _add_orders(s, actor)
        ids = list(s.scalars(select(Company.id).where(Company.org_id == actor.org_id)))
        _vary_limits_and_accounts(s, actor, ids)
        ids = list(s.scalars(select(Company.id).where(Company.org_id == actor.org_id)))
    return actor, ids


def test_every_buyer_on_every_day_the_same_as_composed(
    engine: Engine, varied_org: tuple[Actor, list[uuid.UUID]]
) -> None:
    actor, ids = varied_org
    seen: dict[str, int] = defaultdict(int)
    with unit_of_work(engine) as s:
        for day in DEMO_DAYS:
            for company_id in ids:
                expected = _outcome(partial(reference_position, s, actor, company_id, day))
                found = _outcome(
                    partial(credit_position, s, actor=actor, company_id=company_id, as_of=day)
                )
                assert found == expected, (day, company_id)
                if isinstance(found, CreditPosition):
                    seen[found.limit_source or "none"] += 1
                    seen["overdue"] += found.oldest_overdue_days is not None
                    seen["hold"] += found.account_on_hold
                    seen["expired"] += found.limit_expired
                    seen["fx"] += found.exposure_fx_rate_date is not None
                    seen["foreign limit"] += found.currency != "EUR"
                else:
                    seen["error"] += 1
    for kind in ("credit_limit", "account", "none", "overdue", "hold", "expired", "fx"):
        assert seen[kind], f"the portfolio has no position with {kind}: {dict(seen)}"
    assert seen["foreign limit"]


def test_unknown_or_foreign_company_is_not_found(
    engine: Engine, varied_org: tuple[Actor, list[uuid.UUID]], other_actor: Actor
) -> None:
    actor, ids = varied_org
    with unit_of_work(engine) as s:
        for who, company_id in ((actor, uuid.uuid4()), (other_actor, ids[0])):
            with pytest.raises(NotFound, match=str(company_id)):
                credit_position(s, actor=who, company_id=company_id, as_of=DEMO_DAYS[0])
