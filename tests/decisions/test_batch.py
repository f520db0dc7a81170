"""Checkout decisions in batches (decisions.batch, api.hot), on SQLite and PostgreSQL.

A batch decides each request exactly as it would be decided alone, one after another in one
transaction; what it cannot decide (a bad key, a role that may not decide, a taken or repeated
Idempotency-Key, a decision that fails) it hands back, and the ordinary route answers it.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.builders import Tenant, make_tenant
from decisions.builders import add_buyer, checkout, grant_limit
from tradecredit.api import hot
from tradecredit.api.app import create_app
from tradecredit.audit.models import AuditEvent
from tradecredit.audit.service import Change, verify_chain
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.decisions import batch as batch_module
from tradecredit.decisions import service
from tradecredit.decisions.batch import CheckoutRequest, decide_batch
from tradecredit.decisions.models import CheckoutDecision
from tradecredit.decisions.schemas import DecisionCreate
from tradecredit.orders.models import Order
from tradecredit.organisations.roles import Role
from tradecredit.organisations.service import system_actor
from tradecredit.settings import get_settings

pytestmark = pytest.mark.usefixtures("clock")


def request_for(tenant: Tenant, reg: str, amount: str, **extra: Any) -> CheckoutRequest:
    return CheckoutRequest(
        tenant.keys[Role.ADMIN],
        uuid.uuid4().hex,
        DecisionCreate.model_validate(checkout(reg, amount) | extra),
    )


def buyers(engine: Engine, tenant: Tenant, limits: dict[str, str]) -> None:
    with unit_of_work(engine) as session:
        actor = system_actor(tenant.org_id, "test")
        for reg, limit in limits.items():
            grant_limit(session, actor, add_buyer(session, actor, reg), limit)


def decided(bodies: list[str | None]) -> list[tuple[str, int | None, int | None]]:
    """(outcome, exposure, limit left in minor units) of each answer."""

    def minor(amount: str | None) -> int | None:
        return None if amount is None else int(Decimal(amount) * 100)

    answers = [json.loads(body) for body in bodies if body is not None]
    return [(a["outcome"], minor(a["exposure"]), minor(a["limit_left"])) for a in answers]


def rows(engine: Engine, tenant: Tenant, table: Any) -> int:
    with unit_of_work(engine) as session:
        found = session.scalar(
            select(func.count()).select_from(table).where(table.org_id == tenant.org_id)
        )
    return int(found or 0)


@pytest.fixture
def tenant(engine: Engine) -> Tenant:
    return make_tenant(engine)


def test_one_buyer_four_times_30_percent_in_one_batch_approves_three_each_seeing_the_last(
    engine: Engine, tenant: Tenant
) -> None:
    buyers(engine, tenant, {"B1": "1000"})
    requests = [request_for(tenant, "B1", "300") for _ in range(4)]
    with unit_of_work(engine) as session:
        bodies = decide_batch(session, requests=requests)
    outcomes = [json.loads(b)["outcome"] for b in bodies if b is not None]
    assert outcomes == ["approve", "approve", "approve", "decline"]
    with unit_of_work(engine) as session:
        stored = service.list_decisions(session, actor=system_actor(tenant.org_id))
        reserved = session.scalar(
            select(func.sum(Order.amount_minor)).where(Order.org_id == tenant.org_id)
        )
    assert sorted(d.exposure_minor or 0 for d in stored) == [0, 30000, 60000, 90000]
    assert reserved == 90000


def test_a_batch_decides_as_the_same_requests_one_by_one(engine: Engine) -> None:
    """Same buyers, same requests (mixed buyers, arrival order kept per buyer): one tenant
    through one batch, another through single transactions; the same answers."""
    plan = [("A", "400"), ("B", "900"), ("A", "400"), ("C", "50"), ("A", "400"), ("B", "200")]
    limits = {"A": "1000", "B": "1000", "C": "10"}
    batched, alone = make_tenant(engine), make_tenant(engine)
    buyers(engine, batched, limits)
    buyers(engine, alone, limits)
    with unit_of_work(engine) as session:
        bodies = decide_batch(
            session, requests=[request_for(batched, reg, amount) for reg, amount in plan]
        )
    singles = []
    actor = system_actor(alone.org_id, "test")
    for reg, amount in plan:
        with unit_of_work(engine) as session:
            decision = service.decide_checkout(
                session, actor=actor, data=DecisionCreate.model_validate(checkout(reg, amount))
            )
            singles.append((decision.outcome, decision.exposure_minor, decision.limit_left_minor))
    assert decided(bodies) == singles
    expected = ["approve", "approve", "approve", "decline", "decline", "refer"]
    assert [s[0] for s in singles] == expected, (
        "C over its limit by more than 10%, A's third over it, B's second within 10% of it"
    )


def test_what_a_batch_cannot_decide_is_handed_back_and_the_rest_decided(
    engine: Engine, tenant: Tenant
) -> None:
    buyers(engine, tenant, {"H1": "1000"})
    good = request_for(tenant, "H1", "100")
    repeated = CheckoutRequest(good.api_key, good.idempotency_key, good.data)
    bad_key = CheckoutRequest("tc_not-a-key", uuid.uuid4().hex, good.data)
    viewer = CheckoutRequest(tenant.keys[Role.VIEWER], uuid.uuid4().hex, good.data)
    taken = request_for(tenant, "H1", "100")
    with unit_of_work(engine) as session:
        first = decide_batch(session, requests=[taken])
    assert first[0] is not None
    bodies = hot.run_batch(
        engine, [good, repeated, bad_key, viewer, taken, request_for(tenant, "NEW1", "50")]
    )
    assert [b is not None for b in bodies] == [True, False, False, False, False, True]
    assert json.loads(bodies[5] or "{}")["outcome"] == "refer", "an unknown buyer is referred"
    assert rows(engine, tenant, CheckoutDecision) == 3


def test_a_failing_decision_runs_alone_and_the_others_are_committed(
    engine: Engine, tenant: Tenant
) -> None:
    """A merchant reference another order has fails its decision (AlreadyExists): run_batch
    rolls back, decides the others again without it and hands it back."""
    buyers(engine, tenant, {"F1": "1000", "F2": "1000"})
    with unit_of_work(engine) as session:
        decide_batch(session, requests=[request_for(tenant, "F1", "10", order_reference="PO-1")])
    requests = [
        request_for(tenant, "F1", "10"),
        request_for(tenant, "F2", "10", order_reference="PO-1"),
        request_for(tenant, "F2", "20"),
    ]
    answers = hot.run_batch(engine, requests)
    assert [a is not None for a in answers] == [True, False, True]
    assert rows(engine, tenant, Order) == 3


def test_the_route_and_a_batch_deciding_one_request_at_once_make_one_decision(
    engine: Engine, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: a batch holds the buyer and has not written the request's key yet when the
    same request (same Idempotency-Key) reaches the ordinary route. The route waits for the
    buyer (`service.lock_checkout_buyer`), then replays the batch's answer. Were the key
    claimed first, the two would deadlock: PostgreSQL would abort one after deadlock_timeout."""
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers are PostgreSQL's")
    buyers(engine, tenant, {"K1": "1000", "K2": "1000"})
    held, other = request_for(tenant, "K1", "100"), request_for(tenant, "K2", "100")
    deciding = threading.Event()
    real = batch_module.decide_checkout

    def slow(session: Session, **arguments: Any) -> Any:
        deciding.set()
        time.sleep(0.5)
        return real(session, **arguments)

    monkeypatch.setattr(batch_module, "decide_checkout", slow)
    monkeypatch.setenv("TRADECREDIT_API_DECISION_BATCHES", "false")
    get_settings.cache_clear()
    route_app = create_app(engine, migrate=False)
    monkeypatch.delenv("TRADECREDIT_API_DECISION_BATCHES")
    get_settings.cache_clear()
    headers = {"Authorization": f"Bearer {held.api_key}", "Idempotency-Key": held.idempotency_key}
    body = held.data.model_dump(mode="json", exclude_none=True)
    with ThreadPoolExecutor(max_workers=1) as pool:
        batch = pool.submit(hot.run_batch, engine, [held, other])
        assert deciding.wait(10)
        with TestClient(route_app) as client:
            routed = client.post("/v1/decisions", json=body, headers=headers)
        answers = batch.result(timeout=30)
    assert [a is not None for a in answers] == [True, True]
    assert routed.status_code == 201, routed.text
    assert routed.headers.get("Idempotent-Replayed") == "true"
    assert routed.json() == json.loads(answers[0] or "{}")
    assert rows(engine, tenant, CheckoutDecision) == 2


