"""The default portfolio loads into a fresh SQLite file in one transaction (timed in the report)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from tradecredit.audit.service import verify_chain
from tradecredit.context import Actor
from tradecredit.db.engine import make_engine, unit_of_work
from tradecredit.db.migrate import upgrade
from tradecredit.demo.loader import load_portfolio
from tradecredit.demo.portfolio import Portfolio
from tradecredit.organisations import service as org_service
from tradecredit.organisations.roles import Role
from tradecredit.receivables.models import Allocation, Invoice, Payment


def test_default_portfolio_loads_into_sqlite(tmp_path: Path, portfolio: Portfolio) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}", sqlite_synchronous="NORMAL")
    upgrade(engine)
    with unit_of_work(engine) as session:
        org = org_service.create_organisation(
            session,
            slug="demo",
            name="Demo",
            kind="seller",
            base_currency="EUR",
            actor_name="test",
        )
        actor = Actor(org_id=org.id, name="test:admin", role=Role.ADMIN)
    with unit_of_work(engine) as session:
        summary = load_portfolio(session, actor=actor, portfolio=portfolio)
    with unit_of_work(engine) as session:
        for model, table in (
            (Invoice, "invoices"),
            (Payment, "payments"),
            (Allocation, "allocations"),
        ):
            count = session.scalar(
                select(func.count()).select_from(model).where(model.org_id == org.id)
            )
            assert count == summary.rows[table] > 50_000
        assert verify_chain(session, org_id=org.id).ok
    engine.dispose()
