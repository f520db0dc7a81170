"""Plans PostgreSQL caches for the hot statements stay index lookups (docs/decisions.md)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine


def _generic_plan(engine: Engine, *, copy_of: str, prepare: str, execute: str) -> str:
    """EXPLAIN of the generic plan of `prepare` (a PREPARE over `fresh`, a copy of table
    `copy_of` with its indexes, never analyzed), run as `execute`."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    with engine.connect() as connection:
        connection.exec_driver_sql(f"CREATE TEMP TABLE fresh (LIKE {copy_of} INCLUDING INDEXES)")
        connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        connection.exec_driver_sql(prepare)
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {execute}"))
        connection.rollback()
    return plan


def test_the_answer_update_of_a_new_idempotency_table_looks_up_org_and_key(
    engine: Engine,
) -> None:
    """A table never analyzed (a fresh copy with the same indexes): the generic plan of the
    answer's UPDATE must find the record by (org_id, key), not walk the organisation."""
    plan = _generic_plan(
        engine,
        copy_of="idempotency_records",
        prepare="PREPARE answer(uuid, varchar) AS UPDATE fresh SET status_code = 201 "
        "WHERE org_id = $1 AND key = $2",
        execute="EXECUTE answer('00000000-0000-0000-0000-000000000000', 'k')",
    )
    assert "Index Scan" in plan, plan
    assert "key" in plan.split("Index Cond:", 1)[1].splitlines()[0], plan


def test_the_change_log_look_of_a_new_log_reads_the_xid_index(engine: Engine) -> None:
    """The decision workers' look at the ledger's change log (exposure.changes), on a copy
    never analyzed: the generic plan must take the rows above the mark through the xid index,
    not scan the whole log."""
    plan = _generic_plan(
        engine,
        copy_of="ledger_changes",
        prepare="PREPARE look(bigint, bigint[]) AS SELECT ARRAY(SELECT DISTINCT company_id "
        "FROM fresh WHERE xid >= $1 AND xid <> ALL($2))",
        execute="EXECUTE look(5, '{}')",
    )
    assert "Index Cond: (xid >= $1)" in plan, plan
    assert "Seq Scan" not in plan, plan
