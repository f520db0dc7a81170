"""`tradecredit import KIND FILE`: one subcommand per template. Exit 0 ok, 1 rejected, 2 error."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from sqlalchemy.exc import IntegrityError

from tradecredit.cli.common import OrgOption, cli_session, console, err_console
from tradecredit.imports.report import (
    SHOWN_PROBLEMS,
    problems_table,
    summary_table,
    write_report_csv,
)
from tradecredit.imports.service import import_file
from tradecredit.imports.templates import TEMPLATES, ImportKind
from tradecredit.kit.errors import BatchRejected, RowError

PROGRESS_THRESHOLD = 5000

import_app = typer.Typer(no_args_is_help=True)


class BarProgress:
    """A progress bar per phase, shown only for work of at least `threshold` steps."""

    def __init__(self, output: Console, threshold: int = PROGRESS_THRESHOLD) -> None:
        self._bars = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=output,
            transient=True,
        )
        self._threshold = threshold
        self._task: TaskID | None = None
        self._started = False

    def phase(self, name: str, total: int) -> None:
        self._task = None
        if total < self._threshold:
            return
        if not self._started:
            self._bars.start()
            self._started = True
        self._task = self._bars.add_task(name, total=total)

    def advance(self, steps: int) -> None:
        if self._task is not None:
            self._bars.advance(self._task, steps)

    def __enter__(self) -> BarProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._started:
            self._bars.stop()


def run_import(
    kind: ImportKind,
    file: Path,
    *,
    mapping: Path | None,
    dry_run: bool,
    report: Path | None,
    sheet: str | None,
    org: str | None,
) -> None:
    try:
        with cli_session(org) as (session, actor), BarProgress(err_console) as progress:
            result = import_file(
                session,
                actor=actor,
                kind=kind,
                path=file,
                mapping=mapping,
                dry_run=dry_run,
                sheet=sheet,
                progress=progress,
            )
    except BatchRejected as rejected:
        _show_rejection(rejected.errors, report)
        raise typer.Exit(code=1) from None
    except IntegrityError as error:
        err_console.print(
            "[bold red]error[/]: the database refused the import and nothing was written "
            f"(was the same data imported at the same time?): {error.orig}"
        )
        raise typer.Exit(code=2) from None
    _write_report([], report)
    console.print(summary_table(result))
    console.print(result.summary())


def _show_rejection(errors: list[RowError], report: Path | None) -> None:
    console.print(problems_table(errors))
    if len(errors) > SHOWN_PROBLEMS:
        hint = f"see {report}" if report else "write them all with --report FILE"
        console.print(f"... and {len(errors) - SHOWN_PROBLEMS} more problem(s); {hint}")
    _write_report(errors, report)
    console.print(f"rejected: {len(errors)} problem(s); nothing was written")


def _write_report(errors: list[RowError], report: Path | None) -> None:
    if report is None:
        return
    try:
        write_report_csv(errors, report)
    except OSError as error:
        err_console.print(f"[bold red]error[/]: cannot write the report {report}: {error}")
        raise typer.Exit(code=2) from None


def _register(kind: ImportKind) -> None:
    template = TEMPLATES[kind]
    columns = ", ".join(template.required)
    optional = ", ".join(template.optional)
    summary = f"Import {kind.value} from CSV or .xlsx (columns: {columns}"
    summary += f"; optional: {optional})." if optional else ")."

    @import_app.command(kind.value, help=summary)
    def command(
        file: Path = typer.Argument(
            ..., exists=True, dir_okay=False, readable=True, help="CSV (UTF-8) or .xlsx file"
        ),
        mapping: Path | None = typer.Option(
            None,
            "--mapping",
            exists=True,
            dir_okay=False,
            readable=True,
            help="column-mapping file (.toml or .yaml): headers, date_format, decimal_separator",
        ),
        dry_run: bool = typer.Option(
            False, "--dry-run", help="validate everything (database too) and write nothing"
        ),
        report: Path | None = typer.Option(
            None, "--report", dir_okay=False, help="write every problem to this CSV file"
        ),
        sheet: str | None = typer.Option(None, "--sheet", help="worksheet (default: the first)"),
        org: str | None = OrgOption,
    ) -> None:
        run_import(
            kind, file, mapping=mapping, dry_run=dry_run, report=report, sheet=sheet, org=org
        )


for _kind in ImportKind:
    _register(_kind)
