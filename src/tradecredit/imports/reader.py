"""Read a CSV or .xlsx file into a header and numbered rows of cells.

Row numbers are the ones the user sees in a spreadsheet: the header is row 1. Blank rows are
skipped but still counted, so a number always points at the right line of the file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from tradecredit.imports.errors import ImportFileUnreadable

Cell = str | Decimal | date
"""Text from a CSV; from Excel also exact numbers and real dates, so no locale re-parsing."""

CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Table:
    file: str
    headers: tuple[str, ...]
    rows: list[tuple[int, tuple[Cell, ...]]]


def read_table(path: Path, content: bytes, *, sheet: str | None = None) -> Table:
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return read_xlsx(path.name, content, sheet=sheet)
    if sheet is not None:
        raise ImportFileUnreadable(f"{path.name}: --sheet applies to Excel (.xlsx) files only")
    if suffix in CSV_SUFFIXES:
        return read_csv(path.name, content)
    raise ImportFileUnreadable(
        f"{path.name}: unsupported file type {suffix or '(none)'!r}; "
        "save it as CSV UTF-8 (.csv) or Excel workbook (.xlsx)"
    )


def cell_text(cell: Cell) -> str:
    if isinstance(cell, Decimal):
        return format(cell, "f")
    if isinstance(cell, date):
        return cell.isoformat()
    return cell


def is_blank(cells: tuple[Cell, ...]) -> bool:
    return all(cell == "" for cell in cells)


# --- CSV ------------------------------------------------------------------------------------


def read_csv(name: str, content: bytes) -> Table:
    text = _decode(name, content)
    delimiter = sniff_delimiter(text)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        numbered: list[tuple[int, tuple[Cell, ...]]] = [
            (number, tuple(value.strip() for value in record))
            for number, record in enumerate(records, start=1)
        ]
    except csv.Error as error:
        raise ImportFileUnreadable(
            f"{name}: malformed CSV near line {records.line_num}: {error}"
        ) from None
    return _table(name, numbered)


def _decode(name: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileUnreadable(
            f"{name}: not UTF-8 text (byte 0x{content[error.start]:02x} at offset {error.start}); "
            "save it as 'CSV UTF-8'"
        ) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter (`,` `;` or tab) that splits the header line into the most columns."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(next(csv.reader([header], delimiter=d), [])) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: counts[d])


# --- Excel ----------------------------------------------------------------------------------


def read_xlsx(name: str, content: bytes, *, sheet: str | None) -> Table:
    import openpyxl  # 0.1 s to import: only Excel files need it, not every CLI start
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileUnreadable(f"{name}: not a readable .xlsx workbook ({error})") from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise ImportFileUnreadable(
                f"{name}: no sheet {sheet!r}; the sheets are {', '.join(workbook.sheetnames)}"
            )
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        numbered = [
            (number, tuple(excel_cell(value) for value in values))
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()
    return _table(name, numbered)


def excel_cell(value: object) -> Cell:
    """Excel keeps numbers as binary doubles; the shortest decimal text that round-trips
    (`repr`) is the number as Excel displays and stored it, so it is taken exactly as that."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, datetime):
        if value.time() == datetime.min.time():
            return value.date()
        return value.isoformat()
    if isinstance(value, date):
        return value
    return str(value).strip()


# --- shared ---------------------------------------------------------------------------------


def _table(name: str, numbered: Sequence[tuple[int, tuple[Cell, ...]]]) -> Table:
    content = [(number, cells) for number, cells in numbered if not is_blank(cells)]
    if not content:
        raise ImportFileUnreadable(f"{name}: the file is empty (no header row)")
    _, header_cells = content[0]
    headers = [cell_text(cell) for cell in header_cells]
    while headers and headers[-1] == "":
        headers.pop()
    return Table(file=name, headers=tuple(headers), rows=content[1:])
