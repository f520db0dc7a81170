"""Idempotency keys: one write per (organisation, key), the first answer replayed, races included."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from api.builders import (
    Tenant,
    client_for,
    company_body,
    created,
    error_of,
    invoice_body,
    make_tenant,
    payment_body,
    stored_state,
)
from tradecredit.api.idempotency import REPLAYED_HEADER
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.idempotency import service as idempotency
from tradecredit.idempotency.models import IdempotencyRecord
from tradecredit.organisations.roles import Role
from tradecredit.receivables import service as receivables
from tradecredit.receivables.models import Payment


@pytest.fixture
def ledger(api: TestClient) -> TestClient:
    created(api.post("/v1/companies", json=company_body("HRB1")))
    created(api.post("/v1/invoices", json=invoice_body("INV-1", amount="100.00")))
    return api


def _payments(engine: Engine, tenant: Tenant) -> int:
    with unit_of_work(engine) as session:
        query = select(func.count()).select_from(Payment).where(Payment.org_id == tenant.org_id)
        return int(session.scalar(query) or 0)


def test_same_key_same_body_replays_the_first_answer(
    ledger: TestClient, engine: Engine, tenant: Tenant
) -> None:
    key = {"Idempotency-Key": "pay-2026-02-15-001"}
    first = ledger.post("/v1/payments", json=payment_body("P1", amount="150.00"), headers=key)
    assert first.status_code == 201
    assert REPLAYED_HEADER.lower() not in first.headers
    state = stored_state(engine, tenant.org_id)

    again = ledger.post("/v1/payments", json=payment_body("P1", amount="150.00"), headers=key)
    assert again.status_code == 201
    assert again.headers[REPLAYED_HEADER] == "true"
    assert again.content == first.content
    assert again.json()["unapplied_amount"] == "50.00"
    assert _payments(engine, tenant) == 1
    assert stored_state(engine, tenant.org_id) == state, "a replay writes nothing, not even audit"


def test_the_body_is_compared_by_meaning_not_by_spelling(
    ledger: TestClient, engine: Engine, tenant: Tenant
) -> None:
    key = {"Idempotency-Key": "k-1"}
    first = ledger.post("/v1/payments", json=payment_body("P1", currency="EUR"), headers=key)
    reordered = dict(reversed(list(payment_body("P1", currency="eur").items())))
    again = ledger.post("/v1/payments", json=reordered, headers=key)
    assert again.headers[REPLAYED_HEADER] == "true"
    assert again.content == first.content
    assert _payments(engine, tenant) == 1


def test_same_key_other_body_is_409(ledger: TestClient, engine: Engine, tenant: Tenant) -> None:
    key = {"Idempotency-Key": "k-1"}
    created(ledger.post("/v1/payments", json=payment_body("P1", amount="10.00"), headers=key))
    state = stored_state(engine, tenant.org_id)
    other = ledger.post("/v1/payments", json=payment_body("P1", amount="11.00"), headers=key)
    message = error_of(other, 409, "idempotency_key_reused")
    assert "k-1" in message
    elsewhere = ledger.post("/v1/invoices", json=invoice_body("INV-9"), headers=key)
    assert "k-1" in error_of(elsewhere, 409, "idempotency_key_reused")
    assert stored_state(engine, tenant.org_id) == state


def test_keys_are_per_organisation(
    ledger: TestClient, app: FastAPI, engine: Engine, tenant: Tenant
) -> None:
    other = make_tenant(engine, roles=(Role.ADMIN,))
    with client_for(app, other.keys[Role.ADMIN]) as client_b:
        created(client_b.post("/v1/companies", json=company_body("HRB1")))
        key = {"Idempotency-Key": "shared-key"}
        a = ledger.post("/v1/payments", json=payment_body("P1"), headers=key)
        b = client_b.post("/v1/payments", json=payment_body("P1", amount="7.00"), headers=key)
    assert a.status_code == b.status_code == 201
    assert REPLAYED_HEADER.lower() not in b.headers
    assert a.json()["id"] != b.json()["id"]
    assert _payments(engine, tenant) == _payments(engine, other) == 1


def test_a_failed_request_stores_nothing_and_can_be_retried(
    api: TestClient, engine: Engine, tenant: Tenant
) -> None:
    key = {"Idempotency-Key": "inv-early"}
    error_of(api.post("/v1/invoices", json=invoice_body("INV-1"), headers=key), 404, "not_found")
    with unit_of_work(engine) as session:
        records = select(func.count()).select_from(IdempotencyRecord)
        assert session.scalar(records.where(IdempotencyRecord.org_id == tenant.org_id)) == 0
    created(api.post("/v1/companies", json=company_body("HRB1")))
    retried = api.post("/v1/invoices", json=invoice_body("INV-1"), headers=key)
    assert retried.status_code == 201
    assert REPLAYED_HEADER.lower() not in retried.headers


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("x" * 256, "256 long"),
        ("", "0 long"),
        ("caf\u00e9".encode(), "printable"),
        ("tab\there", "printable"),
    ],
)
def test_invalid_keys_are_refused(ledger: TestClient, key: str | bytes, shown: str) -> None:
    headers = {"Idempotency-Key": key}
    body = payment_body("P1")
    request = ledger.build_request("POST", "/v1/payments", json=body, headers=headers)
    message = error_of(ledger.send(request), 422, "invalid_input")
    assert "Idempotency-Key" in message
    assert shown in message


def test_a_255_character_key_is_accepted(ledger: TestClient) -> None:
    key = {"Idempotency-Key": "k" * 255}
    created(ledger.post("/v1/payments", json=payment_body("P1"), headers=key))


def _slowed(original: Callable[..., Any], seconds: float) -> Callable[..., Any]:
    """The service call, holding its transaction open a while so that requests overlap."""

    def slow(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        time.sleep(seconds)
        return result

    return slow


def _post_together(app: FastAPI, key: str, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    start = threading.Barrier(len(bodies))
    answers: list[httpx.Response | BaseException | None] = [None] * len(bodies)

    def send(index: int) -> None:
        client = client_for(app, key)
        start.wait()
        try:
            answers[index] = client.post(
                "/v1/payments", json=bodies[index], headers={"Idempotency-Key": "race-1"}
            )
        except BaseException as error:  # surfaced below, in the test's thread
            answers[index] = error

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    results: list[httpx.Response] = []
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
        assert answer is not None, "a request did not finish"
        results.append(answer)
    return results


def test_concurrent_identical_requests_make_one_payment(
    ledger: TestClient,
    app: FastAPI,
    engine: Engine,
    tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(receivables, "record_payment", _slowed(receivables.record_payment, 0.5))
    body = payment_body("P-RACE", amount="60.00")
    answers = _post_together(app, tenant.keys[Role.ADMIN], [body, body, body])
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.content for a in answers}) == 1
    assert sorted(REPLAYED_HEADER.lower() in a.headers for a in answers) == [False, True, True]
    assert _payments(engine, tenant) == 1


def test_concurrent_same_key_other_body_is_409(
    ledger: TestClient,
    app: FastAPI,
    engine: Engine,
    tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(receivables, "record_payment", _slowed(receivables.record_payment, 0.5))
    bodies = [payment_body("P-A", amount="1.00"), payment_body("P-B", amount="2.00")]
    answers = _post_together(app, tenant.keys[Role.ADMIN], bodies)
    assert sorted(a.status_code for a in answers) == [201, 409]
    assert _payments(engine, tenant) == 1


def test_a_second_claim_waits_for_the_first_and_then_sees_its_answer(
    engine: Engine, actor: Actor
) -> None:
    """The race itself, step by step: the loser blocks, then finds the winner's stored answer."""
    fingerprint = idempotency.request_fingerprint(method="POST", path="/v1/x", body={"a": "1"})
    claim = {"key": "k", "method": "POST", "path": "/v1/x", "fingerprint": fingerprint}
    outcome: dict[str, Any] = {}

    def second_request() -> None:
        with unit_of_work(engine) as session:
            outcome["won"] = idempotency.claim(session, actor=actor, **claim)
            record = idempotency.find_record(session, actor=actor, key="k")
            assert record is not None
            outcome["answer"] = idempotency.replay(record, fingerprint=fingerprint)

    with unit_of_work(engine) as first:
        assert idempotency.claim(first, actor=actor, **claim) is True
        loser = threading.Thread(target=second_request)
        loser.start()
        loser.join(timeout=0.5)
        assert loser.is_alive(), "the second claim must wait while the first is uncommitted"
        idempotency.store_answer(first, actor=actor, key="k", status_code=201, body='{"ok":1}')
    loser.join(timeout=30)
    assert not loser.is_alive()
    assert outcome["won"] is False
    assert outcome["answer"] == idempotency.StoredResponse(201, '{"ok":1}')