def test_a_batch_thread_appends_after_the_head_it_left_and_reads_it_when_another_wrote(
    engine: Engine, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: the batch thread remembers the chain head its last append left and appends
    after it without reading it first (`audit.send_append_after`). When another writer has
    appended since, nothing is appended by that statement and the append is made again after
    reading the head. The chain verifies either way."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the one-statement append is PostgreSQL's")
    buyers(engine, tenant, {"H1": "1000", "H2": "1000"})
    read_head = []
    real = batch_module.audit.record_by_actors

    def counting(session: Session, **arguments: Any) -> Any:
        read_head.append(arguments["org_id"])
        return real(session, **arguments)

    monkeypatch.setattr(batch_module.audit, "record_by_actors", counting)
    runner = hot.BatchRunner(engine)
    try:
        for _ in range(3):
            answers = runner.run([request_for(tenant, "H1", "10"), request_for(tenant, "H2", "10")])
            assert all(answers)
        assert len(read_head) == 1, "only the first batch reads the head"
        with unit_of_work(engine) as session:
            real(
                session,
                org_id=tenant.org_id,
                entries=[(system_actor(tenant.org_id, "other"), Change("x.done", "x", "1"))],
            )
        assert all(runner.run([request_for(tenant, "H1", "10")]))
        assert len(read_head) == 2, "the remembered head was not the chain's: read it"
        assert all(runner.run([request_for(tenant, "H2", "10")]))
        assert len(read_head) == 2
    finally:
        runner.close()
    with unit_of_work(engine) as session:
        report = verify_chain(session, org_id=tenant.org_id)
        made = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.org_id == tenant.org_id,
                AuditEvent.action == "checkout_decision.made",
            )
        )
    assert report.ok, report
    assert made == 8


