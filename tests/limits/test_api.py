"""The limits API on both databases: policy, recommendation, requests, approvals, limits."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from api.builders import client_for, error_of
from limits.builders import STRONG, add_buyer, establish
from tradecredit.api.app import create_app
from tradecredit.db.engine import unit_of_work
from tradecredit.kit.clock import FixedClock
from tradecredit.limits.models import LimitDecision, LimitRequest
from tradecredit.organisations import service as org_service
from tradecredit.organisations.roles import Role

AUTHORITY = {
    Role.VIEWER: None,
    Role.CREDIT_ANALYST: "10000",
    Role.CREDIT_MANAGER: "50000",
    Role.UNDERWRITER: "200000",
    Role.ADMIN: None,
}


@dataclass
class Seller:
    org_id: uuid.UUID
    keys: dict[Role, str] = field(default_factory=dict)
    buyers: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def app(engine: Engine) -> FastAPI:
    return create_app(engine, migrate=False)


@pytest.fixture
def seller(engine: Engine, clock: FixedClock) -> Seller:
    slug = f"lim-{uuid.uuid4().hex[:12]}"
    with unit_of_work(engine) as session:
        org = org_service.create_organisation(
            session, slug=slug, name=slug, kind="seller", base_currency="EUR", actor_name="test"
        )
        admin = org_service.system_actor(org.id, "test")
        found = Seller(org.id)
        for role, authority in AUTHORITY.items():
            user = org_service.create_user(
                session,
                actor=admin,
                email=f"{role.value}@{slug}.test",
                name=role.value,
                role=role,
                approval_authority=None if authority is None else Decimal(authority),
                authority_currency=None if authority is None else "EUR",
            )
            key = org_service.issue_api_key(session, actor=admin, user_id=user.id, name="t")
            found.keys[role] = key.plaintext
        for reg, grade in (("G4", 4), ("G6", 6)):
            company_id = add_buyer(session, admin, reg, grade=grade, statement=STRONG)
            establish(session, admin, reg)
            found.buyers[reg] = str(company_id)
    return found


@pytest.fixture
def as_role(app: FastAPI, seller: Seller) -> Iterator[dict[Role, TestClient]]:
    clients = {role: client_for(app, key) for role, key in seller.keys.items()}
    yield clients
    for client in clients.values():
        client.close()


def ask(client: TestClient, company_id: str, amount: str, key: str | None = None) -> dict:  # type: ignore[type-arg]
    headers = {"Idempotency-Key": key} if key else {}
    body = {"company_id": company_id, "amount": amount, "currency": "EUR", "as_of": "2026-03-31"}
    response = client.post("/v1/limit-requests", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_policy_defaults_then_a_new_version_and_precise_errors(
    as_role: dict[Role, TestClient],
) -> None:
    admin = as_role[Role.ADMIN]
    first = admin.get("/v1/credit-policy").json()
    assert (first["version"], first["currency"]) == (0, "EUR")
    assert first["policy"]["lgd"] == "0.45"
    assert first["policy"]["review"]["high_risk_months"] == 1
    put = admin.put("/v1/credit-policy", json={"max_expected_loss": "8000", "grace_days": 20})
    assert put.status_code == 200, put.text
    assert (put.json()["version"], put.json()["policy"]["max_expected_loss"]) == (1, "8000")
    bad = admin.put(
        "/v1/credit-policy",
        json={"lgd": "1.5", "capacity": {"equity_share": ["0.1", "0.2"]}, "typo": 1},
    )
    message = error_of(bad, 422, "invalid_request")
    fields = {detail["field"] for detail in bad.json()["error"]["details"]}
    assert {"lgd", "capacity.equity_share", "typo"} <= fields, message
    assert "one value per grade 1-10" in message
    error_of(as_role[Role.VIEWER].put("/v1/credit-policy", json={}), 403, "permission_denied")
    assert admin.get("/v1/credit-policy").json()["version"] == 1


def test_recommendation_shows_every_constraint_and_the_binding_one(
    as_role: dict[Role, TestClient], seller: Seller
) -> None:
    response = as_role[Role.VIEWER].get(
        f"/v1/companies/{seller.buyers['G4']}/limit-recommendation", params={"as_of": "2026-03-31"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["recommended"], body["binding"], body["currency"]) == (
        "160000.00",
        "capacity",
        "EUR",
    )
    assert body["constraints"]["capacity"] == "160000.00"
    assert body["constraints"]["need"] is None
    assert body["inputs"]["grade"] == 4
    assert body["inputs"]["history_months"] == 14
    codes = [reason["code"] for reason in body["reasons"]]
    assert codes == ["LIMIT_BOUND_BY_CAPACITY", "NEED_NOT_AVAILABLE"]


def test_the_same_idempotency_key_twice_is_one_request_and_one_decision(
    as_role: dict[Role, TestClient], seller: Seller, engine: Engine
) -> None:
    analyst = as_role[Role.CREDIT_ANALYST]
    first = ask(analyst, seller.buyers["G4"], "30000", key="req-1")
    headers = {"Idempotency-Key": "req-1"}
    body = {"company_id": seller.buyers["G4"], "amount": "30000", "currency": "EUR"}
    body["as_of"] = "2026-03-31"
    again = analyst.post("/v1/limit-requests", json=body, headers=headers)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first["id"]
    reused = analyst.post("/v1/limit-requests", json=body | {"amount": "1"}, headers=headers)
    error_of(reused, 409, "idempotency_key_reused")
    with unit_of_work(engine) as session:
        requests = session.scalar(select(func.count()).where(LimitRequest.org_id == seller.org_id))
        decisions = session.scalar(
            select(func.count()).where(LimitDecision.org_id == seller.org_id)
        )
    assert (requests, decisions) == (1, 1)
    assert first["status"] == "approved"
    assert first["decisions"][0]["amount"] == "30000.00"


def test_referral_queue_approval_above_authority_and_the_limit(
    as_role: dict[Role, TestClient], seller: Seller
) -> None:
    company = seller.buyers["G6"]
    referred = ask(as_role[Role.CREDIT_ANALYST], company, "80000")
    assert (referred["status"], referred["referred_to_role"]) == ("referred", "underwriter")
    queue = as_role[Role.VIEWER].get(
        "/v1/limit-requests", params={"status": "referred", "referred_to_role": "underwriter"}
    )
    assert [item["id"] for item in queue.json()["items"]] == [referred["id"]]
    empty = as_role[Role.VIEWER].get(
        "/v1/limit-requests", params={"status": "referred", "referred_to_role": "credit_manager"}
    )
    assert empty.json()["items"] == []
    path = f"/v1/limit-requests/{referred['id']}"
    too_much = as_role[Role.CREDIT_MANAGER].post(f"{path}/approve", json={"reason": "fine"})
    message = error_of(too_much, 403, "permission_denied")
    assert "authority 50,000.00 EUR, which does not cover 80,000.00 EUR" in message
    error_of(
        as_role[Role.VIEWER].post(f"{path}/approve", json={"reason": "x"}), 403, "permission_denied"
    )
    approved = as_role[Role.UNDERWRITER].post(
        f"{path}/approve", json={"reason": "secured by parent"}, headers={"Idempotency-Key": "ap-1"}
    )
    assert approved.status_code == 201, approved.text
    assert approved.json()["status"] == "approved"
    person = approved.json()["decisions"][-1]
    assert person["decided_by"].startswith("user:underwriter@")
    assert (person["authority"], person["amount"]) == ("200000.00", "80000.00")
    again = as_role[Role.UNDERWRITER].post(f"{path}/refuse", json={"reason": "changed my mind"})
    error_of(again, 409, "already_decided")
    limit = as_role[Role.VIEWER].get(f"/v1/companies/{company}/limit").json()
    assert limit["current"]["amount"] == "80000.00"
    assert limit["current"]["review_on"] == "2026-06-30"
    listed = as_role[Role.VIEWER].get("/v1/limits", params={"company_id": company}).json()
    assert [item["amount"] for item in listed["items"]] == ["80000.00"]
    assert as_role[Role.VIEWER].get(path).json()["status"] == "approved"


def test_a_refusal_by_a_person_and_bad_bodies(
    as_role: dict[Role, TestClient], seller: Seller
) -> None:
    referred = ask(as_role[Role.CREDIT_ANALYST], seller.buyers["G6"], "60000")
    path = f"/v1/limit-requests/{referred['id']}"
    refused = as_role[Role.UNDERWRITER].post(f"{path}/refuse", json={"reason": "sector outlook"})
    assert refused.status_code == 201
    assert refused.json()["status"] == "refused"
    assert refused.json()["decisions"][-1]["reasons"][0]["code"] == "REFUSED_BY_PERSON"
    bad = as_role[Role.ADMIN].post(
        "/v1/limit-requests",
        json={"company_id": seller.buyers["G6"], "amount": 1000.5, "currency": "EUR"},
    )
    assert "decimal strings" in error_of(bad, 422, "invalid_request")
    negative = as_role[Role.ADMIN].post(
        "/v1/limit-requests",
        json={"company_id": seller.buyers["G6"], "amount": "-5", "currency": "EUR"},
    )
    assert "amount must be above 0" in error_of(negative, 422, "invalid_request")
    none = as_role[Role.ADMIN].get(f"/v1/companies/{seller.buyers['G6']}/limit").json()
    assert none["current"] is None
    assert none["history"] == []
