"""`tradecredit exposure` against a temporary SQLite file."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from exposure import ledger
from tradecredit.cli.common import cli_actor
from tradecredit.cli.main import app
from tradecredit.db.engine import engine_for, unit_of_work

runner = CliRunner()


def _seed(url: str) -> dict[str, str]:
    assert runner.invoke(app, ["org", "create", "acme", "--name", "Acme"]).exit_code == 0
    engine = engine_for(url)
    with unit_of_work(engine) as s:
        actor = cli_actor(s, "acme")
    ledger.build(engine, actor)
    with unit_of_work(engine) as s:
        return {reg: str(ledger.company_id(s, actor, reg)) for reg in "PMAXB"}


def test_table_by_buyer_and_by_group(cli_database: str) -> None:
    _seed(cli_database)
    result = runner.invoke(app, ["exposure", "--as-of", "2026-03-25"])
    assert result.exit_code == 0, result.output
    assert "Company A (A, DE)" in result.output
    assert "4,660.00" in result.output
    assert "4,810.00" in result.output
    assert "converted to EUR at rates of 2026-03-20 (USD)" in result.output
    groups = runner.invoke(app, ["exposure", "--as-of", "2026-03-25", "--by", "group"])
    assert "Company P (P, DE), 4 companies" in groups.output


def test_one_company_and_its_group_as_json(cli_database: str) -> None:
    ids = _seed(cli_database)
    one = runner.invoke(
        app, ["exposure", "--as-of", "2026-03-12", "--company", ids["A"], "--format", "json"]
    )
    assert json.loads(one.output)["exposure"]["total"] == "3881.82"
    group = runner.invoke(
        app,
        [
            "exposure",
            "--as-of",
            "2026-03-25",
            "--company",
            ids["X"],
            "--by",
            "group",
            "--format",
            "json",
        ],
    )
    assert json.loads(group.output)["group"]["total"] == "4810.00"


def test_errors_exit_2(cli_database: str) -> None:
    _seed(cli_database)
    missing = runner.invoke(app, ["exposure", "--as-of", "2026-03-25", "--currency", "GBP"])
    assert missing.exit_code == 2
    assert "EUR/GBP" in missing.output
