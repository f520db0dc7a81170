"""`tradecredit fx add` and `tradecredit fx list` against a temporary SQLite file."""

from __future__ import annotations

from typer.testing import CliRunner

from tradecredit.cli.main import app

runner = CliRunner()


def test_add_then_list_rates(cli_database: str) -> None:
    assert runner.invoke(app, ["org", "create", "acme", "--name", "Acme"]).exit_code == 0
    added = runner.invoke(app, ["fx", "add", "2026-09-30", "eur", "usd", "1.0850"])
    assert added.exit_code == 0, added.output
    assert "2026-09-30: 1 EUR = 1.0850 USD" in added.output
    runner.invoke(app, ["fx", "add", "2026-08-31", "EUR", "GBP", "0.85"])
    listed = runner.invoke(app, ["fx", "list", "--from", "2026-09-01", "--currency", "usd"])
    assert listed.exit_code == 0, listed.output
    assert "1.0850" in listed.output
    assert "GBP" not in listed.output


def test_bad_rates_are_explained(cli_database: str) -> None:
    assert runner.invoke(app, ["org", "create", "acme", "--name", "Acme"]).exit_code == 0
    negative = runner.invoke(app, ["fx", "add", "2026-09-30", "EUR", "USD", "0"])
    assert negative.exit_code == 2
    assert "rate" in negative.output
    assert "positive" in negative.output
    runner.invoke(app, ["fx", "add", "2026-09-30", "EUR", "USD", "1.1"])
    inverse = runner.invoke(app, ["fx", "add", "2026-09-30", "USD", "EUR", "0.9"])
    assert inverse.exit_code == 2
    assert "already_exists" in inverse.output
