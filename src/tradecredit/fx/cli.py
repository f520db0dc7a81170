"""`tradecredit fx`: record one dated rate, list the stored rates. Files go through
`tradecredit import fx-rates`."""

from __future__ import annotations

from datetime import date, datetime

import typer
from pydantic import ValidationError
from rich.table import Table

from tradecredit.cli.common import OrgOption, cli_session, console, err_console
from tradecredit.fx import service
from tradecredit.fx.schemas import FxRateCreate
from tradecredit.kit.dates import DateRange

fx_app = typer.Typer(no_args_is_help=True)
DAY = ["%Y-%m-%d"]


@fx_app.command("add")
def add(
    rate_date: datetime = typer.Argument(..., formats=DAY, help="YYYY-MM-DD"),
    base: str = typer.Argument(..., help="base currency, e.g. EUR"),
    quote: str = typer.Argument(..., help="quote currency, e.g. USD"),
    rate: str = typer.Argument(..., help="units of quote per unit of base, e.g. 1.0850"),
    org: str | None = OrgOption,
) -> None:
    """Record that on RATE_DATE one BASE bought RATE QUOTE."""
    try:
        data = FxRateCreate(
            rate_date=rate_date.date(), base_currency=base, quote_currency=quote, rate=rate
        )
    except ValidationError as error:
        for problem in error.errors():
            field = ".".join(str(part) for part in problem["loc"]) or "rate"
            reason = str(problem["msg"]).removeprefix("Value error, ")
            err_console.print(f"[bold red]error[/]: {field}: {reason}")
        raise typer.Exit(code=2) from None
    with cli_session(org) as (session, actor):
        stored = service.add_rate(session, actor=actor, data=data)
        console.print(
            f"{stored.rate_date.isoformat()}: 1 {stored.base_currency} = {stored.rate} "
            f"{stored.quote_currency} ({stored.id})"
        )


@fx_app.command("list")
def list_rates(
    start: datetime | None = typer.Option(None, "--from", formats=DAY, help="first date included"),
    end: datetime | None = typer.Option(None, "--to", formats=DAY, help="first date excluded"),
    currency: str | None = typer.Option(None, "--currency", help="pairs involving this currency"),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    org: str | None = OrgOption,
) -> None:
    """Stored rates, newest first."""
    with cli_session(org) as (session, actor):
        dates = None
        if start or end:
            first = start.date() if start else date.min
            dates = DateRange(first, end.date() if end else date.max)
        code = currency.strip().upper() if currency else None
        rates = service.list_rates(session, actor=actor, dates=dates, currency=code, limit=limit)
        table = Table("date", "base", "quote", "rate")
        for rate in rates:
            table.add_row(
                rate.rate_date.isoformat(), rate.base_currency, rate.quote_currency, str(rate.rate)
            )
        console.print(table)
