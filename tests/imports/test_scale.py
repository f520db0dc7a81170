"""Bulk behaviour: the number of statements does not grow with the rows, and 50,000 invoices
import well within a minute on SQLite."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from conftest import make_org
from imports.helpers import run_import, write_csv
from tradecredit.context import Actor
from tradecredit.db.engine import make_engine
from tradecredit.db.migrate import upgrade

BUYERS = 300


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any, **_: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def files(tmp_path: Path, rows: int) -> dict[str, Path]:
    companies = [["registration_number", "country", "name", "sector"]]
    companies += [[f"C{i}", "DE", f"Company {i}", "C25"] for i in range(BUYERS)]
    invoices = [
        [
            "invoice_number",
            "buyer_registration_number",
            "buyer_country",
            "currency",
            "amount",
            "issue_date",
            "due_date",
        ]
    ]
    invoices += [
        [
            f"I{i}",
            f"C{i % BUYERS}",
            "DE",
            "EUR",
            f"{i % 997 + 1}.{i % 100:02d}",
            "2026-01-01",
            f"2026-01-{i % 28 + 1:02d}",
        ]
        for i in range(rows)
    ]
    payments = [
        [
            "payment_reference",
            "payer_registration_number",
            "payer_country",
            "currency",
            "amount",
            "payment_date",
        ]
    ]
    payments += [
        [f"P{i}", f"C{i % BUYERS}", "DE", "EUR", "300.00", f"2026-02-{i % 28 + 1:02d}"]
        for i in range(rows)
    ]
    return {
        "companies": write_csv(tmp_path / "companies.csv", companies),
        "invoices": write_csv(tmp_path / "invoices.csv", invoices),
        "payments": write_csv(tmp_path / "payments.csv", payments),
    }


def test_statement_count_does_not_grow_with_rows(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    paths = files(tmp_path, 3000)
    run_import(engine, actor, "companies", paths["companies"])
    for kind in ("invoices", "payments"):
        with statements(engine) as seen:
            result = run_import(engine, actor, kind, paths[kind])
        assert result.created == 3000
        assert len(seen) < 60, f"{kind}: {len(seen)} statements"


def test_fifty_thousand_invoices_within_a_minute_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'scale.db'}")
    upgrade(engine)
    actor = make_org(engine)
    paths = files(tmp_path, 50_000)
    run_import(engine, actor, "companies", paths["companies"])

    started = time.perf_counter()
    result = run_import(engine, actor, "invoices", paths["invoices"])
    elapsed = time.perf_counter() - started

    assert (result.created, result.accounts_opened) == (50_000, BUYERS)
    assert elapsed < 60, f"50,000 invoices took {elapsed:.1f}s"
    engine.dispose()
