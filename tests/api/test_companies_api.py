"""Companies and financial statements through the API: create, read, list, filters, paging."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.builders import company_body, created, error_of, statement_body


def test_create_get_and_list_companies(api: TestClient) -> None:
    body = created(
        api.post(
            "/v1/companies",
            json=company_body("HRB1", "de", legal_form="GmbH", founded="2001-05-17", language="de"),
        )
    )
    assert body["country"] == "DE"
    assert body["legal_form"] == "GmbH"
    assert body["founded"] == "2001-05-17"
    assert body["status"] == "active"

    fetched = api.get(f"/v1/companies/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == body

    listed = api.get("/v1/companies").json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]
    assert listed["next_offset"] is None


def test_group_parent_is_resolved_to_its_id(api: TestClient) -> None:
    parent = created(api.post("/v1/companies", json=company_body("P1")))
    child = created(
        api.post(
            "/v1/companies",
            json=company_body(
                "C1", group_parent_registration_number="P1", group_parent_country="DE"
            ),
        )
    )
    assert child["group_parent_id"] == parent["id"]


def test_list_filters_by_country_sector_and_status(api: TestClient) -> None:
    de = created(api.post("/v1/companies", json=company_body("A1", "DE", sector="C25")))
    fr = created(api.post("/v1/companies", json=company_body("B1", "FR", sector="G46.7")))
    gone = created(
        api.post("/v1/companies", json=company_body("C1", "FR", sector="G47", status="insolvent"))
    )

    def ids(query: str) -> set[str]:
        response = api.get(f"/v1/companies?{query}")
        assert response.status_code == 200, response.text
        return {c["id"] for c in response.json()["items"]}

    assert ids("country=de") == {de["id"]}
    assert ids("sector=G") == {fr["id"], gone["id"]}
    assert ids("sector=C25") == {de["id"]}
    assert ids("status=insolvent") == {gone["id"]}
    assert ids("country=FR&status=active") == {fr["id"]}


def test_list_pages_in_a_stable_order(api: TestClient) -> None:
    for number in range(5):
        created(api.post("/v1/companies", json=company_body(f"R{number}")))
    first = api.get("/v1/companies?limit=2").json()
    assert [c["registration_number"] for c in first["items"]] == ["R0", "R1"]
    assert first["next_offset"] == 2
    last = api.get("/v1/companies?limit=2&offset=4").json()
    assert [c["registration_number"] for c in last["items"]] == ["R4"]
    assert last["next_offset"] is None


def test_statement_lines_round_trip_as_decimal_strings(api: TestClient) -> None:
    company = created(api.post("/v1/companies", json=company_body("HRB1")))
    statement = created(api.post("/v1/statements", json=statement_body("HRB1")))
    assert statement["company_id"] == company["id"]
    lines = statement["lines"]
    assert lines["revenue"] == "1250000.50"
    assert lines["ebit"] == "-20000.00"
    assert lines["cash"] is None, "a line not sent stays missing, never 0"

    assert api.get(f"/v1/statements/{statement['id']}").json() == statement
    created(api.post("/v1/statements", json=statement_body("HRB1", period_end="2024-12-31")))
    listed = api.get(f"/v1/companies/{company['id']}/statements").json()
    assert [s["period_end"] for s in listed["items"]] == ["2024-12-31", "2025-12-31"]


def test_statement_for_unknown_company_names_it(api: TestClient) -> None:
    message = error_of(api.post("/v1/statements", json=statement_body("NOPE")), 404, "not_found")
    assert "NOPE" in message


def test_duplicate_company_and_statement_are_conflicts(api: TestClient) -> None:
    created(api.post("/v1/companies", json=company_body("HRB1")))
    message = error_of(api.post("/v1/companies", json=company_body("HRB1")), 409, "already_exists")
    assert "HRB1" in message
    created(api.post("/v1/statements", json=statement_body("HRB1")))
    message = error_of(
        api.post("/v1/statements", json=statement_body("HRB1")), 409, "already_exists"
    )
    assert "2025-12-31" in message


def test_unknown_group_parent_is_named(api: TestClient) -> None:
    body = company_body("C1", group_parent_registration_number="GHOST", group_parent_country="DE")
    assert "GHOST" in error_of(api.post("/v1/companies", json=body), 404, "not_found")
