"""Alembic, driven from code: `tradecredit db upgrade` and every command that needs the schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine

from tradecredit.kit.errors import UnknownSchemaRevision

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; a no-op when it is there already."""
    current = current_revision(engine)
    if revision == "head" and current == head_revision(engine):
        return
    config = alembic_config(engine)
    _refuse_unknown(config, engine, current)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _refuse_unknown(config: Config, engine: Engine, current: str | None) -> None:
    """A schema migrated by a newer tradecredit (or another program) cannot be upgraded from
    here; say so instead of Alembic's traceback."""
    if current is None:
        return
    try:
        ScriptDirectory.from_config(config).get_revision(current)
    except CommandError:
        where = engine.url.render_as_string(hide_password=True)
        raise UnknownSchemaRevision(
            f"the database {where} is at schema revision {current!r}, which this version of "
            "tradecredit does not know (was it migrated by a newer version?): run the version "
            "that migrated it, or point TRADECREDIT_DATABASE_URL at another database"
        ) from None
