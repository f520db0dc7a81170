"""`tradecredit ageing`: the ageing table, DSO and the FX rates used, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import typer
from rich.console import Console
from rich.table import Table

from tradecredit.analytics.dso import MAX_PERIOD_DAYS
from tradecredit.analytics.schemas import BUCKET_LABELS, BUCKETS, AgeingReport, AgeingRow
from tradecredit.analytics.service import ageing_report
from tradecredit.cli.common import OrgOption, cli_session, console


class Grouping(StrEnum):
    total = "total"
    buyer = "buyer"
    country = "country"
    sector = "sector"
    currency = "currency"


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


GROUP_TITLES = {
    "total": "",
    "buyer": "Buyer",
    "country": "Country",
    "sector": "Sector (NACE section)",
    "currency": "Currency",
}


def _amount(value: Decimal) -> str:
    return f"{value:,}"


def _share(share: Decimal | None) -> str:
    return "–" if share is None else f"{(share * 100).quantize(Decimal('0.01'))}%"


def _cells(row: AgeingRow) -> list[str]:
    amounts = [_amount(getattr(row, name)) for name in (*BUCKETS, "total")]
    return [row.label, *amounts, _share(row.share_over_120), str(row.open_invoices)]


def ageing_table(report: AgeingReport) -> Table:
    title = f"Ageing as of {report.as_of.isoformat()}"
    if report.by != "total":
        title += f" by {report.by}"
    table = Table(title=f"{title} ({report.currency})", title_justify="left")
    table.add_column(GROUP_TITLES[report.by] or "Portfolio")
    for name in (*BUCKETS, "total"):
        table.add_column(BUCKET_LABELS.get(name, "total"), justify="right")
    table.add_column("share >120", justify="right")
    table.add_column("invoices", justify="right")
    if report.by != "total":
        for row in report.rows:
            table.add_row(*_cells(row))
        if report.rows_omitted:
            table.add_row(f"… and {report.rows_omitted} more", style="dim")
        table.add_section()
    table.add_row(*_cells(report.totals), style="bold")
    return table


def _needed_width(table: Table) -> int:
    """Width at which no amount is cut: the widest cell of each column, plus borders/padding."""
    widths = [
        max([len(str(column.header)), *(len(str(cell)) for cell in column.cells)])
        for column in table.columns
    ]
    return sum(widths) + 3 * len(widths) + 1


def _print_table(report: AgeingReport) -> None:
    table = ageing_table(report)
    needed = _needed_width(table)
    out = console if console.width >= needed else Console(width=needed, file=console.file)
    out.print(table)
    dso = report.dso
    countback = "n/a" if dso.countback_days is None else f"{dso.countback_days} days"
    standard = "n/a" if dso.standard_days is None else f"{dso.standard_days} days"
    console.print(
        f"DSO countback: [bold]{countback}[/]   "
        f"DSO standard ({dso.standard_period_days}-day period): [bold]{standard}[/]"
    )
    console.print(dso.method, style="dim", markup=False)
    console.print(f"FX: {report.fx_note}", markup=False)


def _write_csv(report: AgeingReport) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["key", "label", *BUCKETS, "total", "share_over_120", "open_invoices"])
    for row in [*report.rows, report.totals]:
        amounts = [format(getattr(row, name), "f") for name in (*BUCKETS, "total")]
        share = "" if row.share_over_120 is None else format(row.share_over_120, "f")
        writer.writerow([row.key, row.label, *amounts, share, row.open_invoices])


def ageing_command(
    as_of: datetime = typer.Option(
        ..., "--as-of", formats=["%Y-%m-%d"], help="report date, YYYY-MM-DD"
    ),
    by: Grouping = typer.Option(Grouping.total, "--by", help="one row per ..."),
    currency: str | None = typer.Option(
        None, "--currency", help="report currency (default: the organisation's base currency)"
    ),
    dso_days: int = typer.Option(
        90, "--dso-days", min=1, max=MAX_PERIOD_DAYS, help="period of the standard DSO"
    ),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, json or csv"),
    top: int = typer.Option(20, "--top", min=1, help="rows shown in table format"),
    org: str | None = OrgOption,
) -> None:
    """Ageing of open receivables (buckets add up to the open balance), share over 120 days,
    DSO (countback and standard) and the FX rates used."""
    with cli_session(org) as (session, actor):
        report = ageing_report(
            session,
            actor=actor,
            as_of=as_of.date(),
            by=by.value,
            currency=currency,
            dso_period_days=dso_days,
            top=top if output is OutputFormat.table else None,
        )
    if output is OutputFormat.json:
        typer.echo(report.model_dump_json(indent=2))
    elif output is OutputFormat.csv:
        _write_csv(report)
    else:
        _print_table(report)
