"""`tradecredit gates` against a temporary SQLite file: check, the queue, release as a user."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from gates.builders import add_buyer, add_user, set_limit
from tradecredit.cli.common import cli_actor
from tradecredit.cli.main import app
from tradecredit.db.engine import engine_for, unit_of_work
from tradecredit.organisations.roles import Role

runner = CliRunner()


def _seed(url: str) -> str:
    assert runner.invoke(app, ["org", "create", "acme", "--name", "Acme"]).exit_code == 0
    with unit_of_work(engine_for(url)) as session:
        actor = cli_actor(session, "acme")
        buyer = add_buyer(session, actor, "B1")
        set_limit(session, actor, buyer, "1000.00")
        add_user(session, actor, Role.CREDIT_MANAGER, email="cm@acme.test")
        add_user(session, actor, Role.VIEWER, email="viewer@acme.test")
    return str(buyer)


def _check(buyer: str, amount: str) -> str:
    result = runner.invoke(
        app,
        [
            "gates",
            "check",
            "--stage",
            "order",
            "--company",
            buyer,
            "--amount",
            amount,
            "--currency",
            "EUR",
            "--as-of",
            "2026-03-31",
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_check_queue_and_release(cli_database: str) -> None:
    buyer = _seed(cli_database)
    assert "ALLOW" in _check(buyer, "100.00")
    warned = _check(buyer, "850.00")
    assert "WARN" in warned
    assert "UTILISATION_HIGH" in warned
    held = _check(buyer, "1200.00")
    assert "HOLD" in held
    assert "OVER_LIMIT: Exposure would be 1,200.00 EUR, over the limit 1,000.00 EUR" in held
    found = re.search(r"hold ([0-9a-f-]{36}) is waiting", held)
    assert found is not None
    hold_id = found.group(1)

    queue = runner.invoke(app, ["gates", "holds"])
    assert queue.exit_code == 0, queue.output
    assert hold_id in queue.output
    assert "1 hold(s)" in queue.output

    refused = runner.invoke(
        app, ["gates", "release", hold_id, "--reason", "ok", "--as", "viewer@acme.test"]
    )
    assert refused.exit_code == 2
    assert "permission_denied" in refused.output

    released = runner.invoke(
        app, ["gates", "release", hold_id, "--reason", "paid upfront", "--as", "cm@acme.test"]
    )
    assert released.exit_code == 0, released.output
    assert "released by user:cm@acme.test: paid upfront" in released.output
    assert "0 hold(s)" in runner.invoke(app, ["gates", "holds"]).output
    assert hold_id in runner.invoke(app, ["gates", "holds", "--status", "released"]).output

    again = runner.invoke(
        app, ["gates", "release", hold_id, "--reason", "again", "--as", "cm@acme.test"]
    )
    assert again.exit_code == 2
    assert "hold_not_open" in again.output


def test_invalid_input_is_named(cli_database: str) -> None:
    buyer = _seed(cli_database)
    result = runner.invoke(
        app,
        [
            "gates",
            "check",
            "--stage",
            "ship",
            "--company",
            buyer,
            "--amount",
            "1",
            "--currency",
            "EUR",
        ],
    )
    assert result.exit_code == 2
    assert "stage" in result.output
    blank = runner.invoke(
        app, ["gates", "release", "not-an-id", "--reason", "x", "--as", "cm@acme.test"]
    )
    assert blank.exit_code == 2
    assert "is not an id" in blank.output
