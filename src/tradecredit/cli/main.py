"""`tradecredit`: every command, grouped. Each domain's `cli.py` contributes its own."""

from __future__ import annotations

import typer

from tradecredit import __version__
from tradecredit.analytics.cli import ageing_command
from tradecredit.audit.cli import audit_app
from tradecredit.cli.db import db_app
from tradecredit.cli.org import org_app
from tradecredit.cli.serve import serve
from tradecredit.decisions.cli import decisions_app
from tradecredit.demo.cli import demo_command
from tradecredit.exposure.cli import exposure_command
from tradecredit.fx.cli import fx_app
from tradecredit.gates.cli import gates_app
from tradecredit.imports.cli import import_app
from tradecredit.limits.cli import limits_app
from tradecredit.reports.cli import report_app
from tradecredit.risk.cli import risk_app
from tradecredit.scoring.cli import model_app
from tradecredit.scoring.score_cli import score_command

app = typer.Typer(
    name="tradecredit",
    help="Trade-credit risk platform: ledger, imports, ageing, API.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(db_app, name="db", help="Database schema.", rich_help_panel="Platform")
app.add_typer(
    org_app, name="org", help="Organisations, users and API keys.", rich_help_panel="Platform"
)
app.add_typer(
    audit_app, name="audit", help="The hash-chained audit trail.", rich_help_panel="Platform"
)
app.command("serve", rich_help_panel="Platform")(serve)
app.command("demo", rich_help_panel="Main job")(demo_command)
app.command("ageing", rich_help_panel="Analytics")(ageing_command)
app.command("exposure", rich_help_panel="Analytics")(exposure_command)
app.add_typer(fx_app, name="fx", help="Dated FX rates.", rich_help_panel="Ledger")
app.add_typer(
    import_app,
    name="import",
    help="Import from CSV or Excel, all or nothing.",
    rich_help_panel="Ledger",
)
app.add_typer(
    model_app,
    name="model",
    help="Train, evaluate and apply a PD model.",
    rich_help_panel="Scoring",
)
app.command("score", rich_help_panel="Scoring")(score_command)
app.add_typer(risk_app, name="risk", help="Country and sector risk.", rich_help_panel="Scoring")
app.add_typer(
    limits_app,
    name="limits",
    help="Credit policy, recommended limits, limit requests and decisions, reviews.",
    rich_help_panel="Limits",
)
app.add_typer(
    decisions_app,
    name="decisions",
    help="Instant checkout credit decisions (buy now, pay later).",
    rich_help_panel="Limits",
)
app.add_typer(
    gates_app,
    name="gates",
    help="Credit gates at quote, order, delivery and invoice; the hold queue.",
    rich_help_panel="Limits",
)
app.add_typer(
    report_app, name="report", help="Credit reports (HTML, PDF; en, zh).", rich_help_panel="Scoring"
)


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
