"""Parsers for the OECD country risk classification files (pure: text in, rows or RowErrors out).

Two layouts (see docs/country-risk.md):
- snapshot: `country,iso3,crc,notes`, one row per country, all valid as of one date. A 0 there
  stands for class 0 *or* "not classified": the notes tell them apart (`NOT_CLASSIFIED_NOTES`).
- historical: one row per country (`#, ISO, country name`) and one column per review date
  (`01-Jan-99` ...); a cell holds the class or "-" for not classified.

Validation is all or nothing: every problem is collected as a `RowError` (header = row 1) and
one `BatchRejected` names them all.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import pycountry

from tradecredit.kit.errors import BatchRejected, InvalidInput, RowError

SNAPSHOT_AS_OF = date(2026, 1, 30)
"""The date the OECD's January 2026 classification list (oecd_crc_2026.csv) is valid from."""

NOT_CLASSIFIED_NOTES = frozenset({5, 6, 7, 8})
"""Footnotes of the snapshot file that mark a printed 0 as "not classified" (the OECD's "-").

Inferred from the data: every 0 carrying one of these notes is "-" in the OECD's own historical
series (2022-03), or joined the euro area since (Croatia, note 7); the one 0 without them
(Singapore) is a 0 there too. (6) = high-income OECD, (7) = euro area. Notes (2), (3), (4)
qualify a country's name and appear beside real classes (Kosovo 6).
"""

ISO3_ALIASES: dict[str, str] = {"XKV": "XK"}
"""Codes the OECD uses that ISO 3166 lacks -> the alpha-2 code stored. Kosovo has no ISO code;
XK is the user-assigned code the European Commission and most data providers use."""

MAX_CLASS = 7
SNAPSHOT_COLUMNS = ("country", "iso3", "crc", "notes")
HISTORICAL_ISO_COLUMN = 1
HISTORICAL_FIRST_DATE_COLUMN = 3
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CENTURY_PIVOT = 69
"""Two-digit years from 69 are 19xx, below it 20xx (the POSIX rule strptime follows)."""

_REVIEW_DATE = re.compile(r"^(\d{1,2})-([A-Za-z]{3})-(\d{2})$")
_NOTES = re.compile(r"^(?:\(\d+\)\s*)*$")
_NOTE = re.compile(r"\((\d+)\)")
_NOT_CLASSIFIED_CELL = re.compile(r"^-(?:\(?\d+\)?)?$")
"""`-`, or `-` with a footnote number glued on (`-3` is Israel's "-" + note 3 in the 2022 column)."""


class OecdFormat(StrEnum):
    SNAPSHOT = "snapshot"
    HISTORICAL = "historical"


@dataclass(frozen=True, slots=True)
class Classification:
    """One country's OECD class from the review of `as_of`; `oecd_class` is None when not classified."""

    country: str
    as_of: date
    oecd_class: int | None
    not_classified: bool


Numbered = list[tuple[int, list[str]]]


@dataclass
class Problems:
    """Every problem found in one file, in the order found; raised together as one rejection."""

    file: str
    found: list[RowError] = field(default_factory=list)

    def add(self, row: int, column: str, value: str, reason: str) -> None:
        self.found.append(RowError(self.file, row, column, value, reason))

    def raise_any(self) -> None:
        if self.found:
            raise BatchRejected(self.found)


def parse(
    name: str, text: str, *, format: OecdFormat | None = None, as_of: date | None = None
) -> tuple[OecdFormat, list[Classification]]:
    """Parse either layout (`format=None`: told apart by the header)."""
    rows = read_rows(name, text)
    header = rows[0][1] if rows else []
    chosen = format or detect_format(name, header)
    if chosen is OecdFormat.SNAPSHOT:
        return chosen, parse_snapshot(name, rows, as_of=as_of or SNAPSHOT_AS_OF)
    if as_of is not None:
        raise InvalidInput(
            f"{name}: an as-of date applies to the snapshot format only; "
            "the historical file dates each column"
        )
    return chosen, parse_historical(name, rows)


