from __future__ import annotations

from decimal import Decimal

import typer

from tradecredit.cli.common import cli_session, console, err_console, migrated_engine
from tradecredit.db.engine import unit_of_work
from tradecredit.kit.errors import TradecreditError
from tradecredit.organisations import service
from tradecredit.organisations.roles import Role

org_app = typer.Typer(no_args_is_help=True)


@org_app.command("create")
def org_create(
    slug: str = typer.Argument(..., help="short name, e.g. acme"),
    name: str = typer.Option(..., "--name"),
    kind: str = typer.Option("seller", "--kind", help="seller or insurer"),
    base_currency: str = typer.Option("EUR", "--currency", help="reporting currency"),
) -> None:
    """Create an organisation (a tenant)."""
    try:
        with unit_of_work(migrated_engine()) as session:
            org = service.create_organisation(
                session,
                slug=slug,
                name=name,
                kind=kind,
                base_currency=base_currency,
                actor_name="cli",
            )
            console.print(f"organisation {org.slug} created ({org.id})")
    except TradecreditError as error:
        err_console.print(f"[bold red]error[/] ({error.code}): {error.message}")
        raise typer.Exit(code=2) from None


@org_app.command("add-user")
def add_user(
    email: str = typer.Argument(...),
    name: str = typer.Option(..., "--name"),
    role: Role = typer.Option(Role.VIEWER, "--role"),
    authority: str | None = typer.Option(
        None, "--authority", help="approval authority, e.g. 50000"
    ),
    currency: str | None = typer.Option(None, "--currency"),
    org: str | None = typer.Option(None, "--org"),
) -> None:
    """Add a user with a role (and an approval authority where the role has one)."""
    with cli_session(org) as (session, actor):
        user = service.create_user(
            session,
            actor=actor,
            email=email,
            name=name,
            role=role,
            approval_authority=Decimal(authority) if authority else None,
            authority_currency=currency,
        )
        console.print(f"user {user.email} ({user.role}) created: {user.id}")


@org_app.command("issue-key")
def issue_key(
    email: str = typer.Argument(..., help="the user the key acts as"),
    name: str = typer.Option("default", "--name"),
    org: str | None = typer.Option(None, "--org"),
) -> None:
    """Issue an API key; it is printed once and never stored in clear."""
    from sqlalchemy import select

    from tradecredit.organisations.models import User

    with cli_session(org) as (session, actor):
        user = session.scalar(select(User).where(User.org_id == actor.org_id, User.email == email))
        if user is None:
            err_console.print(f"[bold red]error[/]: no user {email!r}")
            raise typer.Exit(code=2)
        issued = service.issue_api_key(session, actor=actor, user_id=user.id, name=name)
        console.print(issued.plaintext)
