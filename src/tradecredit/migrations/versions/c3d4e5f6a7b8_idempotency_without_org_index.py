"""idempotency records: drop the single-column org_id index (the unique (org_id, key) index
serves every lookup; with both, a generic plan could scan a whole organisation's records)

Revision ID: c3d4e5f6a7b8
Revises: 39d23405b815
Create Date: 2026-11-24 10:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c3d4e5f6a7b8"
down_revision: str | None = "39d23405b815"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_records_org_id"))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_records_org_id"), ["org_id"], unique=False)
