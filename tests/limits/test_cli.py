"""`tradecredit limits ...` on a SQLite file: policy, recommend, request, queue, approve."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from limits.builders import STRONG, add_buyer, establish
from tradecredit.cli.main import app
from tradecredit.context import Actor
from tradecredit.db.engine import engine_for, unit_of_work
from tradecredit.kit.clock import FixedClock
from tradecredit.limits.models import LimitRequest
from tradecredit.organisations.models import Organisation
from tradecredit.organisations.roles import Role

runner = CliRunner()


def invoke(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def seed(url: str) -> str:
    """An organisation with a manager (50,000), an underwriter (200,000) and a grade-6 buyer."""
    invoke("org", "create", "acme", "--name", "Acme")
    invoke("org", "add-user", "m@acme.test", "--name", "M", "--role", "credit_manager",
           "--authority", "50000", "--currency", "EUR")  # fmt: skip
    invoke("org", "add-user", "u@acme.test", "--name", "U", "--role", "underwriter",
           "--authority", "200000", "--currency", "EUR")  # fmt: skip
    with unit_of_work(engine_for(url)) as session:
        org = session.scalars(select(Organisation)).one()
        actor = Actor(org_id=org.id, name="test", role=Role.ADMIN)
        company_id = add_buyer(session, actor, "CLI6", grade=6, statement=STRONG)
        establish(session, actor, "CLI6")
    return str(company_id)


def test_the_limits_commands_end_to_end(
    cli_database: str, clock: FixedClock, tmp_path: Path
) -> None:
    company = seed(cli_database)
    shown = invoke("limits", "policy", "show")
    assert "credit policy version 0" in shown
    assert 'lgd = "0.45"' in shown
    policy = tmp_path / "policy.toml"
    policy.write_text('max_expected_loss = "6000"\ngrace_days = 20\n')
    assert "version 1 in force" in invoke("limits", "policy", "set", str(policy))
    policy.write_text("lgd = 2\n")
    failed = invoke("limits", "policy", "set", str(policy), code=2)
    assert "lgd: Input should be less than or equal to 1 (got 2)" in failed
    table = invoke("limits", "recommend", "--as-of", "2026-03-31")
    assert "100,000*" in table
    assert "capacity 1" in table
    requested = invoke(
        "limits", "request", "--company", company, "--amount", "80000", "--currency", "EUR",
        "--as-of", "2026-03-31", "--reason", "new order",
    )  # fmt: skip
    assert "referred (referred to underwriter)" in requested
    request_id = re.search(r"limit request ([0-9a-f-]{36})", requested).group(1)  # type: ignore[union-attr]
    assert request_id in invoke("limits", "queue", "--role", "underwriter")
    refused = invoke(
        "limits", "approve", request_id, "--reason", "ok", "--as", "m@acme.test", code=2
    )
    assert "which does not cover 80,000.00 EUR" in refused
    approved = invoke("limits", "approve", request_id, "--reason", "ok", "--as", "u@acme.test")
    assert "-> approved" in approved
    assert "80,000.00 EUR" in invoke("limits", "list")
    due = invoke("limits", "due-for-review", "--as-of", "2026-06-30")
    assert "Scheduled review" in due
    assert "1 limits due for review" in due


def test_an_amount_too_large_to_store_is_refused_and_nothing_is_written(
    cli_database: str, clock: FixedClock
) -> None:
    company = seed(cli_database)
    failed = invoke(
        "limits", "request", "--company", company, "--amount", "99999999999999999999999",
        "--currency", "EUR", code=2,
    )  # fmt: skip
    assert "amount_too_large" in failed
    assert "at most 92233720368547758 EUR" in failed
    with unit_of_work(engine_for(cli_database)) as session:
        assert session.scalar(select(func.count()).select_from(LimitRequest)) == 0
