"""Row by row: turn cells into the schema's input, validate, and name each problem's column."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from tradecredit.imports.mapping import ColumnMapping, Layout
from tradecredit.imports.problems import Problems, ValidRow
from tradecredit.imports.reader import Cell, Table, cell_text
from tradecredit.imports.templates import Template
from tradecredit.kit.dates import parse_date
from tradecredit.kit.errors import InvalidInput, PrecisionExceeded
from tradecredit.kit.money import to_minor

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
) -> list[ValidRow]:
    valid: list[ValidRow] = []
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
        data = validate_row(
            number, row_cells, template=template, mapping=mapping, problems=problems
        )
        if data is not None:
            valid.append(ValidRow(number, row_cells, data))
        if progress and index % PROGRESS_STEP == 0:
            progress.advance(PROGRESS_STEP)
    if progress:
        progress.advance(len(table.rows) % PROGRESS_STEP)
    return valid


def validate_row(
    number: int,
    cells: dict[str, Cell],
    *,
    template: Template,
    mapping: ColumnMapping,
    problems: Problems,
) -> BaseModel | None:
    payload: dict[str, Any] = {}
    failed: set[str] = set()
    for column, cell in cells.items():
        try:
            payload[column] = convert_cell(column, cell, template=template, mapping=mapping)
        except CellProblem as problem:
            problems.add(number, column, cell, str(problem))
            failed.add(column)
    try:
        data = template.schema.model_validate(payload)
    except ValidationError as error:
        for detail in error.errors():
            column = error_column(detail, template)
            if column not in failed:
                problems.add(number, column, cells.get(column), error_reason(detail))
        return None
    if failed or not _within_precision(number, data, cells, template, problems):
        return None
    return data


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


def _within_precision(
    number: int, data: BaseModel, cells: dict[str, Cell], template: Template, problems: Problems
) -> bool:
    fine = True
    for amount_column, currency_column in template.money:
        amount, currency = getattr(data, amount_column), getattr(data, currency_column)
        if amount is None or currency is None:
            continue
        try:
            to_minor(amount, currency)
        except PrecisionExceeded as error:
            problems.add(number, amount_column, cells.get(amount_column), error.message)
            fine = False
    return fine
