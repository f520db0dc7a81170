"""`tradecredit exposure`: exposure per buyer or per group (or one company's), as a table or JSON."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

import typer
from rich.table import Table

from tradecredit.cli.common import OrgOption, cli_session, console
from tradecredit.exposure import report
from tradecredit.exposure.schemas import (
    Amounts,
    BuyerExposureOut,
    CompanyExposure,
    ExposureList,
    GroupExposure,
    GroupExposureOut,
)

Answer = ExposureList | GroupExposure | CompanyExposure


class Grouping(StrEnum):
    buyer = "buyer"
    group = "group"


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


COLUMNS = ("open_invoices", "uninvoiced_orders", "uninvoiced_deliveries", "total")


def _cells(label: str, amounts: Amounts) -> list[str]:
    return [label, *(f"{getattr(amounts, name):,}" for name in COLUMNS)]


def _label(row: BuyerExposureOut | GroupExposureOut) -> str:
    name = f"{row.name} ({row.registration_number}, {row.country})"
    return f"{name}, {row.members} companies" if isinstance(row, GroupExposureOut) else name


def _table(title: str, rows: Sequence[tuple[str, Amounts]], totals: Amounts | None) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("Buyer")
    for name in COLUMNS:
        table.add_column(name.replace("_", " "), justify="right")
    for label, amounts in rows:
        table.add_row(*_cells(label, amounts))
    if totals is not None:
        table.add_section()
        table.add_row(*_cells("Total", totals), style="bold")
    return table


def exposure_command(
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"], help="date, YYYY-MM-DD (default: today)"
    ),
    currency: str | None = typer.Option(
        None, "--currency", help="currency of the amounts (default: the organisation's)"
    ),
    by: Grouping = typer.Option(Grouping.buyer, "--by", help="one row per buyer or per group"),
    company: uuid.UUID | None = typer.Option(
        None, "--company", help="only this company (with --by group: its whole group)"
    ),
    limit: int = typer.Option(50, "--limit", min=1, max=500, help="rows shown, largest first"),
    offset: int = typer.Option(0, "--offset", min=0, help="rows skipped"),
    output: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json"),
    org: str | None = OrgOption,
) -> None:
    """Open invoices + uninvoiced orders + uninvoiced deliveries, per buyer or per group,
    converted at the latest FX rate on or before the date."""
    day = None if as_of is None else as_of.date()
    answer: Answer
    with cli_session(org) as (session, actor):
        if company is None:
            answer = report.exposure_list(
                session,
                actor=actor,
                as_of=day,
                currency=currency,
                by=by.value,
                limit=limit,
                offset=offset,
            )
        elif by is Grouping.group:
            answer = report.group_exposure(
                session, actor=actor, company_id=company, as_of=day, currency=currency
            )
        else:
            answer = report.company_exposure(
                session, actor=actor, company_id=company, as_of=day, currency=currency
            )
    if output is OutputFormat.json:
        typer.echo(answer.model_dump_json(indent=2))
    else:
        _print(answer)


def _print(answer: Answer) -> None:
    if isinstance(answer, ExposureList):
        title = f"Exposure by {answer.by} as of {answer.as_of.isoformat()} ({answer.currency})"
        console.print(_table(title, [(_label(row), row) for row in answer.items], answer.totals))
        if answer.next_offset is not None:
            console.print(f"… more rows: --offset {answer.next_offset}", style="dim")
    elif isinstance(answer, GroupExposure):
        title = f"Group exposure as of {answer.as_of.isoformat()} ({answer.currency})"
        rows = [(_label(member), member) for member in answer.members]
        console.print(_table(title, rows, answer.group))
    else:
        title = f"Exposure as of {answer.as_of.isoformat()} ({answer.currency})"
        console.print(_table(title, [(_label(answer.exposure), answer.exposure)], None))
    console.print(f"FX: {answer.fx_note}", markup=False)
