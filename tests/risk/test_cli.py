"""`tradecredit risk ...` against a temporary SQLite file."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from risk.files import HISTORICAL_FILE, SNAPSHOT_FILE, write_csv
from tradecredit.cli.main import app

runner = CliRunner()


def _org() -> None:
    created = runner.invoke(app, ["org", "create", "acme", "--name", "Acme"])
    assert created.exit_code == 0, created.output


def test_import_both_files_then_ask_about_countries(cli_database: str, oecd_dir: Path) -> None:
    _org()
    historical = runner.invoke(app, ["risk", "import-oecd", str(oecd_dir / HISTORICAL_FILE)])
    assert historical.exit_code == 0, historical.output
    assert "17889 classifications of 201 countries, 1999-01-01 to 2022-03-11" in historical.output
    snapshot = runner.invoke(app, ["risk", "import-oecd", str(oecd_dir / SNAPSHOT_FILE)])
    assert snapshot.exit_code == 0, snapshot.output
    assert "201 were created, 0 were updated, 0 unchanged" in snapshot.output
    again = runner.invoke(
        app, ["risk", "import-oecd", str(oecd_dir / SNAPSHOT_FILE), "--format", "snapshot"]
    )
    assert "0 were created, 0 were updated, 201 unchanged" in again.output

    germany = runner.invoke(app, ["risk", "country", "de", "--as-of", "2026-03-31", "--history"])
    assert germany.exit_code == 0, germany.output
    assert (
        "DE Germany on 2026-03-31: not classified by the OECD (not the same as class 0); "
        "platform level 1; from the review of 2026-01-30"
    ) in germany.output
    assert "90 review(s) stored, 2 with a new class" in germany.output
    assert "2013-01-01" in germany.output
    albania = runner.invoke(app, ["risk", "country", "AL", "--as-of", "2004-01-14"])
    assert "OECD class 7 of 0-7; platform level 8; from the review of 2003-10-24" in albania.output


def test_no_class_before_the_first_review(cli_database: str, tmp_path: Path) -> None:
    _org()
    path = write_csv(tmp_path, "small.csv", "country,iso3,crc,notes", "Albania,ALB,5,")
    dated = runner.invoke(app, ["risk", "import-oecd", str(path), "--as-of", "2025-09-26"])
    assert dated.exit_code == 0, dated.output
    before = runner.invoke(app, ["risk", "country", "AL", "--as-of", "2025-09-25"])
    assert before.exit_code == 1
    assert (
        "AL Albania: no OECD classification dated on or before 2025-09-25 is stored "
        "(the first is of 2025-09-26)"
    ) in before.output
    unknown = runner.invoke(app, ["risk", "country", "ZZ"])
    assert unknown.exit_code == 2
    assert "unknown_country" in unknown.output


def test_a_rejected_file_lists_its_problems_and_writes_nothing(
    cli_database: str, tmp_path: Path
) -> None:
    _org()
    path = write_csv(tmp_path, "bad.csv", "country,iso3,crc,notes", "Albania,ALB,8,", "X,ATL,1,")
    rejected = runner.invoke(app, ["risk", "import-oecd", str(path)])
    assert rejected.exit_code == 1
    assert "2 problem(s) found; nothing was written" in rejected.output
    assert "class 8 is outside the OECD scale 0-7" in rejected.output
    assert "unknown ISO 3166-1 alpha-3 country code" in rejected.output
    nothing = runner.invoke(app, ["risk", "country", "AL", "--as-of", "2030-01-01"])
    assert nothing.exit_code == 1


def test_a_dry_run_and_a_misplaced_date(cli_database: str, tmp_path: Path) -> None:
    _org()
    path = write_csv(tmp_path, "small.csv", "country,iso3,crc,notes", "Albania,ALB,5,")
    dry = runner.invoke(app, ["risk", "import-oecd", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run, nothing written" in dry.output
    assert "1 would be created" in dry.output
    assert runner.invoke(app, ["risk", "country", "AL"]).exit_code == 1
    history = write_csv(tmp_path, "hist.csv", "#,ISO,country name,01-Jan-99", "1,ALB,Albania,7")
    misplaced = runner.invoke(app, ["risk", "import-oecd", str(history), "--as-of", "2026-01-30"])
    assert misplaced.exit_code == 2
    assert "applies to the snapshot format only" in misplaced.output


def test_sector_risk(cli_database: str) -> None:
    pharma = runner.invoke(app, ["risk", "sector", "C21.20"])
    assert pharma.exit_code == 0, pharma.output
    assert "C21.20: Manufacturing / Pharmaceuticals (table entry C21)" in pharma.output
    assert "risk level 2 of 5, review quarterly" in pharma.output
    assert "- regulatory change in the importing country" in pharma.output
    bad = runner.invoke(app, ["risk", "sector", "Z9"])
    assert bad.exit_code == 2
    assert "invalid_sector" in bad.output
