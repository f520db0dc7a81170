"""POST/GET /v1/decisions: idempotency, validation naming the field, paging, tenants."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from api.builders import Tenant, client_for, error_of, make_tenant
from decisions.builders import add_buyer, checkout, grant_limit
from tradecredit.db.engine import unit_of_work
from tradecredit.decisions.models import CheckoutDecision
from tradecredit.orders.models import Order
from tradecredit.organisations.roles import Role
from tradecredit.organisations.service import system_actor

pytestmark = pytest.mark.usefixtures("clock")


def post(client: TestClient, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    return client.post("/v1/decisions", json=body, headers=headers)


def count(engine: Engine, tenant: Tenant, table: Any) -> int:
    with unit_of_work(engine) as session:
        found = session.scalar(
            select(func.count()).select_from(table).where(table.org_id == tenant.org_id)
        )
    return int(found or 0)


@pytest.fixture
def buyer(engine: Engine, tenant: Tenant) -> str:
    with unit_of_work(engine) as session:
        actor = system_actor(tenant.org_id, "test")
        grant_limit(session, actor, add_buyer(session, actor, "API1"), "1000")
    return "API1"


def test_same_key_twice_gives_the_first_answer_one_decision_one_order(
    api: TestClient, engine: Engine, tenant: Tenant, buyer: str
) -> None:
    first = post(api, checkout(buyer, "600.00"), key="checkout-42")
    again = post(api, checkout(buyer, "600.00"), key="checkout-42")
    assert first.status_code == again.status_code == 201, first.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert first.json()["outcome"] == "approve"
    assert count(engine, tenant, CheckoutDecision) == 1
    assert count(engine, tenant, Order) == 1
    reused = post(api, checkout(buyer, "601.00"), key="checkout-42")
    error_of(reused, 409, "idempotency_key_reused")


def test_answer_shape_amounts_as_strings_and_reasons_in_two_languages(
    api: TestClient, buyer: str
) -> None:
    answer = post(api, checkout(buyer, "250.5")).json()
    assert answer["outcome"] == "approve"
    assert (answer["amount"], answer["limit"], answer["limit_left"]) == (
        "250.50",
        "1000.00",
        "749.50",
    )
    assert answer["limit_currency"] == "EUR"
    assert answer["pd"] == "0.008"
    assert answer["grade"] == 4
    (reason,) = answer["reasons"]
    assert reason["code"] == "WITHIN_LIMIT"
    assert reason["text_zh"]
    assert reason["text_en"]
    got = api.get(f"/v1/decisions/{answer['decision_id']}")
    assert got.status_code == 200
    assert got.json() == answer


BAD_INPUT = [
    ("currency", {"currency": "XXY"}),
    ("amount", {"amount": "-5"}),
    ("amount", {"amount": "0"}),
    ("amount", {"amount": 12.5}),
    ("amount", {"amount": "1.001"}),
    ("amount", {"amount": "ten"}),
    ("terms_days", {"terms_days": 0}),
    ("terms_days", {"terms_days": 121}),
    ("terms_days", {"terms_days": "30"}),
    ("country", {"country": "ZZ"}),
    ("registration_number", {"registration_number": ""}),
    ("order_reference", {"order_reference": "x" * 65}),
]


@pytest.mark.parametrize(("field", "change"), BAD_INPUT, ids=[f"{f}={c}" for f, c in BAD_INPUT])
def test_bad_input_is_422_naming_the_field_and_writes_nothing(
    api: TestClient, engine: Engine, tenant: Tenant, field: str, change: dict[str, Any]
) -> None:
    response = post(api, checkout("API1", "10") | change)
    error_of(response, 422, "invalid_request")
    assert field in {detail["field"] for detail in response.json()["error"]["details"]}
    assert count(engine, tenant, CheckoutDecision) == 0


def test_the_idempotency_key_is_required(api: TestClient) -> None:
    response = api.post("/v1/decisions", json=checkout("API1", "10"))
    message = error_of(response, 422, "invalid_input")
    assert "Idempotency-Key" in message


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer tc_not-a-real-key"}, {"X-API-Key": "tc_not-a-real-key"}],
)
def test_a_bad_key_is_401_before_the_body_is_looked_at(
    app: FastAPI, headers: dict[str, str]
) -> None:
    """The key is checked (on the event loop) before the body is validated."""
    answer = TestClient(app).post(
        "/v1/decisions", json={"amount": 1.5}, headers=headers | {"Idempotency-Key": "k"}
    )
    error_of(answer, 401, "unauthenticated")


def test_a_viewer_cannot_decide_even_with_a_key(app: FastAPI, tenant: Tenant) -> None:
    with client_for(app, tenant.keys[Role.VIEWER]) as viewer:
        error_of(post(viewer, checkout("API1", "10")), 403, "permission_denied")
        assert viewer.get("/v1/decisions").status_code == 200


def test_list_is_newest_first_paged_and_filtered(api: TestClient, buyer: str) -> None:
    ids = [post(api, checkout(buyer, "400")).json()["decision_id"] for _ in range(3)]
    page = api.get("/v1/decisions", params={"limit": 2}).json()
    assert [item["decision_id"] for item in page["items"]] == ids[::-1][:2]
    assert page["next_offset"] == 2
    declined = api.get("/v1/decisions", params={"outcome": "decline"}).json()["items"]
    assert [item["decision_id"] for item in declined] == [ids[2]]


def test_another_organisations_decision_is_not_found(
    app: FastAPI, engine: Engine, api: TestClient, buyer: str
) -> None:
    mine = post(api, checkout(buyer, "10")).json()
    other = make_tenant(engine, (Role.ADMIN,))
    with client_for(app, other.keys[Role.ADMIN]) as stranger:
        error_of(stranger.get(f"/v1/decisions/{mine['decision_id']}"), 404, "not_found")
        assert stranger.get("/v1/decisions").json()["items"] == []
        company = mine["buyer"]["company_id"]
        error_of(stranger.get("/v1/decisions", params={"company_id": company}), 404, "not_found")
        theirs = post(stranger, checkout(buyer, "10")).json()
    assert theirs["outcome"] == "refer"
    assert theirs["buyer"]["company_id"] is None
