"""Excel workbooks: real dates and numbers, the first sheet or a named one, blank rows counted."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, select

from imports.helpers import add_company, counts, run_import
from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.imports.errors import ImportFileUnreadable
from tradecredit.kit.errors import BatchRejected
from tradecredit.receivables.models import Invoice

INVOICE_HEADER = [
    "invoice_number",
    "buyer_registration_number",
    "buyer_country",
    "currency",
    "amount",
    "issue_date",
    "due_date",
]


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_companies_from_xlsx(engine: Engine, actor: Actor, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "companies.xlsx",
        {
            "Companies": [
                ["registration_number", "country", "name", "sector", "founded"],
                [12345, "FR", "Numéro SAS", "C25", datetime(1999, 3, 1)],  # noqa: DTZ001 - Excel has no zones
                ["HRB1", "DE", "Buyer GmbH", "G46.7", None],
            ]
        },
    )
    result = run_import(engine, actor, "companies", path)

    assert result.created == 2
    with unit_of_work(engine) as session:
        found = {
            c.registration_number: c
            for c in session.scalars(select(Company).where(Company.org_id == actor.org_id))
        }
        assert found["12345"].name == "Numéro SAS"
        assert found["12345"].founded == date(1999, 3, 1)
        assert found["HRB1"].founded is None


def test_invoices_from_a_named_sheet_with_numbers_and_dates(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    add_company(engine, actor, "HRB1")
    path = workbook(
        tmp_path / "ledger.xlsx",
        {
            "Notes": [["not", "the", "invoices"]],
            "Invoices": [
                INVOICE_HEADER,
                ["X-1", "HRB1", "DE", "EUR", 1234.5, date(2026, 1, 1), date(2026, 1, 31)],
                [],
                ["X-2", "HRB1", "DE", "EUR", 10, "2026-01-05", "2026-02-04"],
                ["X-3", "HRB1", "DE", "EUR", 0.1, date(2026, 1, 6), date(2026, 2, 5)],
            ],
        },
    )
    result = run_import(engine, actor, "invoices", path, sheet="Invoices")

    assert (result.rows, result.created) == (3, 3)
    with unit_of_work(engine) as session:
        amounts = dict(
            session.execute(
                select(Invoice.invoice_number, Invoice.amount_minor).where(
                    Invoice.org_id == actor.org_id
                )
            ).all()
        )
    assert amounts == {"X-1": 123450, "X-2": 1000, "X-3": 10}


def test_xlsx_rows_are_numbered_as_in_the_sheet(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    add_company(engine, actor, "HRB1")
    path = workbook(
        tmp_path / "bad.xlsx",
        {
            "Sheet": [
                INVOICE_HEADER,
                ["X-1", "HRB1", "DE", "EUR", 10, date(2026, 1, 1), date(2026, 1, 31)],
                [],
                ["X-2", "HRB1", "DE", "EUR", 10.001, date(2026, 1, 1), date(2026, 1, 31)],
            ]
        },
    )
    before = counts(engine, actor)
    with pytest.raises(BatchRejected) as rejected:
        run_import(engine, actor, "invoices", path)
    assert [(e.file, e.row, e.column, e.value, e.reason) for e in rejected.value.errors] == [
        ("bad.xlsx", 4, "amount", "10.001", "10.001 has more decimals than EUR allows (2)")
    ]
    assert counts(engine, actor) == before


def test_unknown_sheet_names_the_sheets(engine: Engine, actor: Actor, tmp_path: Path) -> None:
    path = workbook(tmp_path / "book.xlsx", {"One": [["a"]], "Two": [["b"]]})
    with pytest.raises(ImportFileUnreadable, match=r"no sheet 'Three'; the sheets are One, Two"):
        run_import(engine, actor, "invoices", path, sheet="Three")


def test_a_file_that_is_not_a_workbook(engine: Engine, actor: Actor, tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("invoice_number\nA-1\n")
    with pytest.raises(ImportFileUnreadable, match=r"fake.xlsx: not a readable .xlsx workbook"):
        run_import(engine, actor, "invoices", path)
