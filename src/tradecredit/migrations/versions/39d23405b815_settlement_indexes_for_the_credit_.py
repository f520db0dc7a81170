"""settlement indexes for the credit position (covering: invoice, date, amount)

Revision ID: 39d23405b815
Revises: 704ec555989f
Create Date: 2026-11-24 00:26:25.970991
"""

from collections.abc import Sequence

from alembic import op

revision: str = "39d23405b815"
down_revision: str | None = "704ec555989f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_allocations_invoice_applied",
            ["invoice_id", "applied_on", "amount_minor"],
            unique=False,
        )

    with op.batch_alter_table("credit_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credit_notes_invoice_issued",
            ["invoice_id", "issue_date", "amount_minor"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("credit_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_notes_invoice_issued")

    with op.batch_alter_table("allocations", schema=None) as batch_op:
        batch_op.drop_index("ix_allocations_invoice_applied")