def read_rows(name: str, text: str) -> Numbered:
    """Rows numbered as a spreadsheet shows them (header = 1); blank lines skipped but counted."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        numbered = [
            (number, [cell.strip() for cell in record])
            for number, record in enumerate(reader, start=1)
        ]
    except csv.Error as error:
        raise InvalidInput(f"{name}: malformed CSV near line {reader.line_num}: {error}") from None
    rows = [(number, cells) for number, cells in numbered if any(cells)]
    if not rows:
        raise InvalidInput(f"{name}: the file is empty")
    return rows


def detect_format(name: str, header: list[str]) -> OecdFormat:
    lowered = [cell.lower() for cell in header]
    if set(SNAPSHOT_COLUMNS[:3]) <= set(lowered):
        return OecdFormat.SNAPSHOT
    if len(header) > HISTORICAL_FIRST_DATE_COLUMN and lowered[HISTORICAL_ISO_COLUMN] == "iso":
        return OecdFormat.HISTORICAL
    raise InvalidInput(
        f"{name}: cannot tell the layout from the header {','.join(header)!r}: expected "
        f"{','.join(SNAPSHOT_COLUMNS)!r} (snapshot) or '#,ISO,country name,01-Jan-99,...' "
        "(historical); name it with --format"
    )


# --- snapshot ---------------------------------------------------------------------------------


def parse_snapshot(name: str, rows: Numbered, *, as_of: date) -> list[Classification]:
    (_, header), body = rows[0], rows[1:]
    problems = Problems(name)
    position = _snapshot_columns(header, problems)
    problems.raise_any()
    found: list[Classification] = []
    seen: dict[str, int] = {}
    for number, cells in body:
        if len(cells) != len(header):
            _width_error(number, cells, len(header), problems)
            continue
        values = {column: cells[index] for column, index in position.items()}
        row = _snapshot_row(number, values, as_of, problems)
        if row is not None and _first_time(
            number, ("iso3", values["iso3"]), row.country, seen, problems
        ):
            found.append(row)
    problems.raise_any()
    return found


def _snapshot_columns(header: list[str], problems: Problems) -> dict[str, int]:
    lowered = [cell.lower() for cell in header]
    position = {}
    for column in SNAPSHOT_COLUMNS:
        if column in lowered:
            position[column] = lowered.index(column)
        else:
            reason = f"required column missing; the snapshot header is {','.join(SNAPSHOT_COLUMNS)}"
            problems.add(1, column, "", reason)
    return position


def _snapshot_row(
    number: int, values: dict[str, str], as_of: date, problems: Problems
) -> Classification | None:
    country = _country(number, "iso3", values["iso3"], problems)
    cell = _class_cell(number, "crc", values["crc"], problems)
    notes = _notes(number, values["notes"], problems)
    if country is None or cell is None or notes is None:
        return None
    oecd_class, not_classified = cell
    marked = sorted(notes & NOT_CLASSIFIED_NOTES)
    if marked and oecd_class == 0:
        return Classification(country, as_of, None, True)
    if marked and oecd_class is not None:
        reason = (
            f"class {oecd_class} contradicts note ({marked[0]}), which marks a country "
            "the OECD does not classify"
        )
        problems.add(number, "crc", values["crc"], reason)
        return None
    return Classification(country, as_of, oecd_class, not_classified)


def _notes(number: int, text: str, problems: Problems) -> set[int] | None:
    if not _NOTES.match(text):
        problems.add(number, "notes", text, "notes must be OECD footnote markers such as '(6) (7)'")
        return None
    return {int(marker) for marker in _NOTE.findall(text)}


# --- historical -------------------------------------------------------------------------------


def parse_historical(name: str, rows: Numbered) -> list[Classification]:
    (_, header), body = rows[0], rows[1:]
    problems = Problems(name)
    dates = _review_dates(header, problems)
    problems.raise_any()
    found: list[Classification] = []
    seen: dict[str, int] = {}
    for number, cells in body:
        if len(cells) != len(header):
            _width_error(number, cells, len(header), problems)
            continue
        code = cells[HISTORICAL_ISO_COLUMN]
        country = _country(number, "ISO", code, problems)
        classes = list(_history_cells(number, header, cells, dates, problems))
        if country is not None and _first_time(number, ("ISO", code), country, seen, problems):
            found += [Classification(country, day, c, flag) for day, (c, flag) in classes]
    problems.raise_any()
    return found


def _review_dates(header: list[str], problems: Problems) -> list[date]:
    if (
        len(header) <= HISTORICAL_FIRST_DATE_COLUMN
        or header[HISTORICAL_ISO_COLUMN].upper() != "ISO"
    ):
        reason = "the historical header is '#,ISO,country name' then one column per review date"
        problems.add(1, "(header)", ",".join(header), reason)
        return []
    dates: list[date] = []
    first_seen: dict[date, str] = {}
    for index in range(HISTORICAL_FIRST_DATE_COLUMN, len(header)):
        text, letter = header[index], column_letter(index)
        day = review_date(text)
        if day is None:
            reason = "not a review date: expected DD-Mon-YY such as '01-Jan-99'"
            problems.add(1, letter, text, reason)
            continue
        if day in first_seen:
            reason = f"review date {day} appears twice (also column {first_seen[day]})"
            problems.add(1, letter, text, reason)
        first_seen.setdefault(day, letter)
        dates.append(day)
    return dates


def review_date(text: str) -> date | None:
    """`01-Jan-99` -> 1999-01-01, whatever the process locale; two-digit years 69-99 are 19xx."""
    match = _REVIEW_DATE.match(text)
    month = match.group(2).title() if match else ""
    if match is None or month not in MONTHS:
        return None
    year = int(match.group(3))
    century = 1900 if year >= CENTURY_PIVOT else 2000
    try:
        return date(century + year, MONTHS.index(month) + 1, int(match.group(1)))
    except ValueError:
        return None


def _history_cells(
    number: int, header: list[str], cells: list[str], dates: list[date], problems: Problems
) -> Iterator[tuple[date, tuple[int | None, bool]]]:
    """(review date, (class, not classified)) per filled cell; a blank cell is no review."""
    for offset, day in enumerate(dates):
        index = HISTORICAL_FIRST_DATE_COLUMN + offset
        if cells[index] == "":
            continue
        cell = _class_cell(number, header[index], cells[index], problems)
        if cell is not None:
            yield day, cell


# --- cells shared by both layouts -------------------------------------------------------------


def _country(number: int, column: str, code: str, problems: Problems) -> str | None:
    alpha2 = alpha2_of(code)
    if alpha2 is None:
        problems.add(number, column, code, "unknown ISO 3166-1 alpha-3 country code")
    return alpha2


def alpha2_of(iso3: str) -> str | None:
    """The stored two-letter code for an OECD three-letter code, or None when unknown."""
    if iso3 in ISO3_ALIASES:
        return ISO3_ALIASES[iso3]
    if len(iso3) != 3 or not iso3.isalpha() or not iso3.isupper():
        return None
    found = pycountry.countries.get(alpha_3=iso3)
    return None if found is None else str(found.alpha_2)


def _class_cell(
    number: int, column: str, text: str, problems: Problems
) -> tuple[int | None, bool] | None:
    """(class, False) for 0-7, (None, True) for "-"; None after recording why it is neither."""
    if _NOT_CLASSIFIED_CELL.match(text):
        return None, True
    if text.isascii() and text.isdigit():
        value = int(text)
        if value <= MAX_CLASS:
            return value, False
        reason = f"class {value} is outside the OECD scale 0-{MAX_CLASS}"
    else:
        reason = (
            f"not an OECD class: expected a whole number 0-{MAX_CLASS}, or '-' for not classified"
        )
    problems.add(number, column, text, reason)
    return None


def _first_time(
    number: int, cell: tuple[str, str], country: str, seen: dict[str, int], problems: Problems
) -> bool:
    """False (and a problem) when an earlier row already gave this country."""
    if country in seen:
        column, code = cell
        problems.add(
            number, column, code, f"country {country} appears twice (also row {seen[country]})"
        )
        return False
    seen[country] = number
    return True


def _width_error(number: int, cells: list[str], expected: int, problems: Problems) -> None:
    reason = f"expected {expected} values like the header, found {len(cells)}"
    problems.add(number, "(row)", ",".join(cells), reason)


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based index: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
