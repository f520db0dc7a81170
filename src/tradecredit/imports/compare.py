"""Money movements are never overwritten: a row that exists with other content is a conflict."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tradecredit.kit.money import from_minor


@dataclass(frozen=True)
class Compared:
    """A stored attribute checked against the file, if the file has the column."""

    column: str
    attribute: str
    money: bool = False


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
    100.00 vs 120.00 (stored vs this file)"."""
    parts: list[str] = []
    first = ""
    for field in fields:
        if field.column not in present:
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


def _show(value: Any, currency: str | None) -> str:
    if value is None:
        return "(empty)"
    if currency is not None and isinstance(value, int):
        return format(from_minor(value, currency), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
