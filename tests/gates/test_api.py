"""Gates over HTTP: the check, idempotent holds, the queue, releases and who may release."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from api.builders import (
    Tenant,
    account_body,
    client_for,
    company_body,
    created,
    error_of,
    make_tenant,
)
from tradecredit.api.app import create_app
from tradecredit.audit.models import AuditEvent
from tradecredit.db.engine import unit_of_work
from tradecredit.organisations.roles import Role

ROLES = (Role.ADMIN, Role.VIEWER, Role.CREDIT_ANALYST, Role.CREDIT_MANAGER)


@pytest.fixture(scope="module")
def app(engine: Engine) -> FastAPI:
    return create_app(engine, migrate=False)


@pytest.fixture
def tenant(engine: Engine) -> Tenant:
    return make_tenant(engine, ROLES)


@pytest.fixture
def api(app: FastAPI, tenant: Tenant) -> TestClient:
    """The admin's client; buyer HRB1 has an internal credit limit of 1,000.00 EUR."""
    client = client_for(app, tenant.keys[Role.ADMIN])
    created(client.post("/v1/companies", json=company_body("HRB1")))
    account = account_body("HRB1", credit_limit="1000.00", currency="EUR")
    created(client.post("/v1/accounts", json=account))
    return client


def check_body(amount: str, **extra: Any) -> dict[str, Any]:
    return {
        "stage": "order",
        "registration_number": "HRB1",
        "country": "DE",
        "amount": amount,
        "currency": "EUR",
        "as_of": "2026-03-31",
    } | extra


def test_check_answers_allow_warn_and_hold(api: TestClient) -> None:
    allowed = created(api.post("/v1/gates/check", json=check_body("100.00")))
    assert allowed["outcome"] == "allow"
    assert allowed["reasons"] == []
    assert allowed["hold_id"] is None
    assert (allowed["limit"], allowed["limit_source"]) == ("1000.00", "account")
    assert (allowed["exposure"], allowed["available"]) == ("0.00", "1000.00")
    assert allowed["utilisation_after"] == "0.1000"

    warned = created(api.post("/v1/gates/check", json=check_body("800.00")))
    assert warned["outcome"] == "warn"
    assert warned["reasons"][0]["code"] == "UTILISATION_HIGH"
    assert warned["reasons"][0]["text_zh"]

    held = created(api.post("/v1/gates/check", json=check_body("1000.01")))
    assert held["outcome"] == "hold"
    assert held["reasons"][0]["code"] == "OVER_LIMIT"
    hold = api.get(f"/v1/gates/holds/{held['hold_id']}").json()
    assert (hold["status"], hold["amount"], hold["stage"]) == ("open", "1000.01", "order")
    assert hold["exposure_after"] == "1000.01"


def test_a_retried_check_creates_one_hold(api: TestClient) -> None:
    headers = {"Idempotency-Key": "gate-check-1"}
    first = api.post("/v1/gates/check", json=check_body("5000.00"), headers=headers)
    second = api.post("/v1/gates/check", json=check_body("5000.00"), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()
    queue = api.get("/v1/gates/holds", params={"status": "open"}).json()
    assert [h["id"] for h in queue["items"]] == [first.json()["hold_id"]]
    other = api.post("/v1/gates/check", json=check_body("6000.00"), headers=headers)
    error_of(other, 409, "idempotency_key_reused")


def test_release_by_a_credit_manager(
    app: FastAPI, api: TestClient, tenant: Tenant, engine: Engine
) -> None:
    hold_id = created(api.post("/v1/gates/check", json=check_body("5000.00")))["hold_id"]
    manager = client_for(app, tenant.keys[Role.CREDIT_MANAGER])
    released = created(
        manager.post(f"/v1/gates/holds/{hold_id}/release", json={"reason": "bank guarantee"})
    )
    assert released["status"] == "released"
    assert released["released_by"].endswith(f"credit_manager@{tenant.slug}.test")
    assert released["release_reason"] == "bank guarantee"
    again = manager.post(f"/v1/gates/holds/{hold_id}/release", json={"reason": "twice"})
    assert "already released" in error_of(again, 409, "hold_not_open")
    assert api.get("/v1/gates/holds", params={"status": "open"}).json()["items"] == []
    with unit_of_work(engine) as session:
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.org_id == tenant.org_id, AuditEvent.action == "gate_hold.released"
            )
        ).one()
        assert "bank guarantee" in (event.after or "")
        assert "credit_manager" in event.actor


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CREDIT_ANALYST])
def test_release_refused_for_a_role_that_may_not_override(
    app: FastAPI, api: TestClient, tenant: Tenant, role: Role
) -> None:
    hold_id = created(api.post("/v1/gates/check", json=check_body("5000.00")))["hold_id"]
    person = client_for(app, tenant.keys[role])
    refused = person.post(f"/v1/gates/holds/{hold_id}/release", json={"reason": "please"})
    assert "override holds" in error_of(refused, 403, "permission_denied")
    assert person.get(f"/v1/gates/holds/{hold_id}").json()["status"] == "open"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
def test_release_without_a_reason_names_the_field(api: TestClient, body: dict[str, str]) -> None:
    hold_id = created(api.post("/v1/gates/check", json=check_body("5000.00")))["hold_id"]
    refused = api.post(f"/v1/gates/holds/{hold_id}/release", json=body)
    error_of(refused, 422, "invalid_request")
    assert [d["field"] for d in refused.json()["error"]["details"]] == ["reason"]


def test_invalid_checks_name_the_field(api: TestClient) -> None:
    cases = [
        (check_body("-5"), "amount must be positive"),
        (check_body("5", stage="ship"), "stage"),
        (check_body("5", delivered=True), "delivered applies to stage invoice only"),
        (check_body("5", company_id="0190f0a0-0000-7000-8000-000000000000"), "company_id"),
        (check_body("5.001"), "amount"),
        (check_body(5.5), "decimal strings"),
    ]
    for body, text in cases:
        response = api.post("/v1/gates/check", json=body)
        assert response.status_code == 422, response.text
        assert text in response.json()["error"]["message"], response.text


def test_another_organisations_hold_is_not_found(
    app: FastAPI, api: TestClient, engine: Engine
) -> None:
    hold_id = created(api.post("/v1/gates/check", json=check_body("5000.00")))["hold_id"]
    stranger = client_for(app, make_tenant(engine, (Role.ADMIN,)).keys[Role.ADMIN])
    error_of(stranger.get(f"/v1/gates/holds/{hold_id}"), 404, "not_found")
    release = stranger.post(f"/v1/gates/holds/{hold_id}/release", json={"reason": "mine"})
    error_of(release, 404, "not_found")
    assert stranger.get("/v1/gates/holds").json()["items"] == []
    error_of(stranger.post("/v1/gates/check", json=check_body("1.00")), 404, "not_found")
    assert api.get(f"/v1/gates/holds/{hold_id}").json()["status"] == "open"


def test_a_viewer_cannot_check(app: FastAPI, api: TestClient, tenant: Tenant) -> None:
    viewer = client_for(app, tenant.keys[Role.VIEWER])
    error_of(viewer.post("/v1/gates/check", json=check_body("1.00")), 403, "permission_denied")
