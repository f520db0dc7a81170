"""Problems found in a file, collected as `RowError` values, and the rows as the schema read them."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tradecredit.imports.reader import Cell, cell_text
from tradecredit.kit.errors import RowError

HEADER_ROW = 1


@dataclass(frozen=True)
class Row:
    """A data row after the schema. `cells` and `values` are keyed by template column.

    `values` holds every column whose value could be read: validated and normalised, or the
    schema default of an optional column left empty. A column whose value is unreadable (an
    unparseable date, an unknown currency, an empty required cell) is absent, so each check can
    run on the columns it needs even when others are bad. `data` is the schema model when the
    whole row passed every check of its own; otherwise None, and the row is never written.
    """

    number: int
    cells: Mapping[str, Cell]
    values: Mapping[str, Any]
    data: Any | None = None

    def has(self, *columns: str) -> bool:
        return all(column in self.values for column in columns)

    def key(self, *columns: str) -> tuple[Any, ...] | None:
        """The values of these columns, or None when any of them cannot be read."""
        if not self.has(*columns):
            return None
        return tuple(self.values[column] for column in columns)


class Problems:
    """Every problem of one file, each (row, column, reason) once, in row then template order.

    Columns are named as the user's header names them (`labels`); a column outside the template
    (an unknown header, a value without a header) sorts after the template's columns.
    """

    def __init__(self, file: str, columns: Sequence[str] = ()) -> None:
        self.file = file
        self.labels: dict[str, str] = {}
        self._position = {column: index for index, column in enumerate(columns)}
        self._found: list[tuple[int, int, int, RowError]] = []
        self._seen: set[Hashable] = set()

    def add(self, row: int, column: str, value: Cell | None, reason: str) -> None:
        if (row, column, reason) in self._seen:
            return
        self._seen.add((row, column, reason))
        label = self.labels.get(column, column)
        text = "" if value is None else cell_text(value)
        position = self._position.get(column, len(self._position))
        error = RowError(self.file, row, label, text, reason)
        self._found.append((row, position, len(self._found), error))

    def at(self, row: Row, column: str, reason: str) -> None:
        self.add(row.number, column, row.cells.get(column), reason)

    def in_order(self) -> list[RowError]:
        return [error for *_, error in sorted(self._found, key=lambda found: found[:3])]

    def __bool__(self) -> bool:
        return bool(self._found)

    def __len__(self) -> int:
        return len(self._found)
