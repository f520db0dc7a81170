"""Loading a small portfolio on SQLite and PostgreSQL: counts, ledger invariants, audit chain."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tradecredit.audit.models import AuditEvent
from tradecredit.audit.service import verify_chain
from tradecredit.companies.models import Company, CompanyEvent, FinancialStatement
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.demo.ledger import replay_allocations
from tradecredit.demo.loader import LoadSummary, content_hashes, load_portfolio
from tradecredit.demo.portfolio import Portfolio
from tradecredit.fx.models import FxRate
from tradecredit.kit.errors import AlreadyExists, InvalidInput, PermissionDenied
from tradecredit.kit.money import to_minor
from tradecredit.organisations.roles import Role
from tradecredit.receivables.models import (
    Allocation,
    CreditNote,
    CustomerAccount,
    Dispute,
    Invoice,
    Payment,
)
from tradecredit.receivables.service import open_amounts, unapplied_credit_minor

MODELS = {
    "companies": Company,
    "financial_statements": FinancialStatement,
    "customer_accounts": CustomerAccount,
    "invoices": Invoice,
    "credit_notes": CreditNote,
    "payments": Payment,
    "allocations": Allocation,
    "disputes": Dispute,
    "company_events": CompanyEvent,
    "fx_rates": FxRate,
}


@pytest.fixture
def loaded(engine: Engine, actor: Actor, small_portfolio: Portfolio) -> tuple[LoadSummary, list]:
    calls: list[tuple[str, int, int]] = []
    with unit_of_work(engine) as session:
        summary = load_portfolio(
            session,
            actor=actor,
            portfolio=small_portfolio,
            progress=lambda step, done, total: calls.append((step, done, total)),
        )
    return summary, calls


def _count(session: Session, model: Any, actor: Actor) -> int:
    query = select(func.count()).select_from(model).where(model.org_id == actor.org_id)
    return int(session.scalar(query) or 0)


def test_row_counts_match_the_portfolio(
    engine: Engine, actor: Actor, small_portfolio: Portfolio, loaded: tuple[LoadSummary, list]
) -> None:
    summary, _calls = loaded
    frames = small_portfolio.frames()
    expected = {
        "companies": frames["companies"].height,
        "financial_statements": frames["statements"].height,
        "customer_accounts": frames["accounts"].height,
        "invoices": frames["invoices"].height,
        "credit_notes": frames["credit_notes"].height,
        "payments": frames["payments"].height,
        "allocations": replay_allocations(small_portfolio).height,
        "disputes": frames["disputes"].height,
        "company_events": frames["events"].height,
        "fx_rates": frames["fx_rates"].height,
    }
    assert summary.rows == expected
    assert summary.seed == 7
    assert summary.fingerprint == small_portfolio.fingerprint()
    with unit_of_work(engine) as session:
        for table, model in MODELS.items():
            assert _count(session, model, actor) == expected[table], table


def test_progress_reports_every_table_to_completion(loaded: tuple[LoadSummary, list]) -> None:
    summary, calls = loaded
    finals = {step: (done, total) for step, done, total in calls}
    assert set(finals) == set(MODELS)
    assert all(done == total == summary.rows[step] for step, (done, total) in finals.items())
    assert calls[0] == ("companies", 0, summary.rows["companies"])


def test_ledger_invariants_hold_in_the_database(
    engine: Engine, actor: Actor, loaded: tuple[LoadSummary, list]
) -> None:
    with unit_of_work(engine) as session:
        allocated = (
            select(Allocation.invoice_id, func.sum(Allocation.amount_minor).label("total"))
            .where(Allocation.org_id == actor.org_id)
            .group_by(Allocation.invoice_id)
            .subquery()
        )
        credited = (
            select(CreditNote.invoice_id, func.sum(CreditNote.amount_minor).label("total"))
            .where(CreditNote.org_id == actor.org_id)
            .group_by(CreditNote.invoice_id)
            .subquery()
        )
        overdrawn = session.scalar(
            select(func.count())
            .select_from(Invoice)
            .outerjoin(allocated, allocated.c.invoice_id == Invoice.id)
            .outerjoin(credited, credited.c.invoice_id == Invoice.id)
            .where(
                Invoice.org_id == actor.org_id,
                Invoice.amount_minor
                < func.coalesce(allocated.c.total, 0) + func.coalesce(credited.c.total, 0),
            )
        )
        assert overdrawn == 0
        applied = (
            select(Allocation.payment_id, func.sum(Allocation.amount_minor).label("total"))
            .group_by(Allocation.payment_id)
            .subquery()
        )
        over_applied = session.scalar(
            select(func.count())
            .select_from(Payment)
            .join(applied, applied.c.payment_id == Payment.id)
            .where(Payment.org_id == actor.org_id, applied.c.total > Payment.amount_minor)
        )
        assert over_applied == 0
        foreign = session.scalar(
            select(func.count())
            .select_from(Allocation)
            .join(Payment, Payment.id == Allocation.payment_id)
            .join(Invoice, Invoice.id == Allocation.invoice_id)
            .where(
                Allocation.org_id == actor.org_id,
                (Payment.company_id != Invoice.company_id)
                | (Payment.currency != Invoice.currency)
                | (Allocation.applied_on != Payment.payment_date),
            )
        )
        assert foreign == 0


def test_open_amounts_agree_with_the_replay(
    engine: Engine, actor: Actor, small_portfolio: Portfolio, loaded: tuple[LoadSummary, list]
) -> None:
    replay = replay_allocations(small_portfolio)
    allocated = dict(
        replay.group_by("invoice_number").agg(pl.col("amount_minor").sum()).iter_rows()
    )
    credited: dict[str, int] = {}
    for number, currency, amount in small_portfolio.credit_notes.select(
        "invoice_number", "currency", "amount"
    ).iter_rows():
        credited[number] = credited.get(number, 0) + to_minor(amount, currency)
    with unit_of_work(engine) as session:
        invoices = session.scalars(select(Invoice).where(Invoice.org_id == actor.org_id)).all()
        amounts = open_amounts(session, invoices)
        for invoice in invoices:
            expected = (
                invoice.amount_minor
                - allocated.get(invoice.invoice_number, 0)
                - credited.get(invoice.invoice_number, 0)
            )
            assert amounts[invoice.id] == expected >= 0
        assert any(value > 0 for value in amounts.values())


def test_amounts_and_keys_survive_the_trip(
    engine: Engine, actor: Actor, small_portfolio: Portfolio, loaded: tuple[LoadSummary, list]
) -> None:
    first = small_portfolio.invoices.row(0, named=True)
    with unit_of_work(engine) as session:
        invoice = session.scalars(
            select(Invoice).where(
                Invoice.org_id == actor.org_id, Invoice.invoice_number == first["invoice_number"]
            )
        ).one()
        assert invoice.amount_minor == to_minor(first["amount"], first["currency"])
        assert invoice.issue_date == first["issue_date"]
        company = session.get(Company, invoice.company_id)
        assert company is not None
        assert company.registration_number == first["buyer_registration_number"]
        children = session.scalar(
            select(func.count())
            .select_from(Company)
            .where(Company.org_id == actor.org_id, Company.group_parent_id.is_not(None))
        )
        expected_children = small_portfolio.companies.filter(
            pl.col("group_parent_registration_number").is_not_null()
        ).height
        assert children == expected_children > 0
        insolvent = session.scalar(
            select(func.count())
            .select_from(Company)
            .where(Company.org_id == actor.org_id, Company.status == "insolvent")
        )
        assert insolvent == small_portfolio.truth.filter(pl.col("defaulted")).height
        rate = session.scalars(
            select(FxRate).where(FxRate.org_id == actor.org_id, FxRate.quote_currency == "USD")
        ).first()
        assert rate is not None
        assert rate.rate > 0
        assert rate.rate_date <= date(2026, 9, 30)


def test_unapplied_credit_is_left_on_the_account(
    engine: Engine, actor: Actor, small_portfolio: Portfolio, loaded: tuple[LoadSummary, list]
) -> None:
    with unit_of_work(engine) as session:
        accounts = session.scalars(
            select(CustomerAccount.id).where(CustomerAccount.org_id == actor.org_id)
        ).all()
        credit = [unapplied_credit_minor(session, actor=actor, account_id=a) for a in accounts]
    assert all(v >= 0 for c in credit for v in c.values())
    assert any(v > 0 for c in credit for v in c.values())


def test_one_audit_event_per_table_and_the_chain_holds(
    engine: Engine, actor: Actor, small_portfolio: Portfolio, loaded: tuple[LoadSummary, list]
) -> None:
    summary, _calls = loaded
    with unit_of_work(engine) as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.org_id == actor.org_id, AuditEvent.action == "demo.loaded")
            .order_by(AuditEvent.seq)
        ).all()
        report = verify_chain(session, org_id=actor.org_id)
    assert report.ok, report.broken
    assert [e.entity_type for e in events] == list(MODELS)
    hashes = content_hashes(small_portfolio, replay_allocations(small_portfolio))
    for event in events:
        after = json.loads(event.after or "{}")
        assert after == {
            "rows": summary.rows[event.entity_type],
            "seed": 7,
            "content_sha256": hashes[event.entity_type],
        }
    assert summary.content_sha256 == hashes


def test_a_second_load_is_refused_and_leaves_nothing(
    engine: Engine, actor: Actor, small_portfolio: Portfolio, loaded: tuple[LoadSummary, list]
) -> None:
    with pytest.raises(AlreadyExists, match="empty organisation"), unit_of_work(engine) as session:
        load_portfolio(session, actor=actor, portfolio=small_portfolio)
    with unit_of_work(engine) as session:
        assert _count(session, Invoice, actor) == small_portfolio.invoices.height


def test_a_viewer_may_not_load(engine: Engine, actor: Actor, small_portfolio: Portfolio) -> None:
    viewer = Actor(org_id=actor.org_id, name="test:viewer", role=Role.VIEWER)
    with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
        load_portfolio(session, actor=viewer, portfolio=small_portfolio)
    with unit_of_work(engine) as session:
        assert _count(session, Company, actor) == 0


def test_a_failed_load_rolls_back_whole(
    engine: Engine, actor: Actor, small_portfolio: Portfolio
) -> None:
    broken = dataclasses.replace(
        small_portfolio,
        payments=small_portfolio.payments.with_columns(
            pl.lit("INV-1999-000001").alias("invoice_number")
        ),
    )
    with pytest.raises(InvalidInput, match="INV-1999-000001"), unit_of_work(engine) as session:
        load_portfolio(session, actor=actor, portfolio=broken)
    with unit_of_work(engine) as session:
        for model in MODELS.values():
            assert _count(session, model, actor) == 0
