"""`tradecredit import ...` end to end on a SQLite file: exit codes, summary, report."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imports.helpers import CORPUS, write_csv
from tradecredit.cli.main import app
from tradecredit.imports import invoices as invoice_planner

runner = CliRunner()
COMPANIES = [
    ["registration_number", "country", "name", "sector"],
    ["HRB1", "DE", "Buyer One", "C25"],
    ["HRB2", "DE", "Buyer Two", "G46.7"],
]


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_import_then_reimport_then_dry_run(cli_database: str, tmp_path: Path) -> None:
    assert invoke("org", "create", "acme", "--name", "Acme")[0] == 0
    path = write_csv(tmp_path / "companies.csv", COMPANIES)

    report = tmp_path / "report.csv"
    code, output = invoke("import", "companies", str(path), "--report", str(report))
    assert code == 0, output
    assert "2 created, 0 updated, 0 unchanged" in output
    assert report.read_text(encoding="utf-8-sig").splitlines() == ["file,row,column,value,reason"]
    assert "companies.csv" in output

    code, output = invoke("import", "companies", str(path), "--org", "acme")
    assert code == 0, output
    assert "0 created, 0 updated, 2 unchanged" in output

    renamed = write_csv(
        tmp_path / "renamed.csv", [*COMPANIES[:2], ["HRB2", "DE", "Buyer 2", "G46.7"]]
    )
    code, output = invoke("import", "companies", str(renamed), "--dry-run")
    assert code == 0, output
    assert "dry run: 2 rows valid, would create 0, update 1, leave 1 unchanged" in output
    code, output = invoke("import", "companies", str(path))
    assert "0 created, 0 updated, 2 unchanged" in output


def test_rejected_file_exits_1_with_a_report(cli_database: str, tmp_path: Path) -> None:
    invoke("org", "create", "acme", "--name", "Acme")
    report = tmp_path / "report.csv"

    code, output = invoke(
        "import",
        "companies",
        str(CORPUS / "companies_unknown_country.csv"),
        "--report",
        str(report),
    )

    assert code == 1, output
    assert "unknown country 'XX': not an ISO 3166-1 alpha-2 code" in output
    assert "rejected: 1 problem(s); nothing was written" in output
    with report.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["file", "row", "column", "value", "reason"],
        [
            "companies_unknown_country.csv",
            "3",
            "country",
            "XX",
            "unknown country 'XX': not an ISO 3166-1 alpha-2 code",
        ],
    ]
    code, output = invoke("import", "companies", str(write_csv(tmp_path / "ok.csv", COMPANIES)))
    assert "2 created" in output


def test_more_than_fifty_problems_are_counted(cli_database: str, tmp_path: Path) -> None:
    invoke("org", "create", "acme", "--name", "Acme")
    rows = [COMPANIES[0]] + [[f"R{i}", "XX", "Name", "C25"] for i in range(60)]
    code, output = invoke("import", "companies", str(write_csv(tmp_path / "many.csv", rows)))
    assert code == 1
    assert "60 problem(s) found; nothing was written (first 50 shown)" in output
    assert "... and 10 more problem(s); write them all with --report FILE" in output


def test_usage_errors_exit_2(cli_database: str, tmp_path: Path) -> None:
    invoke("org", "create", "acme", "--name", "Acme")
    path = write_csv(tmp_path / "companies.csv", COMPANIES)
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\nFirma = "company_name"\n', encoding="utf-8")

    code, output = invoke("import", "companies", str(path), "--mapping", str(mapping))
    assert code == 2
    assert "unknown template column 'company_name'" in output

    code, output = invoke("import", "companies", str(tmp_path / "missing.csv"))
    assert code == 2

    code, output = invoke("import", "companies", str(path), "--org", "nope")
    assert code == 2
    assert "no organisation 'nope'" in output

    code, output = invoke("import", "companies", str(path), "--sheet", "One")
    assert code == 2
    assert "--sheet applies to Excel (.xlsx) files only" in output


def test_every_kind_has_a_command(cli_database: str) -> None:
    code, output = invoke("import", "--help")
    assert code == 0
    for kind in (
        "companies",
        "statements",
        "accounts",
        "invoices",
        "payments",
        "credit-notes",
        "fx-rates",
    ):
        assert kind in output


def test_a_concurrent_duplicate_is_refused_whole(
    cli_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invoke("org", "create", "acme", "--name", "Acme")
    invoke("import", "companies", str(write_csv(tmp_path / "c.csv", COMPANIES)))
    invoices = write_csv(
        tmp_path / "i.csv",
        [
            [
                "invoice_number",
                "buyer_registration_number",
                "buyer_country",
                "currency",
                "amount",
                "issue_date",
                "due_date",
            ],
            ["I-1", "HRB1", "DE", "EUR", "10.00", "2026-01-01", "2026-01-31"],
        ],
    )
    assert invoke("import", "invoices", str(invoices))[0] == 0
    monkeypatch.setattr(invoice_planner, "invoices_by_number", lambda ctx, numbers: {})

    code, output = invoke("import", "invoices", str(invoices))

    assert code == 2
    assert "the database refused the import and nothing was written" in output
