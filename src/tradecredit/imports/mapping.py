"""The column-mapping file (TOML or YAML) and how a file's header maps to a template.

date_format = "%d.%m.%Y"        # strptime format of every date column (default ISO 8601)
decimal_separator = ","         # "." (default) or ","; with "," a thousands "." is dropped
ignore = ["Internal note"]      # source columns to leave out

[columns]                       # source header -> template column
"Rechnungsnummer" = "invoice_number"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from tradecredit.imports.errors import MappingInvalid
from tradecredit.imports.problems import HEADER_ROW, Problems
from tradecredit.imports.templates import Template

OPTIONS = ("columns", "date_format", "decimal_separator", "ignore")
DECIMAL_SEPARATORS = (".", ",")
_PROBE_DATE = date(2031, 12, 24)


@dataclass(frozen=True)
class ColumnMapping:
    columns: dict[str, str] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    date_format: str | None = None
    decimal_separator: str = "."


def load_mapping(path: Path, template: Template) -> ColumnMapping:
    return parse_mapping(_read_document(path), template=template, source=path.name)


def _read_document(path: Path) -> object:
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise MappingInvalid(f"mapping file {path.name}: cannot be read ({error})") from None
    if suffix == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise MappingInvalid(f"mapping file {path.name}: invalid TOML: {error}") from None
    if suffix in (".yaml", ".yml"):
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise MappingInvalid(f"mapping file {path.name}: invalid YAML: {error}") from None
    raise MappingInvalid(f"mapping file {path.name}: name must end in .toml, .yaml or .yml")


def parse_mapping(document: object, *, template: Template, source: str) -> ColumnMapping:
    if document is None:
        return ColumnMapping()
    if not isinstance(document, dict):
        raise MappingInvalid(f"mapping file {source}: expected a table of options at the top")
    unknown = sorted(str(key) for key in document if key not in OPTIONS)
    if unknown:
        raise MappingInvalid(
            f"mapping file {source}: unknown option {unknown[0]!r} "
            f"(the options are {', '.join(OPTIONS)})"
        )
    columns = _columns(document.get("columns", {}), template=template, source=source)
    ignore = _ignore(document.get("ignore", []), columns=columns, source=source)
    return ColumnMapping(
        columns=columns,
        ignore=ignore,
        date_format=_date_format(document.get("date_format"), source=source),
        decimal_separator=_decimal_separator(document.get("decimal_separator", "."), source),
    )


def _columns(raw: Any, *, template: Template, source: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise MappingInvalid(f"mapping file {source}: 'columns' must be a table header -> column")
    columns: dict[str, str] = {}
    targets: dict[str, str] = {}
    for header, target in raw.items():
        if not isinstance(target, str):
            raise MappingInvalid(
                f"mapping file {source}: columns.{header!s}: the target must be a column name, "
                f"got {target!r}"
            )
        if target not in template.columns:
            raise MappingInvalid(
                f"mapping file {source}: columns.{header!s}: unknown template column {target!r} "
                f"for {template.kind} (the columns are {', '.join(template.columns)})"
            )
        if target in targets:
            raise MappingInvalid(
                f"mapping file {source}: template column {target!r} is the target of both "
                f"{targets[target]!r} and {str(header)!r}"
            )
        targets[target] = str(header)
        columns[str(header).strip()] = target
    return columns


def _ignore(raw: Any, *, columns: dict[str, str], source: str) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise MappingInvalid(f"mapping file {source}: 'ignore' must be a list of column names")
    both = sorted({item.strip() for item in raw} & set(columns))
    if both:
        raise MappingInvalid(
            f"mapping file {source}: column {both[0]!r} is both mapped and ignored"
        )
    return frozenset(item.strip() for item in raw)


def _date_format(raw: Any, *, source: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or "%" not in raw:
        raise MappingInvalid(
            f"mapping file {source}: date_format {raw!r} is not a strptime format "
            "such as '%d.%m.%Y'"
        )
    try:
        round_trip = datetime.strptime(_PROBE_DATE.strftime(raw), raw).date()  # noqa: DTZ007
    except ValueError:
        round_trip = None
    if round_trip != _PROBE_DATE:
        raise MappingInvalid(
            f"mapping file {source}: date_format {raw!r} cannot carry a full date "
            "(it needs a day, a month and a year, e.g. '%d.%m.%Y')"
        )
    return raw


def _decimal_separator(raw: Any, source: str) -> str:
    if raw not in DECIMAL_SEPARATORS:
        raise MappingInvalid(f'mapping file {source}: decimal_separator {raw!r} must be "." or ","')
    return str(raw)


# --- header -> template ---------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Where each template column sits in the file's rows."""

    positions: dict[str, int]
    unnamed: frozenset[int] = frozenset()
    """Columns with an empty header cell: harmless while empty, a problem in a row with a value."""


def resolve_layout(
    headers: tuple[str, ...], *, template: Template, mapping: ColumnMapping, problems: Problems
) -> Layout:
    """Map each header to its template column; report unknown, doubled and missing columns."""
    positions: dict[str, int] = {}
    sources: dict[str, str] = {}
    seen: set[str] = set()
    unnamed = frozenset(index for index, header in enumerate(headers) if header == "")
    for index, header in enumerate(headers):
        if index in unnamed or _header_problem(index, header, seen, mapping, template, problems):
            continue
        target = mapping.columns.get(header, header)
        if target in positions:
            problems.add(
                HEADER_ROW,
                header,
                header,
                f"columns {sources[target]!r} and {header!r} both map to template column "
                f"{target!r}",
            )
            continue
        positions[target] = index
        sources[target] = header
        problems.labels[target] = header if header == target else f"{header} ({target})"
    for column in template.required:
        if column not in positions:
            problems.add(
                HEADER_ROW,
                column,
                None,
                f"missing required column {column!r} (no header is named so or mapped to it)",
            )
    return Layout(positions, unnamed)


def _header_problem(
    index: int,
    header: str,
    seen: set[str],
    mapping: ColumnMapping,
    template: Template,
    problems: Problems,
) -> bool:
    """True when the header cell is not a usable column (reported, or deliberately ignored)."""
    if header in seen:
        problems.add(HEADER_ROW, header, header, f"column {header!r} appears twice in the header")
        return True
    seen.add(header)
    if header in mapping.ignore:
        return True
    if header not in mapping.columns and header not in template.columns:
        problems.add(
            HEADER_ROW,
            header,
            header,
            f"unknown column {header!r}: not in the {template.kind} template "
            "(map it or list it under 'ignore' in a mapping file)",
        )
        return True
    return False
