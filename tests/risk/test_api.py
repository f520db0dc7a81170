"""/v1/country-risk and /v1/sector-risk: read-only reference data for any authenticated caller."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.builders import Tenant, client_for, make_tenant
from risk.files import write_csv
from tradecredit.api.app import create_app
from tradecredit.db.engine import unit_of_work
from tradecredit.organisations.roles import Role
from tradecredit.organisations.service import system_actor
from tradecredit.risk import service


@pytest.fixture(scope="session")
def app(engine: Engine) -> FastAPI:
    return create_app(engine, migrate=False)


@pytest.fixture
def tenant(engine: Engine) -> Tenant:
    return make_tenant(engine, (Role.ADMIN, Role.VIEWER))


@pytest.fixture
def stored(engine: Engine, tenant: Tenant, source: str, tmp_path: Path) -> str:
    """Three countries reviewed on 2025-09-26 and again on 2026-01-30, under `source`."""
    lines = (
        "country,iso3,crc,notes",
        "Germany,DEU,0,(6) (7)",
        "Albania,ALB,5,",
        "Singapore,SGP,0,",
    )
    path = write_csv(tmp_path, "small.csv", *lines)
    newer = write_csv(tmp_path, "newer.csv", *lines[:2], "Albania,ALB,4,", lines[3])
    actor = system_actor(tenant.org_id, "test")
    with unit_of_work(engine) as session:
        for file, day in ((path, date(2025, 9, 26)), (newer, date(2026, 1, 30))):
            service.import_oecd_file(session, actor=actor, path=file, as_of=day, source=source)
    return source


def _viewer(app: FastAPI, tenant: Tenant) -> TestClient:
    return client_for(app, tenant.keys[Role.VIEWER])


def test_the_class_in_force_on_a_date(app: FastAPI, tenant: Tenant, stored: str) -> None:
    with _viewer(app, tenant) as client:
        response = client.get(
            "/v1/country-risk/al", params={"as_of": "2026-01-29", "source": stored}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["country"], body["country_name"], body["as_of"]) == (
            "AL",
            "Albania",
            "2026-01-29",
        )
        assert body["in_force"] == {
            "country": "AL",
            "country_name": "Albania",
            "as_of": "2025-09-26",
            "oecd_class": 5,
            "not_classified": False,
            "risk_level": 6,
            "source": stored,
        }
        assert body["history"] is None
        later = client.get("/v1/country-risk/AL", params={"as_of": "2026-01-30", "source": stored})
        assert later.json()["in_force"]["oecd_class"] == 4


def test_not_classified_is_a_flag_with_no_class(app: FastAPI, tenant: Tenant, stored: str) -> None:
    with _viewer(app, tenant) as client:
        body = client.get(
            "/v1/country-risk/DE",
            params={"as_of": "2026-03-31", "source": stored, "history": "true"},
        ).json()
    assert (body["in_force"]["oecd_class"], body["in_force"]["not_classified"]) == (None, True)
    assert body["in_force"]["risk_level"] == 1
    assert [review["as_of"] for review in body["history"]] == ["2025-09-26", "2026-01-30"]


def test_nothing_known_yet_is_an_empty_answer_not_an_error(
    app: FastAPI, tenant: Tenant, stored: str
) -> None:
    with _viewer(app, tenant) as client:
        response = client.get(
            "/v1/country-risk/SG", params={"as_of": "2025-09-25", "source": stored}
        )
    assert response.status_code == 200
    assert response.json()["in_force"] is None


def test_the_list_is_a_page_by_country_code(app: FastAPI, tenant: Tenant, stored: str) -> None:
    query = {"as_of": "2026-02-01", "source": stored, "limit": 2}
    with _viewer(app, tenant) as client:
        first = client.get("/v1/country-risk", params=query).json()
        second = client.get("/v1/country-risk", params=query | {"offset": 2}).json()
    assert [item["country"] for item in first["items"]] == ["AL", "DE"]
    assert first["next_offset"] == 2
    assert [(i["country"], i["oecd_class"]) for i in second["items"]] == [("SG", 0)]
    assert second["next_offset"] is None


def test_sector_risk(app: FastAPI, tenant: Tenant) -> None:
    with _viewer(app, tenant) as client:
        pharma = client.get("/v1/sector-risk/c21.20")
        bad = client.get("/v1/sector-risk/F44")
    assert pharma.status_code == 200, pharma.text
    body = pharma.json()
    assert (body["code"], body["section"], body["matched"], body["profile"]) == (
        "C21.20",
        "C",
        "C21",
        "Pharmaceuticals",
    )
    assert (body["risk_level"], body["review"]) == (2, "quarterly")
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_sector"
    assert "division 44 is not in section F" in bad.json()["error"]["message"]


def test_bad_input_and_no_key_are_refused(app: FastAPI, tenant: Tenant) -> None:
    with _viewer(app, tenant) as client:
        unknown = client.get("/v1/country-risk/ZZ")
        bad_date = client.get("/v1/country-risk", params={"as_of": "2026-02-30"})
    assert unknown.status_code == 422
    assert "unknown country 'ZZ'" in unknown.json()["error"]["message"]
    assert bad_date.status_code == 422
    with client_for(app, None) as anonymous:
        for path in ("/v1/country-risk/DE", "/v1/country-risk", "/v1/sector-risk/C"):
            assert anonymous.get(path).status_code == 401, path
