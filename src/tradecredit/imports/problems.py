"""Problems found in a file, collected as `RowError` values, and the rows that passed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tradecredit.imports.reader import Cell, cell_text
from tradecredit.kit.errors import RowError

HEADER_ROW = 1


@dataclass(frozen=True)
class ValidRow:
    """A row whose cells passed the schema. `cells` are keyed by template column."""

    number: int
    cells: Mapping[str, Cell]
    data: Any


class Problems:
    """Every problem of one file. Columns are named as the user's header names them."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.labels: dict[str, str] = {}
        self.errors: list[RowError] = []

    def add(self, row: int, column: str, value: Cell | None, reason: str) -> None:
        label = self.labels.get(column, column)
        text = "" if value is None else cell_text(value)
        self.errors.append(RowError(self.file, row, label, text, reason))

    def at(self, row: ValidRow, column: str, reason: str) -> None:
        self.add(row.number, column, row.cells.get(column), reason)

    def in_order(self) -> list[RowError]:
        return sorted(self.errors, key=lambda error: error.row)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __len__(self) -> int:
        return len(self.errors)
