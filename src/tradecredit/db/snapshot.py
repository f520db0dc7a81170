"""A row's column values as a plain dict: the `before`/`after` of an audit event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect


def snapshot(row: Any, *, exclude: frozenset[str] = frozenset({"org_id"})) -> dict[str, Any]:
    mapper = inspect(row).mapper
    return {
        attr.key: getattr(row, attr.key) for attr in mapper.column_attrs if attr.key not in exclude
    }
