"""Accounts, invoices, payments and credit notes through the API."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.builders import (
    account_body,
    company_body,
    created,
    credit_note_body,
    error_of,
    invoice_body,
    payment_body,
)


@pytest.fixture
def buyer(api: TestClient) -> dict[str, Any]:
    return created(api.post("/v1/companies", json=company_body("HRB1")))


def test_account_create_get_and_list(api: TestClient, buyer: dict[str, Any]) -> None:
    account = created(
        api.post(
            "/v1/accounts",
            json=account_body(credit_limit="50000.00", currency="eur", collector="ana"),
        )
    )
    assert account["company_id"] == buyer["id"]
    assert account["credit_limit"] == "50000.00"
    assert account["currency"] == "EUR"
    assert account["payment_terms_days"] == 45
    assert account["unapplied_credit"] == {}
    assert account["company_registration_number"] == "HRB1"

    assert api.get(f"/v1/accounts/{account['id']}").json() == account
    listed = api.get("/v1/accounts").json()["items"]
    assert [a["id"] for a in listed] == [account["id"]]
    assert "unapplied_credit" not in listed[0]
    assert error_of(api.post("/v1/accounts", json=account_body()), 409, "already_exists")


def test_invoice_create_get_list_and_filter(api: TestClient, buyer: dict[str, Any]) -> None:
    created(api.post("/v1/companies", json=company_body("OTHER")))
    invoice = created(
        api.post("/v1/invoices", json=invoice_body("INV-1", amount="1190.00", vat_amount="190"))
    )
    assert invoice["amount"] == "1190.00"
    assert invoice["vat_amount"] == "190.00"
    assert invoice["open_amount"] == "1190.00"
    assert invoice["company_id"] == buyer["id"]
    other = created(api.post("/v1/invoices", json=invoice_body("INV-2", reg="OTHER")))

    assert api.get(f"/v1/invoices/{invoice['id']}").json() == invoice
    everything = api.get("/v1/invoices").json()["items"]
    assert {i["id"] for i in everything} == {invoice["id"], other["id"]}
    only_buyer = api.get(f"/v1/invoices?company_id={buyer['id']}").json()["items"]
    assert [i["id"] for i in only_buyer] == [invoice["id"]]

    account = api.get(f"/v1/accounts/{invoice['account_id']}").json()
    assert account["payment_terms_days"] == 30, "the first invoice opens the default account"


def test_payment_settles_oldest_first_and_keeps_the_rest_unapplied(
    api: TestClient, buyer: dict[str, Any]
) -> None:
    newer = created(
        api.post(
            "/v1/invoices",
            json=invoice_body("INV-NEW", amount="200.00", issued="2026-02-01", due="2026-03-03"),
        )
    )
    older = created(
        api.post(
            "/v1/invoices",
            json=invoice_body("INV-OLD", amount="100.00", issued="2026-01-01", due="2026-01-31"),
        )
    )
    payment = created(api.post("/v1/payments", json=payment_body("P1", amount="350.00")))

    assert [(a["invoice_number"], a["amount"]) for a in payment["allocations"]] == [
        ("INV-OLD", "100.00"),
        ("INV-NEW", "200.00"),
    ]
    assert payment["unapplied_amount"] == "50.00"
    assert payment["amount"] == "350.00"
    assert api.get(f"/v1/invoices/{older['id']}").json()["open_amount"] == "0.00"
    assert api.get(f"/v1/invoices/{newer['id']}").json()["open_amount"] == "0.00"
    account = api.get(f"/v1/accounts/{older['account_id']}").json()
    assert account["unapplied_credit"] == {"EUR": "50.00"}

    assert api.get(f"/v1/payments/{payment['id']}").json() == payment
    assert [p["id"] for p in api.get("/v1/payments").json()["items"]] == [payment["id"]]


def test_payment_naming_an_invoice_settles_it_first(api: TestClient, buyer: dict[str, Any]) -> None:
    created(api.post("/v1/invoices", json=invoice_body("INV-OLD", issued="2026-01-01")))
    named = created(
        api.post(
            "/v1/invoices",
            json=invoice_body("INV-NEW", amount="80.00", issued="2026-02-01", due="2026-03-01"),
        )
    )
    payment = created(
        api.post("/v1/payments", json=payment_body("P1", amount="100.00", invoice_number="INV-NEW"))
    )
    settled = {a["invoice_number"]: a["amount"] for a in payment["allocations"]}
    assert settled == {"INV-NEW": "80.00", "INV-OLD": "20.00"}
    assert payment["unapplied_amount"] == "0.00"
    assert api.get(f"/v1/invoices/{named['id']}").json()["open_amount"] == "0.00"


def test_partial_payment_leaves_an_open_amount(api: TestClient, buyer: dict[str, Any]) -> None:
    invoice = created(api.post("/v1/invoices", json=invoice_body("INV-1", amount="100.00")))
    created(api.post("/v1/payments", json=payment_body("P1", amount="30.25")))
    assert api.get(f"/v1/invoices/{invoice['id']}").json()["open_amount"] == "69.75"


def test_credit_note_reduces_the_open_amount(api: TestClient, buyer: dict[str, Any]) -> None:
    invoice = created(api.post("/v1/invoices", json=invoice_body("INV-1", amount="100.00")))
    note = created(api.post("/v1/credit-notes", json=credit_note_body("CN-1", "INV-1")))
    assert note["invoice_id"] == invoice["id"]
    assert note["amount"] == "10.00"
    assert api.get(f"/v1/invoices/{invoice['id']}").json()["open_amount"] == "90.00"
    assert api.get(f"/v1/credit-notes/{note['id']}").json() == note
    assert [n["id"] for n in api.get("/v1/credit-notes").json()["items"]] == [note["id"]]

    too_much = credit_note_body("CN-2", "INV-1", amount="95.00")
    message = error_of(api.post("/v1/credit-notes", json=too_much), 422, "invalid_input")
    assert "INV-1" in message


def test_zero_decimal_currency_amounts_have_no_decimals(
    api: TestClient, buyer: dict[str, Any]
) -> None:
    invoice = created(
        api.post("/v1/invoices", json=invoice_body("INV-JPY", amount="150000", currency="JPY"))
    )
    assert invoice["amount"] == "150000"
    message = error_of(
        api.post("/v1/invoices", json=invoice_body("INV-J2", amount="1.5", currency="JPY")),
        422,
        "precision_exceeded",
    )
    assert "1.5" in message
    assert "JPY" in message
