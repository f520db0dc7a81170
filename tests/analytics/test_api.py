"""GET /v1/ageing with an API key, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from analytics import db_ledger as db
from tradecredit.api.app import create_app
from tradecredit.db.engine import unit_of_work
from tradecredit.organisations.roles import Role


@pytest.fixture(scope="session")
def app(engine: Engine) -> FastAPI:
    return create_app(engine, migrate=False)


@pytest.fixture
def tenant(engine: Engine) -> db.Tenant:
    tenant = db.make_tenant(engine)
    with unit_of_work(engine) as s:
        actor = tenant.admin
        db.company(s, actor, "DE1")
        db.company(s, actor, "GB1", country="GB", sector="J62")
        db.invoice(s, actor, "I1", "DE1", "100.00", issued=date(2026, 1, 1), due=date(2026, 1, 31))
        db.invoice(
            s,
            actor,
            "I2",
            "GB1",
            "50.00",
            issued=date(2026, 9, 1),
            due=date(2026, 9, 29),
            currency="GBP",
            country="GB",
        )
        db.rate(s, actor, "EUR", "GBP", "0.8000", date(2026, 9, 30))
    return tenant


def test_ageing_by_buyer(app: FastAPI, tenant: db.Tenant) -> None:
    with db.client(app, tenant.keys[Role.VIEWER]) as client:
        answer = client.get("/v1/ageing", params={"as_of": "2026-09-30", "by": "buyer"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["by"] == "buyer"
    assert body["currency"] == "EUR"
    assert [(r["label"], r["total"], r["d1_30"], r["over_120"]) for r in body["rows"]] == [
        ("Buyer DE1 (DE)", "100.00", "0.00", "100.00"),
        ("Buyer GB1 (GB)", "62.50", "62.50", "0.00"),
    ]
    assert body["totals"]["total"] == "162.50"
    assert body["totals"]["share_over_120"] == "0.6154"
    assert body["fx_rates"] == [
        {
            "base_currency": "EUR",
            "quote_currency": "GBP",
            "rate": "0.8000",
            "rate_date": "2026-09-30",
        }
    ]
    assert body["fx_note"] == "converted to EUR at rates of 2026-09-30 (GBP)"
    assert set(body["dso"]) >= {"countback_days", "standard_days", "standard_period_days", "method"}


def test_currency_top_and_dso_days(app: FastAPI, tenant: db.Tenant) -> None:
    params = {"as_of": "2026-09-30", "by": "buyer", "currency": "gbp", "top": 1, "dso_days": 30}
    with db.client(app, tenant.keys[Role.ADMIN]) as client:
        body = client.get("/v1/ageing", params=params).json()
    assert body["currency"] == "GBP"
    assert len(body["rows"]) == 1
    assert body["rows_omitted"] == 1
    assert body["totals"]["total"] == "130.00"
    assert body["dso"]["standard_period_days"] == 30


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"by": "buyer"}, "query.as_of"),
        ({"as_of": "30.09.2026"}, "query.as_of"),
        ({"as_of": "2026-09-30", "by": "region"}, "query.by"),
        ({"as_of": "2026-09-30", "currency": "EURO"}, "query.currency"),
        ({"as_of": "2026-09-30", "dso_days": 0}, "query.dso_days"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(
    app: FastAPI, tenant: db.Tenant, params: dict[str, str], field: str
) -> None:
    with db.client(app, tenant.keys[Role.ADMIN]) as client:
        answer = client.get("/v1/ageing", params=params)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_request"
    assert [d["field"] for d in error["details"]] == [field]


def test_missing_rate_is_422_with_its_code(app: FastAPI, tenant: db.Tenant) -> None:
    with db.client(app, tenant.keys[Role.ADMIN]) as client:
        answer = client.get("/v1/ageing", params={"as_of": "2026-09-29"})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "fx_rate_missing"
    assert error["details"] == {"base": "GBP", "quote": "EUR", "as_of": "2026-09-29"}


def test_an_api_key_is_required(app: FastAPI, tenant: db.Tenant) -> None:
    with db.client(app, None) as client:
        assert client.get("/v1/ageing", params={"as_of": "2026-09-30"}).status_code == 401
    with db.client(app, "tc_not-a-key") as client:
        assert client.get("/v1/ageing", params={"as_of": "2026-09-30"}).status_code == 401
