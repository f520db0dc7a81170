from __future__ import annotations

import typer

from tradecredit.cli.common import console, migrated_engine
from tradecredit.db.engine import default_engine
from tradecredit.db.migrate import current_revision, head_revision

db_app = typer.Typer(no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision (every command does this itself)."""
    before = current_revision(default_engine())
    engine = migrated_engine()
    after = current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        console.print(f"{where}: schema already at {after}")
    else:
        console.print(f"{where}: schema upgraded {before or 'empty'} -> {after}")


@db_app.command("status")
def db_status() -> None:
    """Show the schema revision of the database and the latest one this version knows."""
    engine = default_engine()
    console.print(f"current: {current_revision(engine) or 'empty'}  head: {head_revision(engine)}")
