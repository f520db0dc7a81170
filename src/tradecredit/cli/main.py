"""`tradecredit`: every command, grouped. Each domain's `cli.py` contributes its own.

A command's module is imported when the command runs (or when help lists it), not at start-up:
importing every domain's command tree (pydantic models, tables, polars, the scoring stack) took
most of a second longer than importing the one a command needs."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperGroup

from tradecredit import __version__


@dataclass(frozen=True)
class _Entry:
    """A command (a function) or a group of commands (a `typer.Typer`) in `module`."""

    module: str
    attribute: str
    panel: str
    help: str | None = None

    def load(self, name: str) -> Any:
        target = getattr(importlib.import_module(self.module), self.attribute)
        holder = typer.Typer()
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=name, help=self.help, rich_help_panel=self.panel)
        else:
            holder.command(name, rich_help_panel=self.panel)(target)
            holder.callback()(_no_options)
        return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]


def _no_options() -> None:
    """A holder group, so that a lone command keeps its name."""


_COMMANDS: dict[str, _Entry] = {
    "db": _Entry("tradecredit.cli.db", "db_app", "Platform", "Database schema."),
    "org": _Entry(
        "tradecredit.cli.org", "org_app", "Platform", "Organisations, users and API keys."
    ),
    "audit": _Entry(
        "tradecredit.audit.cli", "audit_app", "Platform", "The hash-chained audit trail."
    ),
    "serve": _Entry("tradecredit.cli.serve", "serve", "Platform"),
    "demo": _Entry("tradecredit.demo.cli", "demo_command", "Main job"),
    "ageing": _Entry("tradecredit.analytics.cli", "ageing_command", "Analytics"),
    "exposure": _Entry("tradecredit.exposure.cli", "exposure_command", "Analytics"),
    "fx": _Entry("tradecredit.fx.cli", "fx_app", "Ledger", "Dated FX rates."),
    "import": _Entry(
        "tradecredit.imports.cli",
        "import_app",
        "Ledger",
        "Import from CSV or Excel, all or nothing.",
    ),
    "model": _Entry(
        "tradecredit.scoring.cli", "model_app", "Scoring", "Train, evaluate and apply a PD model."
    ),
    "score": _Entry("tradecredit.scoring.score_cli", "score_command", "Scoring"),
    "risk": _Entry("tradecredit.risk.cli", "risk_app", "Scoring", "Country and sector risk."),
    "limits": _Entry(
        "tradecredit.limits.cli",
        "limits_app",
        "Limits",
        "Credit policy, recommended limits, limit requests and decisions, reviews.",
    ),
    "decisions": _Entry(
        "tradecredit.decisions.cli",
        "decisions_app",
        "Limits",
        "Instant checkout credit decisions (buy now, pay later).",
    ),
    "gates": _Entry(
        "tradecredit.gates.cli",
        "gates_app",
        "Limits",
        "Credit gates at quote, order, delivery and invoice; the hold queue.",
    ),
    "report": _Entry(
        "tradecredit.reports.cli", "report_app", "Scoring", "Credit reports (HTML, PDF; en, zh)."
    ),
}


class _LazyGroup(TyperGroup):
    """The root group: each command of `_COMMANDS` is loaded the first time it is asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.commands, *(name for name in _COMMANDS if name not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = self.commands.get(cmd_name)
        if found is None and cmd_name in _COMMANDS:
            found = self.commands[cmd_name] = _COMMANDS[cmd_name].load(cmd_name)
        return found


app = typer.Typer(
    name="tradecredit",
    help="Trade-credit risk platform: ledger, imports, ageing, API.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    cls=_LazyGroup,
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