def test_batched_changes_are_one_verified_chain_naming_each_actor(
    engine: Engine, tenant: Tenant
) -> None:
    buyers(engine, tenant, {"C1": "1000"})
    requests = [request_for(tenant, "C1", "100") for _ in range(3)]
    with unit_of_work(engine) as session:
        decide_batch(session, requests=requests)
    with unit_of_work(engine) as session:
        report = verify_chain(session, org_id=tenant.org_id)
        actions = session.execute(
            select(AuditEvent.action, AuditEvent.actor)
            .where(
                AuditEvent.org_id == tenant.org_id,
                AuditEvent.action.in_(("order.created", "checkout_decision.made")),
            )
            .order_by(AuditEvent.seq)
        ).all()
    assert report.ok, report
    assert [a for a, _ in actions] == ["order.created", "checkout_decision.made"] * 3
    assert {who for _, who in actions} == {f"user:{Role.ADMIN.value}@{tenant.slug}.test"}


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    return create_app(engine, migrate=False)


async def _post_all(app: FastAPI, key: str, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await asyncio.gather(
            *[
                client.post(
                    "/v1/decisions",
                    json=body,
                    headers={"Authorization": f"Bearer {key}", "Idempotency-Key": uuid.uuid4().hex},
                )
                for body in bodies
            ]
        )


def test_twelve_concurrent_posts_are_batched_and_approve_three(
    app: FastAPI, engine: Engine, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    buyers(engine, tenant, {"RACE": "1000"})
    sizes: list[int] = []

    def counting(
        session: Any, *, requests: list[CheckoutRequest], **extra: Any
    ) -> list[str | None]:
        sizes.append(len(requests))
        return decide_batch(session, requests=requests, **extra)

    monkeypatch.setattr(hot, "decide_batch", counting)
    answers = asyncio.run(_post_all(app, tenant.keys[Role.ADMIN], [checkout("RACE", "300")] * 12))
    assert [a.status_code for a in answers] == [201] * 12
    outcomes = sorted(a.json()["outcome"] for a in answers)
    assert outcomes == ["approve"] * 3 + ["decline"] * 9
    assert sum(sizes) == 12
    assert max(sizes) > 1, sizes


def test_bad_requests_in_a_crowd_get_the_routes_answers(
    app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    buyers(engine, tenant, {"MIX": "1000"})
    good = checkout("MIX", "10")

    async def crowd() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        admin = {"Authorization": f"Bearer {tenant.keys[Role.ADMIN]}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            sends = [
                client.post("/v1/decisions", json=good, headers=admin | {"Idempotency-Key": "k1"}),
                client.post("/v1/decisions", json=good, headers=admin | {"Idempotency-Key": "k1"}),
                client.post(
                    "/v1/decisions",
                    json=good,
                    headers={"Authorization": "Bearer tc_x", "Idempotency-Key": "k2"},
                ),
                client.post(
                    "/v1/decisions",
                    json=good,
                    headers={
                        "Authorization": f"Bearer {tenant.keys[Role.VIEWER]}",
                        "Idempotency-Key": "k3",
                    },
                ),
                client.post(
                    "/v1/decisions",
                    json=good | {"amount": "-1"},
                    headers=admin | {"Idempotency-Key": "k4"},
                ),
                client.post(
                    "/v1/decisions",
                    content=b"{",
                    headers=admin | {"Idempotency-Key": "k5", "Content-Type": "application/json"},
                ),
                client.post("/v1/decisions", json=good, headers=admin),
            ]
            return await asyncio.gather(*sends)

    first, again, bad_key, viewer, negative, broken, keyless = asyncio.run(crowd())
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert {first.headers.get("Idempotent-Replayed"), again.headers.get("Idempotent-Replayed")} == {
        None,
        "true",
    }
    assert bad_key.status_code == 401
    assert viewer.status_code == 403
    assert negative.status_code == 422
    assert "amount" in negative.text
    assert broken.status_code == 422
    assert keyless.status_code == 422
    assert "Idempotency-Key" in keyless.text
    assert rows(engine, tenant, CheckoutDecision) == 1


def test_batches_can_be_turned_off(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADECREDIT_API_DECISION_BATCHES", "false")
    get_settings.cache_clear()
    try:
        assert not create_app(engine, migrate=False).user_middleware
        monkeypatch.setenv("TRADECREDIT_API_DECISION_BATCHES", "true")
        get_settings.cache_clear()
        middleware = create_app(engine, migrate=False).user_middleware
        assert [m.cls for m in middleware] == [hot.HotDecisions]
    finally:
        monkeypatch.delenv("TRADECREDIT_API_DECISION_BATCHES")
        get_settings.cache_clear()


def test_actor_of_a_batch_must_be_of_its_organisation(
    engine: Engine, actor: Actor, other_actor: Actor
) -> None:
    from tradecredit.audit.service import Change, record_by_actors

    with unit_of_work(engine) as session, pytest.raises(ValueError, match="organisation"):
        record_by_actors(
            session,
            org_id=actor.org_id,
            entries=[(other_actor, Change("x.y", "x", None))],
        )
