"""A database migrated by a newer tradecredit: every command says so and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tradecredit.cli.main import app
from tradecredit.db.engine import engine_for
from tradecredit.db.migrate import current_revision, upgrade
from tradecredit.kit.errors import UnknownSchemaRevision

FUTURE = "ffffffffffff"


def _at_future_revision(url: str) -> None:
    engine = engine_for(url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": FUTURE})


def test_upgrade_refuses_a_revision_it_does_not_know(cli_database: str) -> None:
    _at_future_revision(cli_database)
    with pytest.raises(UnknownSchemaRevision, match=FUTURE):
        upgrade(engine_for(cli_database))
    assert current_revision(engine_for(cli_database)) == FUTURE


@pytest.mark.parametrize("command", [["db", "upgrade"], ["ageing", "--as-of", "2026-09-30"]])
def test_commands_name_the_revision_and_exit_2(cli_database: str, command: list[str]) -> None:
    _at_future_revision(cli_database)
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2, result.output
    assert "unknown_schema_revision" in result.output
    assert FUTURE in result.output
    assert "Traceback" not in result.output
    assert current_revision(engine_for(cli_database)) == FUTURE
