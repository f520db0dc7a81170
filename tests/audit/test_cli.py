from __future__ import annotations

from sqlalchemy import update
from typer.testing import CliRunner

from tradecredit.audit.models import AuditEvent
from tradecredit.cli.main import app
from tradecredit.db.engine import engine_for, unit_of_work

runner = CliRunner()


def test_audit_verify_reports_the_first_broken_link(cli_database: str) -> None:
    assert runner.invoke(app, ["org", "create", "acme", "--name", "Acme"]).exit_code == 0
    added = runner.invoke(app, ["org", "add-user", "a@acme.test", "--name", "A", "--role", "admin"])
    assert added.exit_code == 0, added.output
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "2 events, chain intact" in ok.output

    with unit_of_work(engine_for(cli_database)) as session:
        session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="mallory"))
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "event #2" in broken.output
    assert "altered" in broken.output


def test_audit_log_lists_events(cli_database: str) -> None:
    runner.invoke(app, ["org", "create", "acme", "--name", "Acme"])
    result = runner.invoke(app, ["audit", "log"])
    assert result.exit_code == 0, result.output
    assert "organisation.created" in result.output


def test_commands_name_the_missing_organisation(cli_database: str) -> None:
    result = runner.invoke(app, ["audit", "verify", "--org", "nope"])
    assert result.exit_code == 2
    assert "no organisation 'nope'" in result.output
