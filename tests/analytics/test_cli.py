"""`tradecredit ageing` against a temporary SQLite file."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from typer.testing import CliRunner

from analytics import db_ledger as db
from tradecredit.cli.common import cli_actor
from tradecredit.cli.main import app
from tradecredit.db.engine import engine_for, unit_of_work

runner = CliRunner()


def _seed(url: str) -> None:
    assert runner.invoke(app, ["org", "create", "acme", "--name", "Acme"]).exit_code == 0
    with unit_of_work(engine_for(url)) as s:
        actor = cli_actor(s, "acme")
        db.company(s, actor, "DE1", country="DE")
        db.company(s, actor, "US1", country="US", sector="G46.7")
        for n in range(3):
            db.company(s, actor, f"FR{n}", country="FR", sector="F41")
            db.invoice(
                s,
                actor,
                f"F{n}",
                f"FR{n}",
                f"{n + 1}.00",
                issued=date(2026, 9, 1),
                due=date(2026, 9, 20),
                country="FR",
            )
        db.invoice(s, actor, "I1", "DE1", "1000.00", issued=date(2026, 5, 1), due=date(2026, 5, 31))
        db.payment(s, actor, "P1", "DE1", "400.00", date(2026, 6, 15))
        db.invoice(
            s,
            actor,
            "I2",
            "US1",
            "2500.00",
            issued=date(2026, 8, 1),
            due=date(2026, 9, 30),
            currency="USD",
            country="US",
        )
        db.rate(s, actor, "EUR", "USD", "1.2500", date(2026, 9, 28))
        db.rate(s, actor, "EUR", "USD", "1.0000", date(2026, 10, 2))


def test_table_shows_buckets_totals_dso_and_rates(cli_database: str) -> None:
    _seed(cli_database)
    result = runner.invoke(app, ["ageing", "--as-of", "2026-09-30", "--by", "buyer", "--top", "2"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Ageing as of 2026-09-30 by buyer (EUR)" in out
    for header in ("not yet due", "1-30", "31-60", "61-90", "91-120", "over 120", "share >120"):
        assert header in out
    assert "Buyer US1 (US)" in out
    assert "2,000.00" in out
    assert "Buyer DE1 (DE)" in out
    assert "600.00" in out
    assert "… and 3 more" in out
    assert "2,606.00" in out  # totals cover all five buyers: 2,000 + 600 + 1 + 2 + 3
    assert "DSO countback:" in out
    assert "DSO standard (90-day period):" in out
    assert "FX: converted to EUR at rates of 2026-09-28 (USD)" in out


def test_json_has_every_row_and_the_rates(cli_database: str) -> None:
    _seed(cli_database)
    result = runner.invoke(
        app,
        ["ageing", "--as-of", "2026-09-30", "--by", "country", "--format", "json", "--top", "1"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [row["key"] for row in report["rows"]] == ["US", "DE", "FR"]
    assert report["totals"]["total"] == "2606.00"
    assert report["fx_rates"] == [
        {
            "base_currency": "EUR",
            "quote_currency": "USD",
            "rate": "1.2500",
            "rate_date": "2026-09-28",
        }
    ]
    assert report["dso"]["standard_period_days"] == 90


def test_csv_rows_then_totals_in_another_currency(cli_database: str) -> None:
    _seed(cli_database)
    result = runner.invoke(
        app,
        [
            "ageing",
            "--as-of",
            "2026-09-30",
            "--format",
            "csv",
            "--currency",
            "USD",
            "--dso-days",
            "30",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [row["key"] for row in rows] == ["total", "total"]
    assert rows[-1]["label"] == "Total"
    # 2,500 USD + (606 EUR x 1.25 = 757.50 USD)
    assert rows[-1]["total"] == "3257.50"
    assert rows[-1]["not_yet_due"] == "2500.00"


def test_errors_are_plain_and_exit_non_zero(cli_database: str) -> None:
    _seed(cli_database)
    missing = runner.invoke(app, ["ageing", "--as-of", "2026-09-30", "--currency", "JPY"])
    assert missing.exit_code == 2
    assert "fx_rate_missing" in missing.output
    assert "2026-09-30" in missing.output
    bad_by = runner.invoke(app, ["ageing", "--as-of", "2026-09-30", "--by", "region"])
    assert bad_by.exit_code == 2
    assert "region" in bad_by.output
    bad_date = runner.invoke(app, ["ageing", "--as-of", "30/09/2026"])
    assert bad_date.exit_code == 2


def test_single_currency_ledger_says_no_conversion(cli_database: str) -> None:
    assert runner.invoke(app, ["org", "create", "solo", "--name", "Solo"]).exit_code == 0
    result = runner.invoke(app, ["ageing", "--as-of", "2026-09-30"])
    assert result.exit_code == 0, result.output
    assert "FX: single currency (EUR), no conversion" in result.output
    assert "DSO countback: n/a" in result.output
