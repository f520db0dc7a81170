"""Row by row: turn cells into the schema's input, validate, and name each problem's column."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, Protocol

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from tradecredit.imports.mapping import ColumnMapping, Layout
from tradecredit.imports.problems import Problems, Row
from tradecredit.imports.reader import Cell, Table, cell_text
from tradecredit.imports.rules import row_problems
from tradecredit.imports.templates import Template
from tradecredit.kit.dates import parse_date
from tradecredit.kit.errors import InvalidInput

PROGRESS_STEP = 1000
_DOT_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
_COMMA_DECIMAL = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")


class Progress(Protocol):
    """Where long work reports how far it got; the CLI shows a bar, the API nothing."""

    def phase(self, name: str, total: int) -> None: ...

    def advance(self, steps: int) -> None: ...


class CellProblem(ValueError):
    pass


def validate_rows(
    table: Table,
    *,
    layout: Layout,
    template: Template,
    mapping: ColumnMapping,
    problems: Problems,
    progress: Progress | None = None,
) -> list[Row]:
    """Every row the schema could read, valid or not: later checks run on its readable values.

    A row with values in columns without a header is left out: its cells may be shifted."""
    rows: list[Row] = []
    width, unnamed = len(table.headers), layout.unnamed
    if progress:
        progress.phase("validating", len(table.rows))
    for index, (number, cells) in enumerate(table.rows, start=1):
        stray = [i for i, cell in enumerate(cells) if cell != "" and (i >= width or i in unnamed)]
        if stray:
            problems.add(
                number,
                f"#{stray[0] + 1}",
                "; ".join(cell_text(cells[i]) for i in stray),
                f"values in columns without a header: {', '.join(f'#{i + 1}' for i in stray)}",
            )
            continue
        row_cells = {
            column: cells[position]
            for column, position in layout.positions.items()
            if position < len(cells) and cells[position] != ""
        }
        rows.append(
            validate_row(number, row_cells, template=template, mapping=mapping, problems=problems)
        )
        if progress and index % PROGRESS_STEP == 0:
            progress.advance(PROGRESS_STEP)
    if progress:
        progress.advance(len(table.rows) % PROGRESS_STEP)
    return rows


def validate_row(
    number: int,
    cells: dict[str, Cell],
    *,
    template: Template,
    mapping: ColumnMapping,
    problems: Problems,
) -> Row:
    """Report every problem of the row's own values; `Row.data` is set only when there is none."""
    before = len(problems)
    payload, unreadable = _convert_cells(number, cells, template, mapping, problems)
    data, invalid = _apply_schema(number, payload, cells, template, problems, unreadable)
    unreadable |= invalid
    if data is not None:
        values = {c: getattr(data, c) for c in template.columns if c not in unreadable}
    else:
        values = readable_values(template.schema, payload, unreadable)
    for column, reason in row_problems(template.kind, values, schema_passed=data is not None):
        problems.add(number, column, cells.get(column), reason)
    clean = len(problems) == before
    return Row(number, cells, values, data if clean else None)


def _convert_cells(
    number: int,
    cells: dict[str, Cell],
    template: Template,
    mapping: ColumnMapping,
    problems: Problems,
) -> tuple[dict[str, Any], set[str]]:
    payload: dict[str, Any] = {}
    failed: set[str] = set()
    for column, cell in cells.items():
        try:
            payload[column] = convert_cell(column, cell, template=template, mapping=mapping)
        except CellProblem as problem:
            problems.add(number, column, cell, str(problem))
            failed.add(column)
    return payload, failed


def _apply_schema(
    number: int,
    payload: dict[str, Any],
    cells: dict[str, Cell],
    template: Template,
    problems: Problems,
    failed: set[str],
) -> tuple[BaseModel | None, set[str]]:
    """The model, or None and the columns whose own value the schema refused.

    A whole-model error (from a model validator) leaves its columns readable."""
    try:
        return template.schema.model_validate(payload), set()
    except ValidationError as error:
        invalid: set[str] = set()
        for detail in error.errors():
            column = error_column(detail, template)
            if detail["loc"]:
                invalid.add(column)
            if column not in failed:
                problems.add(number, column, cells.get(column), error_reason(detail))
        return None, invalid


def readable_values(
    schema: type[BaseModel], payload: dict[str, Any], unreadable: set[str]
) -> dict[str, Any]:
    """Each field the schema accepts on its own, validated alone; an absent optional field
    takes its default. Only for rows the whole schema refused, so the cost is theirs."""
    values: dict[str, Any] = {}
    for column, field in schema.model_fields.items():
        if column in unreadable:
            continue
        if column in payload:
            try:
                values[column] = _field_adapter(schema, column).validate_python(payload[column])
            except ValidationError:
                continue
        elif not field.is_required():
            values[column] = field.get_default(call_default_factory=True)
    return values


@cache
def _field_adapter(schema: type[BaseModel], column: str) -> TypeAdapter[Any]:
    return TypeAdapter(schema.model_fields[column].rebuild_annotation())


def convert_cell(column: str, cell: Cell, *, template: Template, mapping: ColumnMapping) -> Any:
    if column in template.dates:
        return parse_date_cell(cell, mapping.date_format)
    if column in template.decimals:
        return parse_decimal_cell(cell, mapping.decimal_separator)
    return cell_text(cell)


def parse_date_cell(cell: Cell, date_format: str | None) -> date:
    if isinstance(cell, date):
        return cell
    try:
        return parse_date(cell_text(cell), date_format)
    except InvalidInput as error:
        raise CellProblem(error.message) from None


def parse_decimal_cell(cell: Cell, separator: str) -> Decimal:
    if isinstance(cell, Decimal):
        return cell
    text = cell_text(cell).replace(" ", "").replace("\u00a0", "")
    if separator == ",":
        if not _COMMA_DECIMAL.match(text):
            raise CellProblem(
                f"unparseable amount {cell_text(cell)!r} (expected a decimal with ',' such as "
                "1.234,50)"
            )
        text = text.replace(".", "").replace(",", ".")
    elif not _DOT_DECIMAL.match(text):
        raise CellProblem(
            f"unparseable amount {cell_text(cell)!r} (expected a decimal with '.' such as 1234.50)"
        )
    return Decimal(text)


def error_column(detail: ErrorDetails, template: Template) -> str:
    """The field of a field error; for a whole-model error, the first column its message names."""
    if detail["loc"]:
        return str(detail["loc"][0])
    message = detail["msg"]
    found = [
        (match.start(), column)
        for column in template.columns
        for pattern in (column, column.replace("_", " "))
        if (match := re.search(rf"\b{re.escape(pattern)}\b", message))
    ]
    return min(found)[1] if found else ""


def error_reason(detail: ErrorDetails) -> str:
    if detail["type"] == "missing":
        return "required value is empty"
    return detail["msg"].removeprefix("Value error, ")
