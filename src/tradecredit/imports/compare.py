"""Money movements are never overwritten: a row that exists with other content is a conflict."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from tradecredit.imports.problems import Row
from tradecredit.kit.errors import AmountTooLarge, PrecisionExceeded
from tradecredit.kit.money import from_minor, to_minor


@dataclass(frozen=True)
class Compared:
    """A stored attribute checked against the file, if the file has the column.

    `looked_up`: the planner resolves the column to a stored id (a buyer, an invoice)."""

    column: str
    attribute: str
    money: bool = False
    looked_up: bool = False


@dataclass(frozen=True)
class Conflict:
    column: str
    reason: str


def conflict(
    what: str,
    stored: Any,
    wanted: dict[str, Any],
    fields: Sequence[Compared],
    present: frozenset[str],
) -> Conflict | None:
    """None when every compared column is identical; else the first differing column and a
    message naming each difference: "invoice 'A1' already exists with a different amount
    100.00 vs 120.00 (stored vs this file)". Only attributes in `wanted` are compared: a
    column this row could not read says nothing either way."""
    parts: list[str] = []
    first = ""
    for field in fields:
        if field.column not in present or field.attribute not in wanted:
            continue
        old, new = getattr(stored, field.attribute), wanted[field.attribute]
        if old == new:
            continue
        first = first or field.column
        if isinstance(old, uuid.UUID) or isinstance(new, uuid.UUID):
            parts.append(field.column)
        else:
            old_text = _show(old, stored.currency if field.money else None)
            new_text = _show(new, wanted["currency"] if field.money else None)
            parts.append(f"{field.column} {old_text} vs {new_text}")
    if not parts:
        return None
    return Conflict(
        first,
        f"{what} already exists with a different {', '.join(parts)} (stored vs this file); "
        "money movements are never overwritten",
    )


def file_values(row: Row, fields: Sequence[Compared]) -> dict[str, Any]:
    """The stored attribute of each readable compared column of the row, money in minor units.

    An amount is left out when its currency cannot be read or it has too many decimals."""
    values = row.values
    wanted: dict[str, Any] = {}
    if "currency" in values:
        wanted["currency"] = values["currency"]
    for field in fields:
        if field.looked_up or field.column not in values:
            continue
        value = values[field.column]
        if field.money and value is not None:
            value = _minor(value, wanted.get("currency"))
            if value is None:
                continue
        wanted[field.attribute] = value
    return wanted


def _minor(amount: Decimal, currency: str | None) -> int | None:
    if currency is None:
        return None
    try:
        return to_minor(amount, currency)
    except (PrecisionExceeded, AmountTooLarge):
        return None


def _show(value: Any, currency: str | None) -> str:
    if value is None:
        return "(empty)"
    if currency is not None and isinstance(value, int):
        return format(from_minor(value, currency), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
