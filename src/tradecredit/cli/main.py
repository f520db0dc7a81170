"""`tradecredit`: every command, grouped. Each domain's `cli.py` contributes its own."""

from __future__ import annotations

import typer

from tradecredit import __version__
from tradecredit.audit.cli import audit_app
from tradecredit.cli.db import db_app
from tradecredit.cli.org import org_app

app = typer.Typer(
    name="tradecredit",
    help="Trade-credit risk platform: ledger, imports, ageing, API.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(db_app, name="db", help="Database schema.", rich_help_panel="Platform")
app.add_typer(org_app, name="org", help="Organisations, users and API keys.", rich_help_panel="Platform")
app.add_typer(audit_app, name="audit", help="The hash-chained audit trail.", rich_help_panel="Platform")


def _version(show: bool) -> None:
    if show:
        typer.echo(f"tradecredit {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    """Trade-credit risk platform."""


if __name__ == "__main__":
    app()
