"""Authentication (API keys) and role permissions on the API."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.builders import (
    Tenant,
    client_for,
    company_body,
    created,
    credit_note_body,
    error_of,
    invoice_body,
    payment_body,
    statement_body,
    stored_state,
)
from tradecredit.db.engine import unit_of_work
from tradecredit.kit.clock import utcnow
from tradecredit.organisations.models import ApiKey
from tradecredit.organisations.roles import Role


def _unauthenticated(response: object) -> None:
    error_of(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer tc_not-a-real-key"},
        {"Authorization": "Bearer not-even-our-prefix"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"X-API-Key": "tc_not-a-real-key"},
        {"X-API-Key": ""},
    ],
)
def test_missing_or_wrong_key_is_401(app: FastAPI, headers: dict[str, str]) -> None:
    client = TestClient(app)
    _unauthenticated(client.get("/v1/me", headers=headers))
    _unauthenticated(client.post("/v1/companies", json=company_body(), headers=headers))


def test_a_bad_body_without_a_key_is_still_401(app: FastAPI) -> None:
    _unauthenticated(TestClient(app).post("/v1/invoices", json={"amount": 1.5}))


def test_revoked_key_is_401(app: FastAPI, engine: Engine, tenant: Tenant) -> None:
    client = client_for(app, tenant.keys[Role.ADMIN])
    assert client.get("/v1/me").status_code == 200
    with unit_of_work(engine) as session:
        key = session.get(ApiKey, tenant.key_ids[Role.ADMIN])
        assert key is not None
        key.revoked_at = utcnow()
    _unauthenticated(client.get("/v1/me"))


def test_x_api_key_header_works(app: FastAPI, tenant: Tenant) -> None:
    client = TestClient(app, headers={"X-API-Key": tenant.keys[Role.VIEWER]})
    me = client.get("/v1/me").json()
    assert me["user"]["role"] == "viewer"


def test_me_names_the_organisation_and_user(app: FastAPI, tenant: Tenant) -> None:
    me = client_for(app, tenant.keys[Role.COLLECTOR]).get("/v1/me").json()
    assert me["organisation"]["id"] == str(tenant.org_id)
    assert me["organisation"]["slug"] == tenant.slug
    assert me["organisation"]["base_currency"] == "EUR"
    assert me["user"]["email"] == f"collector@{tenant.slug}.test"
    assert me["permissions"] == ["read", "write_ledger"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/companies", company_body("NEW")),
        ("/v1/statements", statement_body("HRB1")),
        ("/v1/accounts", {"registration_number": "HRB1", "country": "DE", "payment_terms_days": 5}),
        ("/v1/invoices", invoice_body("INV-2")),
        ("/v1/payments", payment_body("P1")),
        ("/v1/credit-notes", credit_note_body("CN-1", "INV-1")),
    ],
)
def test_viewer_reads_but_cannot_write(
    app: FastAPI, engine: Engine, tenant: Tenant, api: TestClient, path: str, body: dict[str, str]
) -> None:
    created(api.post("/v1/companies", json=company_body("HRB1")))
    created(api.post("/v1/invoices", json=invoice_body("INV-1")))
    viewer = client_for(app, tenant.keys[Role.VIEWER])
    assert viewer.get("/v1/invoices").status_code == 200
    before = stored_state(engine, tenant.org_id)
    message = error_of(viewer.post(path, json=body), 403, "permission_denied")
    assert "viewer" in message
    assert stored_state(engine, tenant.org_id) == before


def test_collector_may_record_payments_but_not_companies(
    app: FastAPI, tenant: Tenant, api: TestClient
) -> None:
    created(api.post("/v1/companies", json=company_body("HRB1")))
    collector = client_for(app, tenant.keys[Role.COLLECTOR])
    created(collector.post("/v1/invoices", json=invoice_body("INV-1")))
    created(collector.post("/v1/payments", json=payment_body("P1")))
    error_of(collector.post("/v1/companies", json=company_body("NEW")), 403, "permission_denied")


def test_idempotency_key_does_not_let_a_viewer_replay_a_write(
    app: FastAPI, tenant: Tenant, api: TestClient
) -> None:
    created(api.post("/v1/companies", json=company_body("HRB1")))
    headers = {"Idempotency-Key": "inv-1"}
    created(api.post("/v1/invoices", json=invoice_body("INV-1"), headers=headers))
    viewer = client_for(app, tenant.keys[Role.VIEWER])
    response = viewer.post("/v1/invoices", json=invoice_body("INV-1"), headers=headers)
    error_of(response, 403, "permission_denied")
