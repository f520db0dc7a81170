"""Column-mapping files: renamed headers, ignored columns, date format, decimal comma; and a
precise message for every mistake in the mapping file itself."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from imports.helpers import add_company, counts, run_import, write_csv
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.imports.errors import MappingInvalid
from tradecredit.imports.mapping import load_mapping
from tradecredit.imports.templates import TEMPLATES, ImportKind
from tradecredit.imports.validate import CellProblem, parse_decimal_cell
from tradecredit.kit.errors import BatchRejected
from tradecredit.receivables.models import Invoice

GERMAN_HEADER = ["Rechnung", "Kunde", "Land", "Währung", "Betrag", "Datum", "Fällig", "Notiz"]
TOML_MAPPING = """
date_format = "%d.%m.%Y"
decimal_separator = ","
ignore = ["Notiz"]

[columns]
Rechnung = "invoice_number"
Kunde = "buyer_registration_number"
Land = "buyer_country"
"Währung" = "currency"
Betrag = "amount"
Datum = "issue_date"
"Fällig" = "due_date"
"""
YAML_MAPPING = """
date_format: "%d.%m.%Y"
decimal_separator: ","
ignore: [Notiz]
columns:
  Rechnung: invoice_number
  Kunde: buyer_registration_number
  Land: buyer_country
  Währung: currency
  Betrag: amount
  Datum: issue_date
  Fällig: due_date
