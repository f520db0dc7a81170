"""Concurrent decisions for one buyer never exceed its limit together (SQLite and PostgreSQL),
one by one or in concurrent batches.

Twelve threads, each with its own connection and transaction, ask at once for 30% of the limit:
the buyer lock serialises them, so exactly three are approved and the rest see the reservations.
"""

from __future__ import annotations

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from api.builders import make_tenant
from decisions.builders import add_buyer, checkout, grant_limit
from decisions.test_batch import buyers, request_for
from tradecredit.api.hot import BatchRunner
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


def test_concurrent_batches_over_the_same_buyers_keep_every_limit_and_never_deadlock(
    engine: Engine,
) -> None:
    """Eight workers' batch threads at once, each batch asking 100 of every one of five buyers
    (limit 1,000) in its own shuffled order: on PostgreSQL each batch locks its buyers up
    front (`facts.lock_buyers`), in one order whatever the arrival order, so no batch waits
    for another in a cycle; each buyer gets exactly ten approvals."""
    tenant = make_tenant(engine)
    names = ["B1", "B2", "B3", "B4", "B5"]
    buyers(engine, tenant, dict.fromkeys(names, "1000"))
    runners = [BatchRunner(engine) for _ in range(8)]
    start = threading.Barrier(len(runners))

    def work(index: int) -> list[str | None]:
        pick = random.Random(index)
        start.wait(timeout=30)
        answers: list[str | None] = []
        for _ in range(3):
            order = pick.sample(names, len(names))
            answers += runners[index].run([request_for(tenant, name, "100") for name in order])
        return answers

    try:
        with ThreadPoolExecutor(max_workers=len(runners)) as pool:
            answers = [a for found in pool.map(work, range(len(runners))) for a in found]
    finally:
        for runner in runners:
            runner.close()
    assert all(answer is not None for answer in answers), "every request decided in a batch"
    approved: dict[str, int] = {}
    for answer in answers:
        body = json.loads(answer or "{}")
        if body["outcome"] == "approve":
            name = body["buyer"]["registration_number"]
            approved[name] = approved.get(name, 0) + 1
    assert approved == dict.fromkeys(names, 10)
    with unit_of_work(engine) as session:
        reserved = session.scalar(
            select(func.coalesce(func.sum(Order.amount_minor), 0)).where(
                Order.org_id == tenant.org_id
            )
        )
    assert reserved == 5 * 100_000
