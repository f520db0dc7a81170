"""The validation report (a Rich table and a CSV file) and the summary of an accepted file."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from rich.table import Table

from tradecredit.imports.schemas import ImportResult
from tradecredit.kit.errors import RowError

REPORT_COLUMNS = ("file", "row", "column", "value", "reason")
SHOWN_PROBLEMS = 50


def write_report_csv(errors: Sequence[RowError], path: Path) -> None:
    """Every problem, one per line (UTF-8 with a BOM so that spreadsheets read it right)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_COLUMNS)
        for error in errors:
            writer.writerow([error.file, error.row, error.column, error.value, error.reason])


def problems_table(errors: Sequence[RowError], *, limit: int = SHOWN_PROBLEMS) -> Table:
    shown = errors[:limit]
    title = f"{len(errors)} problem(s) found; nothing was written"
    if len(errors) > limit:
        title += f" (first {limit} shown)"
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("file")
    table.add_column("row", justify="right")
    table.add_column("column")
    table.add_column("value", overflow="fold")
    table.add_column("reason", overflow="fold")
    for error in shown:
        table.add_row(error.file, str(error.row), error.column, error.value, error.reason)
    return table


def summary_table(result: ImportResult) -> Table:
    title = "dry run (nothing written)" if result.dry_run else "import completed"
    table = Table(title=f"{result.kind}: {title}", title_justify="left")
    for column in ("file", "rows", "created", "updated", "unchanged"):
        table.add_column(column, justify="left" if column == "file" else "right")
    counts = (result.rows, result.created, result.updated, result.unchanged)
    table.add_row(result.file, *(str(count) for count in counts))
    return table