"""
INVOICES = TEMPLATES[ImportKind.INVOICES]


def german_file(tmp_path: Path, *rows: list[str]) -> Path:
    return write_csv(tmp_path / "rechnungen.csv", [GERMAN_HEADER, *rows], delimiter=";")


@pytest.mark.parametrize(("name", "text"), [("map.toml", TOML_MAPPING), ("map.yaml", YAML_MAPPING)])
def test_mapping_with_date_format_and_decimal_comma(
    engine: Engine, actor: Actor, tmp_path: Path, name: str, text: str
) -> None:
    add_company(engine, actor, "HRB1")
    mapping = tmp_path / name
    mapping.write_text(text, encoding="utf-8")
    path = german_file(
        tmp_path,
        ["R-1", "HRB1", "DE", "EUR", "1.234,50", "31.01.2026", "02.03.2026", "bitte anrufen"],
        ["R-2", "HRB1", "DE", "EUR", "99,9", "01.02.2026", "03.03.2026", ""],
        ["R-3", "HRB1", "DE", "EUR", "1.000.000", "01.02.2026", "03.03.2026", ""],
    )
    result = run_import(engine, actor, "invoices", path, mapping=mapping)

    assert result.created == 3
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(Invoice.invoice_number, Invoice.amount_minor, Invoice.issue_date).where(
                Invoice.org_id == actor.org_id
            )
        ).all()
    assert sorted((number, minor, str(day)) for number, minor, day in rows) == [
        ("R-1", 123450, "2026-01-31"),
        ("R-2", 9990, "2026-02-01"),
        ("R-3", 100000000, "2026-02-01"),
    ]


def test_mapped_columns_are_named_by_their_source_header(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    add_company(engine, actor, "HRB1")
    mapping = tmp_path / "map.toml"
    mapping.write_text(TOML_MAPPING, encoding="utf-8")
    path = german_file(
        tmp_path,
        ["R-1", "HRB1", "DE", "EUR", "1.5", "2026-01-31", "02.03.2026", ""],
        ["R-2", "HRB1", "DE", "EUR", "10,00", "31.01.2026", "02.03.2026", ""],
    )
    before = counts(engine, actor)
    with pytest.raises(BatchRejected) as rejected:
        run_import(engine, actor, "invoices", path, mapping=mapping)
    assert [(e.row, e.column, e.value, e.reason) for e in rejected.value.errors] == [
        (
            2,
            "Betrag (amount)",
            "1.5",
            "unparseable amount '1.5' (expected a decimal with ',' such as 1.234,50)",
        ),
        (
            2,
            "Datum (issue_date)",
            "2026-01-31",
            "unparseable date '2026-01-31' (expected %d.%m.%Y)",
        ),
    ]
    assert counts(engine, actor) == before


def test_two_columns_mapped_to_one_template_column_are_reported(
    engine: Engine, actor: Actor, tmp_path: Path
) -> None:
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\nBetrag = "amount"\n', encoding="utf-8")
    path = write_csv(
        tmp_path / "inv.csv",
        [
            [
                "invoice_number",
                "buyer_registration_number",
                "buyer_country",
                "currency",
                "amount",
                "Betrag",
                "issue_date",
                "due_date",
            ]
        ],
    )
    with pytest.raises(BatchRejected) as rejected:
        run_import(engine, actor, "invoices", path, mapping=mapping)
    assert [(e.row, e.column, e.reason) for e in rejected.value.errors] == [
        (1, "Betrag", "columns 'amount' and 'Betrag' both map to template column 'amount'")
    ]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "m.toml",
            '[columns]\nBetrag = "amout"\n',
            "mapping file m.toml: columns.Betrag: unknown template column 'amout' for invoices "
            "(the columns are invoice_number, buyer_registration_number, buyer_country, currency, "
            "amount, issue_date, due_date, vat_amount, order_reference, delivery_date)",
        ),
        (
            "m.toml",
            '[columns]\nBetrag = "amount"\nSumme = "amount"\n',
            "mapping file m.toml: template column 'amount' is the target of both 'Betrag' and "
            "'Summe'",
        ),
        (
            "m.toml",
            'date_fromat = "%d.%m.%Y"\n',
            "mapping file m.toml: unknown option 'date_fromat' (the options are columns, "
            "date_format, decimal_separator, ignore)",
        ),
        (
            "m.yaml",
            'decimal_separator: ";"\n',
            'mapping file m.yaml: decimal_separator \';\' must be "." or ","',
        ),
        (
            "m.toml",
            'date_format = "%d.%m"\n',
            "mapping file m.toml: date_format '%d.%m' cannot carry a full date (it needs a day, "
            "a month and a year, e.g. '%d.%m.%Y')",
        ),
        (
            "m.toml",
            'date_format = "DD.MM.YYYY"\n',
            "mapping file m.toml: date_format 'DD.MM.YYYY' is not a strptime format such as "
            "'%d.%m.%Y'",
        ),
        (
            "m.toml",
            'ignore = ["Betrag"]\n[columns]\nBetrag = "amount"\n',
            "mapping file m.toml: column 'Betrag' is both mapped and ignored",
        ),
        (
            "m.toml",
            "[columns\n",
            "mapping file m.toml: invalid TOML: ",
        ),
        (
            "m.json",
            "{}",
            "mapping file m.json: name must end in .toml, .yaml or .yml",
        ),
        (
            "m.yaml",
            "- just\n- a list\n",
            "mapping file m.yaml: expected a table of options at the top",
        ),
    ],
)
def test_mapping_file_mistakes_are_named(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingInvalid) as invalid:
        load_mapping(path, INVOICES)
    assert invalid.value.message.startswith(message)


def test_an_empty_mapping_file_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("", encoding="utf-8")
    mapping = load_mapping(path, INVOICES)
    assert (mapping.columns, mapping.date_format, mapping.decimal_separator) == ({}, None, ".")


def test_decimal_comma_refuses_ambiguous_grouping() -> None:
    assert parse_decimal_cell("12.345,6", ",") == Decimal("12345.6")
    assert parse_decimal_cell("-0,5", ",") == Decimal("-0.5")
    for text in ("1.5", "12.34,5", "1,2,3", "1e5", ""):
        with pytest.raises(CellProblem):
            parse_decimal_cell(text, ",")
    for text in ("1,234.50", "NaN", "Infinity", "1e5", ".5"):
        with pytest.raises(CellProblem):
            parse_decimal_cell(text, ".")
