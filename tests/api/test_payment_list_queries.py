"""GET /v1/payments reads a page's allocations in one query, scoped to the organisation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from api.builders import client_for, company_body, created, invoice_body, make_tenant, payment_body
from tradecredit.db.engine import unit_of_work
from tradecredit.organisations.roles import Role
from tradecredit.organisations.service import system_actor
from tradecredit.receivables.service import allocations_for_payments

PAGE = 50


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends to the database while the block runs."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def ledger_with_payments(client: TestClient, payments: int) -> list[dict[str, Any]]:
    """Invoices of 100.00 EUR and payments of 150.00 EUR settling them oldest first, so most
    payments are split over two invoices; the last payment, in USD, finds nothing to settle."""
    created(client.post("/v1/companies", json=company_body("HRB1")))
    for number in range((payments - 1) * 3 // 2 + 1):
        created(client.post("/v1/invoices", json=invoice_body(f"INV-{number:03d}")))
    answers = [
        created(client.post("/v1/payments", json=payment_body(f"P-{n:03d}", amount="150.00")))
        for n in range(payments - 1)
    ]
    unapplied = payment_body(f"P-{payments - 1:03d}", amount="150.00", currency="USD")
    return [*answers, created(client.post("/v1/payments", json=unapplied))]


def page_and_statements(client: TestClient, engine: Engine) -> tuple[dict[str, Any], int]:
    with counted_statements(engine) as statements:
        response = client.get("/v1/payments", params={"limit": PAGE})
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page, len(statements)


def test_listing_payments_takes_the_same_statements_for_5_or_50(
    app: FastAPI, engine: Engine
) -> None:
    pages: dict[int, tuple[dict[str, Any], int]] = {}
    for size in (5, PAGE):
        tenant = make_tenant(engine, (Role.ADMIN,))
        with client_for(app, tenant.keys[Role.ADMIN]) as client:
            answers = ledger_with_payments(client, size)
            pages[size] = page_and_statements(client, engine)
        page = pages[size][0]
        assert page["items"] == answers, "the list shows what each POST answered"
        assert [len(p["allocations"]) for p in page["items"]].count(2) >= size // 2
        assert page["items"][-1]["allocations"] == []
        assert page["items"][-1]["unapplied_amount"] == "150.00"
    assert len(pages[PAGE][0]["items"]) == PAGE
    few, many = pages[5][1], pages[PAGE][1]
    assert few == many, f"5 payments took {few} statements, {PAGE} took {many}"


def test_the_batched_read_is_scoped_to_the_organisation(app: FastAPI, engine: Engine) -> None:
    owner, stranger = make_tenant(engine, (Role.ADMIN,)), make_tenant(engine, (Role.ADMIN,))
    with client_for(app, owner.keys[Role.ADMIN]) as client:
        paid, unpaid = ledger_with_payments(client, 2)
    ids = [uuid.UUID(paid["id"]), uuid.UUID(unpaid["id"])]
    with unit_of_work(engine) as session:
        mine = allocations_for_payments(
            session, actor=system_actor(owner.org_id, "test"), payment_ids=ids
        )
        theirs = allocations_for_payments(
            session, actor=system_actor(stranger.org_id, "test"), payment_ids=ids
        )
        assert (
            allocations_for_payments(session, actor=system_actor(owner.org_id, "t"), payment_ids=[])
            == {}
        )
    assert [(a.amount_minor, number) for a, number in mine[ids[0]]] == [
        (10000, "INV-000"),
        (5000, "INV-001"),
    ]
    assert mine[ids[1]] == []
    assert theirs == {ids[0]: [], ids[1]: []}
