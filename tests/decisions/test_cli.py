"""`tradecredit decisions decide | list` against a temporary SQLite file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from typer.testing import CliRunner

from decisions.builders import add_buyer, grant_limit
from tradecredit.cli.common import cli_actor
from tradecredit.cli.main import app
from tradecredit.db.engine import engine_for, unit_of_work
from tradecredit.kit.clock import FixedClock

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("clock")


def _seed(url: str) -> None:
    assert runner.invoke(app, ["org", "create", "acme", "--name", "Acme"]).exit_code == 0
    with unit_of_work(engine_for(url)) as session:
        actor = cli_actor(session, "acme")
        grant_limit(session, actor, add_buyer(session, actor, "HRB7"), "1000")


def decide(*args: str) -> tuple[int, str]:
    base = ["decisions", "decide", "--company", "HRB7", "--country", "DE", "--currency", "EUR"]
    result = runner.invoke(app, [*base, *args])
    return result.exit_code, result.output


def test_decide_prints_outcome_and_reasons_then_list_shows_them(cli_database: str) -> None:
    _seed(cli_database)
    code, output = decide("--amount", "700", "--terms", "30")
    assert code == 0, output
    assert "APPROVE" in output
    assert "WITHIN_LIMIT" in output
    assert "limit left 300.00 EUR" in output
    assert "reserved as order checkout-" in output
    code, output = decide("--amount", "450", "--terms", "30")
    assert code == 0
    assert "DECLINE" in output
    assert "the limit left is 300.00 EUR" in output
    listed = runner.invoke(app, ["decisions", "list"])
    assert listed.exit_code == 0, listed.output
    assert "Checkout decisions (2)" in listed.output
    assert listed.output.index("decline") < listed.output.index("approve"), "newest first"
    only = runner.invoke(app, ["decisions", "list", "--outcome", "approve"])
    assert "Checkout decisions (1)" in only.output


def test_bad_options_name_the_option(cli_database: str) -> None:
    _seed(cli_database)
    code, output = decide("--amount", "-3", "--terms", "30")
    assert code == 2
    assert "--amount: must be positive" in output
    code, output = decide("--amount", "3", "--terms", "200")
    assert code == 2
    assert "--terms: Input should be less than or equal to 120" in output
    code, output = decide("--amount", "99999999999999999999999", "--terms", "30")
    assert code == 2
    assert "--amount: 99999999999999999999999 is too large" in output


def test_release_expired_lists_then_cancels_once(cli_database: str, clock: FixedClock) -> None:
    _seed(cli_database)
    assert decide("--amount", "700", "--terms", "30")[0] == 0
    clock.advance(timedelta(days=15))
    dry = runner.invoke(app, ["decisions", "release-expired", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 expired checkout reservation(s): would cancel" in dry.output
    assert "700.00 EUR" in dry.output
    done = runner.invoke(app, ["decisions", "release-expired"])
    assert "1 expired checkout reservation(s): cancelled" in done.output
    again = runner.invoke(app, ["decisions", "release-expired"])
    assert "0 expired checkout reservation(s): cancelled" in again.output
    code, output = decide("--amount", "1000", "--terms", "30")
    assert code == 0, output
    assert "APPROVE" in output, "the released 700 no longer counts against the limit"
