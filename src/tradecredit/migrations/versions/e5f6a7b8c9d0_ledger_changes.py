"""ledger_changes: the log of buyers whose exposure a transaction changed, kept by statement
triggers on PostgreSQL (exposure.models, exposure.changes)

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-11-24 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e5f6a7b8c9d0"
down_revision: str | None = "d4e5f6a7b8c9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

XID = "pg_current_xact_id()::text::bigint"

COMPANIES_OF = {
    "invoices": (
        "SELECT company_id FROM {rows} UNION SELECT o.company_id FROM {rows} r "
        "JOIN orders o ON o.org_id = r.org_id AND o.order_reference = r.order_reference"
    ),
    "credit_notes": (
        "SELECT company_id FROM {rows} UNION SELECT i.company_id FROM {rows} r "
        "JOIN invoices i ON i.id = r.invoice_id"
    ),
    "allocations": "SELECT i.company_id FROM {rows} r JOIN invoices i ON i.id = r.invoice_id",
    "orders": "SELECT company_id FROM {rows}",
    "order_deliveries": "SELECT o.company_id FROM {rows} r JOIN orders o ON o.id = r.order_id",
    "fx_rates": "SELECT NULL::uuid FROM {rows} LIMIT 1",
}
"""Per table: the companies whose exposure the changed rows `{rows}` touch (NULL: all)."""


def _function(table: str) -> str:
    companies = COMPANIES_OF[table]

    def log(rows: str) -> str:
        return (
            f"INSERT INTO ledger_changes (xid, company_id) SELECT DISTINCT {XID}, company "
            f"FROM ({companies.format(rows=rows)}) AS changed(company);"
        )

    return f"""
CREATE FUNCTION ledger_changes_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO ledger_changes (xid, company_id) VALUES ({XID}, NULL);
        RETURN NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        {log("new_rows")}
    END IF;
    IF TG_OP <> 'INSERT' THEN
        {log("old_rows")}
    END IF;
    RETURN NULL;
END
$$"""


def _triggers(table: str) -> list[str]:
    run = f"FOR EACH STATEMENT EXECUTE FUNCTION ledger_changes_{table}()"
    name = f"ledger_changes_{table}"
    return [
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {run}",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows {run}",
        f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {table} {run}",
    ]


def upgrade() -> None:
    op.create_table(
        "ledger_changes",
        sa.Column("xid", sa.BigInteger(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=True),
    )
    op.create_index("ix_ledger_changes_xid", "ledger_changes", ["xid"], unique=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in COMPANIES_OF:
        op.execute(_function(table))
        for trigger in _triggers(table):
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in COMPANIES_OF:
            for event in ("insert", "update", "delete", "truncate"):
                op.execute(f"DROP TRIGGER ledger_changes_{table}_{event} ON {table}")
            op.execute(f"DROP FUNCTION ledger_changes_{table}()")
    op.drop_index("ix_ledger_changes_xid", table_name="ledger_changes")
    op.drop_table("ledger_changes")
