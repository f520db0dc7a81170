"""/v1/fx-rates: record (with an Idempotency-Key), list a page by date range, read one."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select

from analytics import db_ledger as db
from tradecredit.api.app import create_app
from tradecredit.api.idempotency import REPLAYED_HEADER
from tradecredit.db.engine import unit_of_work
from tradecredit.fx.models import FxRate
from tradecredit.organisations.roles import Role


@pytest.fixture(scope="session")
def app(engine: Engine) -> FastAPI:
    return create_app(engine, migrate=False)


@pytest.fixture
def tenant(engine: Engine) -> db.Tenant:
    return db.make_tenant(engine)


def _body(**fields: object) -> dict[str, object]:
    return {
        "rate_date": "2026-09-30",
        "base_currency": "EUR",
        "quote_currency": "USD",
        "rate": "1.0850",
    } | fields


def test_record_list_and_read(app: FastAPI, tenant: db.Tenant) -> None:
    with db.client(app, tenant.keys[Role.ADMIN]) as client:
        created = client.post("/v1/fx-rates", json=_body())
        assert created.status_code == 201, created.text
        body = created.json()
        assert (body["rate"], body["rate_date"], body["quote_currency"]) == (
            "1.0850",
            "2026-09-30",
            "USD",
        )
        client.post("/v1/fx-rates", json=_body(rate_date="2026-09-01", rate="1.1"))
        client.post(
            "/v1/fx-rates", json=_body(rate_date="2026-09-15", quote_currency="GBP", rate="0.85")
        )
        listed = client.get("/v1/fx-rates", params={"start": "2026-09-01", "end": "2026-09-30"})
        assert [(r["rate_date"], r["quote_currency"]) for r in listed.json()["items"]] == [
            ("2026-09-15", "GBP"),
            ("2026-09-01", "USD"),
        ]
        usd = client.get("/v1/fx-rates", params={"currency": "usd"}).json()["items"]
        assert [r["rate_date"] for r in usd] == ["2026-09-30", "2026-09-01"]
        one = client.get(f"/v1/fx-rates/{body['id']}")
        assert one.status_code == 200
        assert one.json() == body


def test_errors(app: FastAPI, tenant: db.Tenant) -> None:
    with db.client(app, tenant.keys[Role.ADMIN]) as client:
        floating = client.post("/v1/fx-rates", json=_body(rate=1.085))
        assert floating.status_code == 422
        assert floating.json()["error"]["details"][0]["field"] == "rate"
        client.post("/v1/fx-rates", json=_body())
        again = client.post("/v1/fx-rates", json=_body(rate="1.2"))
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "already_exists"
        backwards = client.get("/v1/fx-rates", params={"start": "2026-10-01", "end": "2026-09-01"})
        assert backwards.status_code == 422
        assert client.get(f"/v1/fx-rates/{uuid.uuid4()}").status_code == 404
        bad_currency = client.get("/v1/fx-rates", params={"currency": "XX"})
        assert bad_currency.json()["error"]["details"][0]["field"] == "query.currency"
    with db.client(app, tenant.keys[Role.VIEWER]) as viewer:
        denied = viewer.post("/v1/fx-rates", json=_body(rate_date="2026-09-02"))
        assert denied.status_code == 403
        assert viewer.get("/v1/fx-rates").status_code == 200


def test_another_organisations_rate_is_not_found(
    app: FastAPI, engine: Engine, tenant: db.Tenant
) -> None:
    other = db.make_tenant(engine)
    with db.client(app, other.keys[Role.ADMIN]) as client:
        theirs = client.post("/v1/fx-rates", json=_body()).json()
    with db.client(app, tenant.keys[Role.ADMIN]) as client:
        assert client.get(f"/v1/fx-rates/{theirs['id']}").status_code == 404
        assert client.get("/v1/fx-rates").json()["items"] == []


def test_the_list_is_paged_like_every_other_list(app: FastAPI, tenant: db.Tenant) -> None:
    with db.client(app, tenant.keys[Role.ADMIN]) as client:
        for day in ("01", "02", "03"):
            created = client.post("/v1/fx-rates", json=_body(rate_date=f"2026-09-{day}"))
            assert created.status_code == 201, created.text
        first = client.get("/v1/fx-rates", params={"limit": 2}).json()
        assert [r["rate_date"] for r in first["items"]] == ["2026-09-03", "2026-09-02"]
        assert (first["limit"], first["offset"], first["next_offset"]) == (2, 0, 2)
        rest = client.get("/v1/fx-rates", params={"limit": 2, "offset": 2}).json()
        assert [r["rate_date"] for r in rest["items"]] == ["2026-09-01"]
        assert rest["next_offset"] is None
        too_many = client.get("/v1/fx-rates", params={"limit": 501})
        assert too_many.status_code == 422
        assert too_many.json()["error"]["details"][0]["field"] == "query.limit"


def _rates_stored(engine: Engine, tenant: db.Tenant) -> int:
    with unit_of_work(engine) as session:
        query = select(func.count()).select_from(FxRate).where(FxRate.org_id == tenant.org_id)
        return int(session.scalar(query) or 0)


def test_an_idempotency_key_replays_the_first_answer(
    app: FastAPI, engine: Engine, tenant: db.Tenant
) -> None:
    key = {"Idempotency-Key": "ecb-2026-09-30-usd"}
    with db.client(app, tenant.keys[Role.ADMIN]) as client:
        first = client.post("/v1/fx-rates", json=_body(), headers=key)
        assert first.status_code == 201, first.text
        assert REPLAYED_HEADER.lower() not in first.headers
        again = client.post("/v1/fx-rates", json=_body(base_currency="eur"), headers=key)
        assert again.status_code == 201, again.text
        assert again.headers[REPLAYED_HEADER] == "true"
        assert again.content == first.content
        other = client.post("/v1/fx-rates", json=_body(rate="1.2"), headers=key)
        assert other.status_code == 409
        assert other.json()["error"]["code"] == "idempotency_key_reused"
    with db.client(app, tenant.keys[Role.VIEWER]) as viewer:
        denied = viewer.post("/v1/fx-rates", json=_body(), headers=key)
        assert denied.status_code == 403, "a key never lets a role replay what it may not write"
    assert _rates_stored(engine, tenant) == 1
