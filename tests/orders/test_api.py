"""Orders over HTTP: create, deliver, cancel, list; Idempotency-Key replays and conflicts."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.builders import Tenant, client_for, company_body, created, error_of, make_tenant
from tradecredit.api.app import create_app
from tradecredit.organisations.roles import Role


@pytest.fixture(scope="module")
def app(engine: Engine) -> FastAPI:
    return create_app(engine, migrate=False)


@pytest.fixture
def tenant(engine: Engine) -> Tenant:
    return make_tenant(engine, (Role.ADMIN, Role.VIEWER))


@pytest.fixture
def api(app: FastAPI, tenant: Tenant) -> TestClient:
    client = client_for(app, tenant.keys[Role.ADMIN])
    created(client.post("/v1/companies", json=company_body("HRB1")))
    return client


def order_body(reference: str = "O-1", **extra: Any) -> dict[str, Any]:
    return {
        "order_reference": reference,
        "buyer_registration_number": "HRB1",
        "buyer_country": "DE",
        "currency": "EUR",
        "amount": "1000.00",
        "order_date": "2026-03-01",
    } | extra


def test_create_deliver_cancel(api: TestClient) -> None:
    order = created(api.post("/v1/orders", json=order_body()))
    assert (order["status"], order["amount"], order["delivered_amount"]) == (
        "ordered",
        "1000.00",
        "0.00",
    )
    path = f"/v1/orders/{order['id']}"
    part = created(
        api.post(f"{path}/delivery", json={"delivered_on": "2026-03-04", "amount": "400"})
    )
    assert (part["status"], part["delivered_amount"]) == ("partly_delivered", "400.00")
    assert part["deliveries"] == [{"amount": "400.00", "delivered_on": "2026-03-04"}]
    cancelled = created(
        api.post(f"{path}/cancellation", json={"cancelled_on": "2026-03-05", "reason": "stop"})
    )
    assert (cancelled["status"], cancelled["cancelled_on"]) == ("cancelled", "2026-03-05")
    error_of(
        api.post(f"{path}/delivery", json={"delivered_on": "2026-03-06"}), 422, "invalid_input"
    )
    assert api.get(path).json() == cancelled
    listed = api.get("/v1/orders", params={"status": "cancelled"}).json()
    assert [item["id"] for item in listed["items"]] == [order["id"]]
    assert api.get("/v1/orders", params={"status": "ordered"}).json()["items"] == []


def test_idempotent_create_and_delivery(api: TestClient) -> None:
    key = {"Idempotency-Key": "erp-order-1"}
    first = api.post("/v1/orders", json=order_body(), headers=key)
    again = api.post("/v1/orders", json=order_body(), headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    error_of(
        api.post("/v1/orders", json=order_body("O-2"), headers=key), 409, "idempotency_key_reused"
    )
    path = f"/v1/orders/{first.json()['id']}/delivery"
    body = {"delivered_on": "2026-03-04", "amount": "300.00"}
    delivery_key = {"Idempotency-Key": "erp-delivery-1"}
    api.post(path, json=body, headers=delivery_key)
    replay = api.post(path, json=body, headers=delivery_key)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert api.get(f"/v1/orders/{first.json()['id']}").json()["delivered_amount"] == "300.00"
    assert len(api.get("/v1/orders").json()["items"]) == 1


def test_refusals(api: TestClient, app: FastAPI, tenant: Tenant) -> None:
    error_of(api.post("/v1/orders", json=order_body(amount=1000.5)), 422, "invalid_request")
    error_of(api.post("/v1/orders", json=order_body(status="delivered")), 422, "invalid_request")
    error_of(
        api.post("/v1/orders", json=order_body(buyer_registration_number="NO")), 404, "not_found"
    )
    created(api.post("/v1/orders", json=order_body()))
    error_of(api.post("/v1/orders", json=order_body()), 409, "already_exists")
    viewer = client_for(app, tenant.keys[Role.VIEWER])
    error_of(viewer.post("/v1/orders", json=order_body("O-9")), 403, "permission_denied")
