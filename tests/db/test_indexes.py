"""Every tenant table is reachable by organisation through exactly one kind of index: its own
indexes leading with org_id, or, when it has none, an index on org_id alone. Both together let
PostgreSQL's generic plan for a table not yet analyzed take the org_id index and visit every row
of the organisation (tests/db/test_plans.py shows it for the idempotency records)."""

from __future__ import annotations

from sqlalchemy import Index, Table, UniqueConstraint

from tradecredit.db import models  # noqa: F401  (every domain's tables)
from tradecredit.db.base import Base


def _leading_columns(table: Table) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = []
    for index in table.indexes:
        keys.append(tuple(column.name for column in index.columns))
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint) and not isinstance(constraint, Index):
            keys.append(tuple(column.name for column in constraint.columns))
    primary = tuple(column.name for column in table.primary_key.columns)
    if primary:
        keys.append(primary)
    return keys


def test_org_id_is_indexed_alone_only_where_nothing_else_leads_with_it() -> None:
    checked = 0
    for table in Base.metadata.sorted_tables:
        if "org_id" not in table.columns:
            continue
        keys = _leading_columns(table)
        alone = ("org_id",) in keys
        led = any(key[0] == "org_id" and len(key) > 1 for key in keys)
        assert alone != led, (
            f"{table.name}: org_id indexed alone {alone}, other indexes leading with it {led}"
        )
        checked += 1
    assert checked > 20
