from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import select

from tradecredit.audit.models import AuditEvent
from tradecredit.audit.service import verify_chain
from tradecredit.cli.common import OrgOption, cli_session, console, err_console
from tradecredit.organisations.models import Organisation

audit_app = typer.Typer(no_args_is_help=True)


@audit_app.command("verify")
def verify(
    org: str | None = OrgOption,
    all_orgs: bool = typer.Option(False, "--all", help="verify every organisation's chain"),
) -> None:
    """Recompute the hash chain and report the first broken link (exit 1 if any)."""
    with cli_session(None if all_orgs else org) as (session, actor):
        org_ids = (
            list(session.scalars(select(Organisation.id).order_by(Organisation.slug)))
            if all_orgs
            else [actor.org_id]
        )
        broken = 0
        for org_id in org_ids:
            report = verify_chain(session, org_id=org_id)
            if report.ok:
                console.print(
                    f"[green]ok[/] {org_id}: {report.events_checked} events, chain intact"
                )
            else:
                broken += 1
                err_console.print(
                    f"[bold red]BROKEN[/] after {report.events_checked} good events: {report.broken}"
                )
    if broken:
        raise typer.Exit(code=1)


@audit_app.command("log")
def log(
    org: str | None = OrgOption,
    entity_id: str | None = typer.Option(None, "--entity", help="only events about this id"),
    limit: int = typer.Option(30, "--limit", min=1, max=10_000),
) -> None:
    """Show the most recent audit events."""
    with cli_session(org) as (session, actor):
        query = select(AuditEvent).where(AuditEvent.org_id == actor.org_id)
        if entity_id:
            query = query.where(AuditEvent.entity_id == entity_id)
        events = session.scalars(query.order_by(AuditEvent.seq.desc()).limit(limit)).all()
        table = Table("#", "when (UTC)", "actor", "action", "entity", "hash")
        for event in events:
            table.add_row(
                str(event.seq),
                event.occurred_at.strftime("%Y-%m-%d %H:%M:%S"),
                event.actor,
                event.action,
                f"{event.entity_type} {event.entity_id or ''}",
                event.hash[:12],
            )
        console.print(table)
