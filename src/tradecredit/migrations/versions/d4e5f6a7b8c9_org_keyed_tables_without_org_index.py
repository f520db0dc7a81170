"""drop the single-column org_id index of every table whose own indexes lead with org_id (they
serve every lookup by organisation; with both, a generic plan for a table not yet analyzed can
take the org_id index and visit every row of the organisation)

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-11-24 11:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d4e5f6a7b8c9"
down_revision: str | None = "c3d4e5f6a7b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "checkout_decisions",
    "companies",
    "company_events",
    "credit_limits",
    "credit_notes",
    "credit_policies",
    "customer_accounts",
    "financial_statements",
    "fx_rates",
    "gate_holds",
    "invoices",
    "limit_requests",
    "orders",
    "payments",
    "scores",
    "users",
)


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_org_id"))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_org_id"), ["org_id"], unique=False)
