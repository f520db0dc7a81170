"""What every command needs: the migrated database, the acting organisation, console output."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tradecredit.context import Actor
from tradecredit.db.engine import default_engine, unit_of_work
from tradecredit.db.migrate import upgrade
from tradecredit.kit.errors import (
    BatchRejected,
    NotFound,
    TradecreditError,
    UnknownSchemaRevision,
)
from tradecredit.organisations.models import Organisation
from tradecredit.organisations.roles import Role
from tradecredit.settings import get_settings

console = Console()
err_console = Console(stderr=True)

OrgOption = typer.Option(
    None, "--org", help="organisation slug (default: $TRADECREDIT_DEFAULT_ORG, or the only one)"
)


def migrated_engine() -> Engine:
    """The configured database with its schema brought up to date; a schema this version
    cannot upgrade ends the command with the reason (exit code 2)."""
    engine = default_engine()
    try:
        upgrade(engine)
    except UnknownSchemaRevision as error:
        err_console.print(f"[bold red]error[/] ({error.code}): {error.message}")
        raise typer.Exit(code=2) from None
    return engine


def cli_actor(session: Session, org_slug: str | None) -> Actor:
    """The operator at the terminal acts for one organisation with full rights."""
    slug = org_slug or get_settings().default_org
    if slug:
        org = session.scalar(select(Organisation).where(Organisation.slug == slug))
        if org is None:
            raise NotFound(f"no organisation {slug!r}; create it with `tradecredit org create`")
    else:
        orgs = session.scalars(select(Organisation).limit(2)).all()
        if len(orgs) != 1:
            hint = "none exists yet" if not orgs else "there are several"
            raise NotFound(f"say which organisation with --org ({hint})")
        org = orgs[0]
    return Actor(org_id=org.id, name=f"cli:{_os_user()}", role=Role.ADMIN)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@contextmanager
def cli_session(org_slug: str | None = None) -> Iterator[tuple[Session, Actor]]:
    """A unit of work for one command, with errors printed plainly and a non-zero exit."""
    try:
        with unit_of_work(migrated_engine()) as session:
            yield session, cli_actor(session, org_slug)
    except BatchRejected:
        raise
    except TradecreditError as error:
        err_console.print(f"[bold red]error[/] ({error.code}): {error.message}")
        raise typer.Exit(code=2) from None