def test_a_claim_rolled_back_frees_the_key(engine: Engine, actor: Actor) -> None:
    fingerprint = idempotency.request_fingerprint(method="POST", path="/v1/x", body={})
    claim = {"key": "k", "method": "POST", "path": "/v1/x", "fingerprint": fingerprint}

    def failing_write() -> None:
        with unit_of_work(engine) as session:
            assert idempotency.claim(session, actor=actor, **claim) is True
            raise RuntimeError("the guarded write failed")

    with pytest.raises(RuntimeError, match="guarded write failed"):
        failing_write()
    with unit_of_work(engine) as session:
        assert idempotency.find_record(session, actor=actor, key="k") is None
        assert idempotency.claim(session, actor=actor, **claim) is True


@pytest.mark.parametrize("count", [0, 1, 13, 64, 100])
def test_claims_go_out_in_power_of_two_statements_and_all_land(
    engine: Engine, actor: Actor, count: int
) -> None:
    claims = [
        idempotency.Claim(actor, f"k{i:03d}", "POST", "/v1/x", "f" * 64, 201, f'{{"n":{i}}}')
        for i in range(count)
    ]
    sizes = [len(chunk) for chunk in idempotency._chunks(claims)]
    assert sum(sizes) == count
    assert sizes == sorted(sizes, reverse=True)
    assert all(size in idempotency.CHUNKS for size in sizes)
    assert len(sizes) <= 3 or count > 64
    with unit_of_work(engine) as session:
        taken = idempotency.claim_many(session, claims=claims)
    assert taken == {(actor.org_id, claim.key) for claim in claims}
    with unit_of_work(engine) as session:
        again = idempotency.claim_many(session, claims=claims[:5])
        stored = session.scalar(
            select(func.count())
            .select_from(IdempotencyRecord)
            .where(IdempotencyRecord.org_id == actor.org_id, IdempotencyRecord.status_code == 201)
        )
    assert again == set(), "keys already answered are not taken again"
    assert stored == count
