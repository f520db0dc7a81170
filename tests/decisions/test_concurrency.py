"""Concurrent decisions for one buyer never exceed its limit together (SQLite and PostgreSQL).

Twelve threads, each with its own connection and transaction, ask at once for 30% of the limit:
the buyer lock serialises them, so exactly three are approved and the rest see the reservations.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from decisions.builders import add_buyer, checkout, grant_limit
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.decisions import service
from tradecredit.decisions.schemas import DecisionCreate
from tradecredit.orders.models import Order

pytestmark = pytest.mark.usefixtures("clock")
CLIENTS = 12


def test_twelve_concurrent_checkouts_of_30_percent_approve_three(
    engine: Engine, actor: Actor
) -> None:
    with unit_of_work(engine) as session:
        company_id = add_buyer(session, actor, "RACE")
        grant_limit(session, actor, company_id, "1000")
    request = DecisionCreate.model_validate(checkout("RACE", "300"))
    start = threading.Barrier(CLIENTS)

    def one(_: int) -> str:
        start.wait(timeout=30)
        with unit_of_work(engine) as session:
            return service.decide_checkout(session, actor=actor, data=request).outcome

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        outcomes = list(pool.map(one, range(CLIENTS)))
    with unit_of_work(engine) as session:
        reserved = session.scalar(
            select(func.coalesce(func.sum(Order.amount_minor), 0)).where(
                Order.org_id == actor.org_id, Order.company_id == company_id
            )
        )
        stored = service.list_decisions(session, actor=actor)
    assert sorted(outcomes) == ["approve"] * 3 + ["decline"] * 9
    assert Decimal(reserved) / 100 == Decimal(900) <= Decimal(1000)
    assert len(stored) == CLIENTS
    seen = sorted(d.exposure_minor or 0 for d in stored)
    assert seen == [0, 30000, 60000] + [90000] * 9, "each decision saw the ones before it"
