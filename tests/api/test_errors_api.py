"""Bad input is a JSON error with a stable code and a message naming the field and value; never a 500.

The test client re-raises any server exception, so a 500 here fails the test loudly.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.exc import DataError

from api.builders import (
    Tenant,
    account_body,
    company_body,
    created,
    credit_note_body,
    error_of,
    invoice_body,
    payment_body,
    statement_body,
    stored_state,
)
from tradecredit.api.errors import install_error_handlers


@pytest.fixture
def ledger(api: TestClient) -> TestClient:
    """A buyer HRB1 with invoice INV-1 (100.00 EUR)."""
    created(api.post("/v1/companies", json=company_body("HRB1")))
    created(api.post("/v1/invoices", json=invoice_body("INV-1")))
    return api


def _fields(response: Any) -> set[str | None]:
    return {d["field"] for d in response.json()["error"]["details"]}


@pytest.mark.parametrize(
    ("path", "body", "field", "named"),
    [
        ("/v1/invoices", invoice_body("X", amount=100.5), "amount", "decimal strings"),
        ("/v1/payments", payment_body("X", amount=1e3), "amount", "decimal strings"),
        (
            "/v1/credit-notes",
            credit_note_body("X", "INV-1") | {"amount": 2.5},
            "amount",
            "decimal strings",
        ),
        ("/v1/statements", statement_body() | {"cash": 10.0}, "cash", "decimal strings"),
        (
            "/v1/accounts",
            account_body(credit_limit=5000.0, currency="EUR"),
            "credit_limit",
            "decimal strings",
        ),
        ("/v1/invoices", invoice_body("X", colour="red"), "colour", "Extra inputs"),
        ("/v1/companies", company_body("X", founded="2020-13-01"), "founded", "2020-13-01"),
        ("/v1/invoices", invoice_body("X", issued="yesterday"), "issue_date", "yesterday"),
        ("/v1/companies", company_body("X", status="bankrupt"), "status", "bankrupt"),
        ("/v1/invoices", invoice_body("X", currency="EUX"), "currency", "EUX"),
        ("/v1/companies", company_body("X", country="XX"), "country", "XX"),
        ("/v1/companies", company_body("X", sector="C04"), "sector", "C04"),
        ("/v1/invoices", invoice_body("X", amount="12,50"), "amount", "12,50"),
        ("/v1/payments", payment_body("X", amount="NaN"), "amount", "NaN"),
        ("/v1/companies", company_body("X", language="english-uk"), "language", "8"),
        ("/v1/invoices", invoice_body("X" * 65), "invoice_number", "64"),
        ("/v1/accounts", account_body(payment_terms_days=-1), "payment_terms_days", "0"),
        ("/v1/invoices", {"invoice_number": "X"}, "amount", "Field required"),
    ],
)
def test_invalid_field_is_named(
    ledger: TestClient, path: str, body: dict[str, Any], field: str, named: str
) -> None:
    response = ledger.post(path, json=body)
    message = error_of(response, 422, "invalid_request")
    assert field in _fields(response)
    assert field in message
    assert named in message


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        ("/v1/invoices", invoice_body("X", amount="-5.00"), "amount must be positive, got -5.00"),
        ("/v1/payments", payment_body("X", amount="0"), "amount must be positive, got 0"),
        (
            "/v1/invoices",
            invoice_body("X", issued="2026-02-01", due="2026-01-01"),
            "due date 2026-01-01 is before issue date 2026-02-01",
        ),
        ("/v1/invoices", invoice_body("X", amount="1e30"), "amount 1E+30 is too large"),
        ("/v1/statements", statement_body() | {"cash": "-1"}, "cash cannot be negative"),
        ("/v1/statements", statement_body() | {"ebit": "-1e40"}, "ebit -1E+40 is too large"),
        ("/v1/accounts", account_body(credit_limit="100"), "credit_limit needs a currency"),
    ],
)
def test_invalid_combination_is_explained(
    ledger: TestClient, path: str, body: dict[str, Any], named: str
) -> None:
    assert named in error_of(ledger.post(path, json=body), 422, "invalid_request")


def test_integer_amounts_are_accepted(ledger: TestClient) -> None:
    invoice = created(ledger.post("/v1/invoices", json=invoice_body("INT", amount=250)))
    assert invoice["amount"] == "250.00"


def test_malformed_json_and_wrong_shapes(ledger: TestClient) -> None:
    broken = ledger.post(
        "/v1/invoices", content=b'{"invoice_number": ', headers={"content-type": "application/json"}
    )
    error_of(broken, 422, "invalid_request")
    error_of(ledger.post("/v1/invoices", json=["not", "an", "object"]), 422, "invalid_request")
    error_of(ledger.post("/v1/invoices"), 422, "invalid_request")


def test_bad_ids_in_paths_and_filters(ledger: TestClient) -> None:
    response = ledger.get("/v1/invoices/not-a-uuid")
    assert "not-a-uuid" in str(response.json())
    assert "invoice_id" in error_of(response, 422, "invalid_request")
    response = ledger.get("/v1/invoices?company_id=42")
    assert "company_id" in error_of(response, 422, "invalid_request")
    missing = uuid.uuid4()
    assert str(missing) in error_of(ledger.get(f"/v1/payments/{missing}"), 404, "not_found")


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=501", "limit"), ("limit=0", "limit"), ("offset=-1", "offset"), ("limit=x", "limit")],
)
def test_paging_bounds(ledger: TestClient, query: str, field: str) -> None:
    assert field in error_of(ledger.get(f"/v1/invoices?{query}"), 422, "invalid_request")


def test_bad_list_filters_are_named(ledger: TestClient) -> None:
    assert "ZZ" in error_of(ledger.get("/v1/companies?country=ZZ"), 422, "invalid_request")
    assert "Q99" in error_of(ledger.get("/v1/companies?sector=Q99"), 422, "invalid_request")
    assert "status" in error_of(ledger.get("/v1/companies?status=gone"), 422, "invalid_request")


def test_duplicates_are_conflicts(ledger: TestClient) -> None:
    message = error_of(
        ledger.post("/v1/invoices", json=invoice_body("INV-1")), 409, "already_exists"
    )
    assert "INV-1" in message
    created(ledger.post("/v1/payments", json=payment_body("P1", amount="10")))
    message = error_of(
        ledger.post("/v1/payments", json=payment_body("P1", amount="10")), 409, "already_exists"
    )
    assert "P1" in message
    created(ledger.post("/v1/credit-notes", json=credit_note_body("CN-1", "INV-1")))
    message = error_of(
        ledger.post("/v1/credit-notes", json=credit_note_body("CN-1", "INV-1")),
        409,
        "already_exists",
    )
    assert "CN-1" in message


def test_unknown_references_are_named(ledger: TestClient) -> None:
    message = error_of(
        ledger.post("/v1/invoices", json=invoice_body("X", reg="GHOST")), 404, "not_found"
    )
    assert "GHOST" in message
    message = error_of(
        ledger.post("/v1/payments", json=payment_body("X", reg="GHOST")), 404, "not_found"
    )
    assert "GHOST" in message
    message = error_of(
        ledger.post("/v1/payments", json=payment_body("X", invoice_number="INV-404")),
        404,
        "not_found",
    )
    assert "INV-404" in message
    message = error_of(
        ledger.post("/v1/credit-notes", json=credit_note_body("X", "INV-404")), 404, "not_found"
    )
    assert "INV-404" in message


def test_currency_mismatch_is_named(ledger: TestClient) -> None:
    body = credit_note_body("CN-USD", "INV-1") | {"currency": "USD"}
    message = error_of(ledger.post("/v1/credit-notes", json=body), 422, "currency_mismatch")
    assert "USD" in message
    assert "INV-1" in message


def test_payment_naming_another_buyers_invoice(ledger: TestClient) -> None:
    created(ledger.post("/v1/companies", json=company_body("HRB2")))
    body = payment_body("X", reg="HRB2", invoice_number="INV-1")
    message = error_of(ledger.post("/v1/payments", json=body), 422, "invalid_input")
    assert "INV-1" in message


@pytest.mark.parametrize(
    ("path", "body", "field", "code"),
    [
        ("/v1/companies", company_body("NUL\x00BYTE", name="Nul"), "registration_number", "U+0000"),
        ("/v1/companies", company_body("X", name="Buyer\nX"), "name", "U+000A"),
        ("/v1/invoices", invoice_body("INV\t2"), "invoice_number", "U+0009"),
        ("/v1/payments", payment_body("P\x001"), "payment_reference", "U+0000"),
        (
            "/v1/credit-notes",
            credit_note_body("CN-1", "INV-1") | {"reason": "damaged\x00"},
            "reason",
            "U+0000",
        ),
        ("/v1/accounts", account_body("HRB1", collector="ana\x1b"), "collector", "U+001B"),
    ],
)
def test_control_characters_are_refused_alike_on_every_database(
    ledger: TestClient,
    engine: Engine,
    tenant: Tenant,
    path: str,
    body: dict[str, Any],
    field: str,
    code: str,
) -> None:
    """PostgreSQL cannot store NUL in text and SQLite can: validation refuses it for both."""
    state = stored_state(engine, tenant.org_id)
    response = ledger.post(path, json=body)
    message = error_of(response, 422, "invalid_request")
    assert f"{field}: contains a control character ({code})" in message
    assert _fields(response) == {field}
    assert stored_state(engine, tenant.org_id) == state


def test_a_value_the_database_refuses_is_a_422_not_a_server_error() -> None:
    """The safety net behind validation: a DataError from the driver names the reason."""
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/refused")
    def refused() -> None:
        raise DataError("INSERT ...", {}, ValueError("invalid byte sequence: 0x00\nCONTEXT: ..."))

    message = error_of(TestClient(app).get("/refused"), 422, "value_not_storable")
    assert message == "a value cannot be stored: invalid byte sequence: 0x00"


def test_unknown_route_and_method_are_json(ledger: TestClient) -> None:
    error_of(ledger.get("/v1/nowhere"), 404, "not_found")
    error_of(ledger.delete("/v1/invoices"), 405, "method_not_allowed")


def test_an_amount_too_large_to_store_is_located_at_its_field(ledger: TestClient) -> None:
    response = ledger.post("/v1/statements", json=statement_body() | {"ebit": "-1e40"})
    error_of(response, 422, "invalid_request")
    assert response.json()["error"]["details"] == [
        {
            "field": "ebit",
            "reason": "ebit -1E+40 is too large: at most 92233720368547758 EUR",
            "value": "-10000000000000000000000000000000000000000",
        }
    ]
