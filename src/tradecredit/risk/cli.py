"""`tradecredit risk`: import the OECD country risk files; show a country's or a sector's risk.

Exit codes: 0 done, 1 the file was rejected (every problem listed) or nothing is known for the
country on that date, 2 the command could not run (unreadable file, bad option, unknown code).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from tradecredit.cli.common import OrgOption, cli_session, console, err_console, migrated_engine
from tradecredit.db.engine import unit_of_work
from tradecredit.imports.report import problems_table
from tradecredit.kit.clock import get_clock
from tradecredit.kit.errors import BatchRejected, TradecreditError
from tradecredit.risk import service
from tradecredit.risk.oecd import SNAPSHOT_AS_OF, OecdFormat
from tradecredit.risk.schemas import CountryRisk, risk_country_name, validate_risk_country
from tradecredit.risk.sectors import sector_risk

risk_app = typer.Typer(no_args_is_help=True)
DAY = ["%Y-%m-%d"]
SourceOption = typer.Option(
    service.OECD_SOURCE, "--source", help="whose classification this is (stored with each row)"
)


@risk_app.command("import-oecd")
def import_oecd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="CSV file"),
    format: OecdFormat | None = typer.Option(
        None, "--format", help="file layout (default: told apart by the header)"
    ),
    as_of: datetime | None = typer.Option(
        None,
        "--as-of",
        formats=DAY,
        help=f"snapshot only: the date its classes are valid from (default {SNAPSHOT_AS_OF})",
    ),
    source: str = SourceOption,
    dry_run: bool = typer.Option(False, "--dry-run", help="check everything, write nothing"),
    org: str | None = OrgOption,
) -> None:
    """Import OECD country risk classifications (snapshot or historical CSV), all or nothing.

    Re-importing a file changes nothing: rows already stored are counted as unchanged.
    """
    try:
        with cli_session(org) as (session, actor):
            result = service.import_oecd_file(
                session,
                actor=actor,
                path=file,
                format=format,
                as_of=as_of.date() if as_of else None,
                source=source,
                dry_run=dry_run,
            )
    except BatchRejected as rejected:
        console.print(problems_table(rejected.errors))
        console.print(f"rejected: {len(rejected.errors)} problem(s); nothing was written")
        raise typer.Exit(code=1) from None
    console.print(("dry run, nothing written: " if dry_run else "imported: ") + result.summary())


@risk_app.command("country")
def country(
    code: str = typer.Argument(..., help="ISO 3166-1 alpha-2 country code, e.g. DE"),
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=DAY, help="the date to look at (default today)"
    ),
    history: bool = typer.Option(False, "--history", help="also list every change of class"),
    source: str = SourceOption,
) -> None:
    """The country risk class in force on a date (the latest review on or before it)."""
    day = as_of.date() if as_of else get_clock().today()
    with reference_session() as session:
        found = service.country_risk_as_of(session, country=code, as_of=day, source=source)
        reviews = service.country_risk_history(session, country=code, source=source)
    normalised = validate_risk_country(code)
    title = f"{normalised} {risk_country_name(normalised)}"
    if found is None:
        first = f" (the first is of {reviews[0].as_of})" if reviews else ""
        err_console.print(
            f"{title}: no {source} classification dated on or before {day} is stored{first}"
        )
    else:
        console.print(f"{title} on {day}: {describe(found)}")
    if history:
        changes = service.class_changes(reviews)
        console.print(f"{len(reviews)} review(s) stored, {len(changes)} with a new class:")
        console.print(history_table(changes))
    if found is None:
        raise typer.Exit(code=1)


def describe(risk: CountryRisk) -> str:
    if risk.not_classified:
        what = "not classified by the OECD (not the same as class 0)"
    else:
        what = f"OECD class {risk.oecd_class} of 0-7"
    return f"{what}; platform level {risk.risk_level}; from the review of {risk.as_of}"


def history_table(changes: list[CountryRisk]) -> Table:
    table = Table()
    for column in ("from review", "OECD class", "platform level"):
        table.add_column(column)
    for risk in changes:
        shown = "not classified" if risk.not_classified else str(risk.oecd_class)
        table.add_row(risk.as_of.isoformat(), shown, str(risk.risk_level))
    return table


@risk_app.command("sector")
def sector(code: str = typer.Argument(..., help="NACE rev. 2 code, e.g. C, C21 or G46.7")) -> None:
    """The risk level, review frequency and indicators of a NACE sector."""
    try:
        risk = sector_risk(code)
    except TradecreditError as error:
        err_console.print(f"[bold red]error[/] ({error.code}): {error.message}")
        raise typer.Exit(code=2) from None
    profile = f" / {risk.profile}" if risk.profile else ""
    console.print(f"{risk.code}: {risk.section_name}{profile} (table entry {risk.matched})")
    console.print(f"risk level {risk.risk_level} of 5, review {risk.review}")
    console.print(risk.rationale)
    for indicator in risk.indicators:
        console.print(f"- {indicator}")


@contextmanager
def reference_session() -> Iterator[Session]:
    """A read of reference data: no organisation needed; errors printed plainly, exit 2."""
    try:
        with unit_of_work(migrated_engine()) as session:
            yield session
    except TradecreditError as error:
        err_console.print(f"[bold red]error[/] ({error.code}): {error.message}")
        raise typer.Exit(code=2) from None
