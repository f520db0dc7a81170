"""Exposure over HTTP: the portfolio list by buyer and by group, one company, one group."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.builders import client_for, error_of, make_tenant
from exposure import ledger
from tradecredit.api.app import create_app
from tradecredit.db.engine import unit_of_work
from tradecredit.organisations import service as org_service
from tradecredit.organisations.roles import Role

AS_OF = {"as_of": "2026-03-25"}


@pytest.fixture(scope="module")
def app(engine: Engine) -> FastAPI:
    return create_app(engine, migrate=False)


@pytest.fixture
def world(app: FastAPI, engine: Engine) -> tuple[TestClient, dict[str, str]]:
    tenant = make_tenant(engine, (Role.VIEWER,))
    actor = org_service.system_actor(tenant.org_id, "test")
    ledger.build(engine, actor)
    with unit_of_work(engine) as s:
        ids = {reg: str(ledger.company_id(s, actor, reg)) for reg in "PMAXB"}
    return client_for(app, tenant.keys[Role.VIEWER]), ids


def test_by_buyer_largest_first_with_totals_and_rates(
    world: tuple[TestClient, dict[str, str]],
) -> None:
    api, ids = world
    answer = api.get("/v1/exposure", params=AS_OF | {"limit": 2}).json()
    assert [item["company_id"] for item in answer["items"]] == [ids["A"], ids["X"]]
    assert answer["items"][0] | {"company_id": "", "name": ""} == {
        "company_id": "",
        "name": "",
        "registration_number": "A",
        "country": "DE",
        "open_invoices": "2060.00",
        "uninvoiced_orders": "1800.00",
        "uninvoiced_deliveries": "800.00",
        "total": "4660.00",
        "fx_rate_date": "2026-03-20",
    }
    assert answer["totals"]["total"] == "4810.00"
    assert answer["next_offset"] == 2
    assert answer["fx_rates"] == [
        {"base_currency": "EUR", "quote_currency": "USD", "rate": "1.25", "rate_date": "2026-03-20"}
    ]
    assert answer["fx_note"] == "converted to EUR at rates of 2026-03-20 (USD)"
    rest = api.get("/v1/exposure", params=AS_OF | {"offset": 2}).json()
    assert {item["total"] for item in rest["items"]} == {"0.00"}
    assert rest["next_offset"] is None


def test_by_group_and_one_group(world: tuple[TestClient, dict[str, str]]) -> None:
    api, ids = world
    groups = api.get("/v1/exposure", params=AS_OF | {"by": "group"}).json()
    assert [(g["group_id"], g["members"], g["total"]) for g in groups["items"]] == [
        (ids["P"], 4, "4810.00"),
        (ids["B"], 1, "0.00"),
    ]
    assert groups["totals"]["total"] == "4810.00"
    one = api.get(f"/v1/groups/{ids['M']}/exposure", params=AS_OF).json()
    assert one["group"]["group_id"] == ids["P"]
    assert [(m["registration_number"], m["total"]) for m in one["members"]] == [
        ("A", "4660.00"),
        ("X", "150.00"),
        *sorted([("M", "0.00"), ("P", "0.00")], key=lambda m: ids[m[0]]),
    ]


def test_one_company_in_another_currency(world: tuple[TestClient, dict[str, str]]) -> None:
    api, ids = world
    answer = api.get(
        f"/v1/companies/{ids['A']}/exposure", params=AS_OF | {"currency": "usd"}
    ).json()
    assert answer["currency"] == "USD"
    assert answer["exposure"]["open_invoices"] == "2575.00"
    assert answer["exposure"]["total"] == "5825.00"
    missing = api.get(f"/v1/companies/{ids['A']}/exposure", params=AS_OF | {"currency": "GBP"})
    assert "EUR/GBP" in error_of(missing, 422, "fx_rate_missing")
    error_of(api.get("/v1/exposure", params=AS_OF | {"by": "country"}), 422, "invalid_request")
