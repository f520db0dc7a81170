"""Plans PostgreSQL caches for the hot statements stay index lookups (docs/decisions.md)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from psycopg import sql
from sqlalchemy import Engine

from tradecredit.db.prepared import Prepared, _arguments
from tradecredit.decisions import facts


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


def _generic_plan_of(engine: Engine, prepared: Prepared, params: dict[str, Any]) -> str:
    """EXPLAIN of the generic plan PostgreSQL caches for `prepared` (its own compiled SQL,
    with `params` as literals)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    with engine.connect() as connection:
        compiled = prepared._for(connection.dialect)
        raw = connection.connection.dbapi_connection
        values = sql.SQL(", ").join(sql.Literal(v) for v in _arguments(compiled, params))
        connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        connection.exec_driver_sql(f"PREPARE hot AS {compiled.sql}")
        execute = sql.SQL("EXPLAIN EXECUTE hot({})").format(values).as_string(raw)
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(execute))
        # before the rollback, which on a connection with psycopg's own prepared statements
        # deallocates them all
        connection.exec_driver_sql("DEALLOCATE hot")
        connection.rollback()
    return plan


def test_the_batch_lock_of_buyers_reads_no_order(engine: Engine) -> None:
    """The batch's lock statement asks about no merchant reference: its generic plan must not
    touch orders (a NULL reference in the generic plan read every order of the organisation
    for each buyer, growing with every approval)."""
    plan = _generic_plan_of(
        engine,
        facts._LOCKED_BUYERS,
        {
            "org_id": uuid.uuid4(),
            "countries": ["FR"],
            "registration_numbers": ["1"],
            "as_of": date(2026, 1, 1),
        },
    )
    assert "companies" in plan, plan
    assert "orders" not in plan, plan


def test_one_buyer_lock_without_a_reference_reads_no_order(engine: Engine) -> None:
    params = {
        "org_id": uuid.uuid4(),
        "country": "FR",
        "registration_number": "1",
        "as_of": date(2026, 1, 1),
    }
    assert "orders" not in _generic_plan_of(engine, facts._LOCKED_BUYER, params)
    with_reference = _generic_plan_of(
        engine, facts._LOCKED_BUYER_WITH_REFERENCE, params | {"order_reference": "r"}
    )
    assert "orders" in with_reference, with_reference
