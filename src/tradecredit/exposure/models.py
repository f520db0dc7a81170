"""The ledger's change log (PostgreSQL): which buyers' exposure a transaction changed.

Rows are written by statement-level triggers on the tables an exposure reads (migration
`e5f6a7b8c9d0`: invoices, credit notes, allocations, orders, order deliveries, FX rates), one per
changed company and transaction, and read by the decision workers (`exposure.changes`) to know
what to forget of their memory. `company_id` NULL means "anything may have changed" (FX rates, a
TRUNCATE, the marker a pruning leaves). `xid` is the writing transaction's id
(`pg_current_xact_id()` as a number). Not a tenant table: company ids are unique across
organisations, and nothing but the workers reads it. On SQLite it stays empty (the workers there
use `PRAGMA data_version`)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Table, Uuid

from tradecredit.db.base import Base

ledger_changes = Table(
    "ledger_changes",
    Base.metadata,
    Column("xid", BigInteger, nullable=False),
    Column("company_id", Uuid),
    Index("ix_ledger_changes_xid", "xid"),
)
