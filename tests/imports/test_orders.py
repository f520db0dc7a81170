"""`tradecredit import orders`: all or nothing, problems by row and column, re-import is a no-op,
and a later export may move an order's status forward."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from imports.helpers import add_company, run_import, write_csv
from tradecredit.audit.models import AuditEvent
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.kit.errors import BatchRejected
from tradecredit.orders.models import Order, OrderDelivery

HEADER = [
    "order_reference",
    "buyer_registration_number",
    "buyer_country",
    "currency",
    "amount",
    "order_date",
    "delivery_date",
    "status",
]
GOOD = [
    HEADER,
    ["SO-1", "HRB1", "DE", "EUR", "1000.00", "2026-03-01", "", ""],
    ["SO-2", "HRB1", "DE", "EUR", "250.00", "2026-03-02", "2026-03-04", ""],
    ["SO-3", "HRB2", "DE", "USD", "80", "2026-03-03", "", "cancelled"],
]


def stored(engine: Engine, actor: Actor) -> dict[str, tuple[str, int, int]]:
    with unit_of_work(engine) as s:
        orders = s.scalars(select(Order).where(Order.org_id == actor.org_id)).all()
        delivered = {
            order.order_reference: sum(
                s.scalars(
                    select(OrderDelivery.amount_minor).where(OrderDelivery.order_id == order.id)
                )
            )
            for order in orders
        }
        return {
            o.order_reference: (o.status, o.amount_minor, delivered[o.order_reference])
            for o in orders
        }


def audit_actions(engine: Engine, actor: Actor) -> list[str]:
    with unit_of_work(engine) as s:
        return list(
            s.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.org_id == actor.org_id, AuditEvent.action.like("order%"))
                .order_by(AuditEvent.seq)
            )
        )


@pytest.fixture
def buyers(engine: Engine, actor: Actor) -> None:
    add_company(engine, actor, "HRB1")
    add_company(engine, actor, "HRB2")


@pytest.mark.usefixtures("buyers")
def test_import_then_reimport_changes_nothing(engine: Engine, actor: Actor, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "orders.csv", GOOD)
    first = run_import(engine, actor, "orders", path)
    assert (first.created, first.accounts_opened) == (3, 2)
    assert stored(engine, actor) == {
        "SO-1": ("ordered", 100000, 0),
        "SO-2": ("delivered", 25000, 25000),
        "SO-3": ("cancelled", 8000, 0),
    }
    again = run_import(engine, actor, "orders", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert audit_actions(engine, actor) == ["order.imported"] * 3


@pytest.mark.usefixtures("buyers")
def test_a_later_export_moves_statuses_forward(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    run_import(engine, actor, "orders", write_csv(tmp_path / "day1.csv", GOOD))
    day2 = [
        HEADER,
        ["SO-1", "HRB1", "DE", "EUR", "1000.00", "2026-03-01", "2026-03-09", "delivered"],
        ["SO-2", "HRB1", "DE", "EUR", "250.00", "2026-03-02", "2026-03-04", "invoiced"],
    ]
    result = run_import(engine, actor, "orders", write_csv(tmp_path / "day2.csv", day2))
    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    assert stored(engine, actor)["SO-1"] == ("delivered", 100000, 100000)
    assert stored(engine, actor)["SO-2"] == ("invoiced", 25000, 25000)
    assert audit_actions(engine, actor)[3:] == ["order.delivered", "order.updated", "order.updated"]
    backwards = [HEADER, ["SO-3", "HRB2", "DE", "USD", "80", "2026-03-03", "", "ordered"]]
    with pytest.raises(BatchRejected) as raised:
        run_import(engine, actor, "orders", write_csv(tmp_path / "day3.csv", backwards))
    [problem] = raised.value.errors
    assert (problem.row, problem.column) == (2, "status")
    assert problem.reason == "order 'SO-3' is cancelled; an import cannot make it ordered"


@pytest.mark.usefixtures("buyers")
def test_bad_rows_are_named_and_nothing_is_written(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    run_import(engine, actor, "orders", write_csv(tmp_path / "first.csv", GOOD[:2]))
    rows = [
        HEADER,
        ["SO-1", "HRB1", "DE", "EUR", "999.00", "2026-03-01", "", ""],
        ["SO-4", "NOPE", "DE", "EUR", "-5", "2026-03-05", "2026-03-01", ""],
        ["SO-5", "HRB1", "DE", "EUR", "10.005", "2026-03-05", "", "delivered"],
        ["SO-6", "HRB1", "DE", "EUX", "10", "2026-02-30", "", "shipped"],
        ["SO-7", "HRB1", "DE", "EUR", "10", "2026-03-05", "2026-03-06", "ordered"],
        ["SO-7", "HRB1", "DE", "EUR", "10", "2026-03-05", "", ""],
        ["SO-8", "HRB1", "DE", "EUR", "10", "2026-03-05", "", ""],
    ]
    before = stored(engine, actor)
    with pytest.raises(BatchRejected) as raised:
        run_import(engine, actor, "orders", write_csv(tmp_path / "bad.csv", rows))
    found = [(e.row, e.column, e.value, e.reason) for e in raised.value.errors]
    assert found == [
        (
            2,
            "amount",
            "999.00",
            "duplicate order reference: order 'SO-1' already exists with a different amount "
            "1000.00 vs 999.00 (stored vs this file); an order's buyer, currency, amount and "
            "date are never overwritten",
        ),
        (
            3,
            "buyer_registration_number",
            "NOPE",
            "unknown buyer 'NOPE' in DE: no company with this registration_number + country; "
            "companies must be imported first (tradecredit import companies)",
        ),
        (3, "amount", "-5", "amount must be positive, got -5"),
        (
            3,
            "delivery_date",
            "2026-03-01",
            "delivery date 2026-03-01 is before order date 2026-03-05",
        ),
        (4, "amount", "10.005", "10.005 has more decimals than EUR allows (2)"),
        (4, "status", "delivered", "status delivered needs a delivery_date"),
        (5, "currency", "EUX", "unknown currency 'EUX': not an ISO 4217 code"),
        (5, "order_date", "2026-02-30", "unparseable date '2026-02-30' (expected YYYY-MM-DD)"),
        (
            5,
            "status",
            "shipped",
            "Input should be 'ordered', 'delivered', 'invoiced' or 'cancelled'",
        ),
        (
            6,
            "status",
            "ordered",
            "status ordered cannot have a delivery_date (delivered goods are 'delivered')",
        ),
        (
            7,
            "order_reference",
            "SO-7",
            "duplicate order reference 'SO-7' for this seller: it appears more than once in this "
            "file (first at row 6)",
        ),
    ]
    assert stored(engine, actor) == before
    dry = run_import(
        engine, actor, "orders", write_csv(tmp_path / "ok.csv", [HEADER, rows[-1]]), dry_run=True
    )
    assert dry.created == 1
    assert stored(engine, actor) == before
