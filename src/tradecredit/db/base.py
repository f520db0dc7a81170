"""Declarative base with a constraint naming convention (stable Alembic migrations)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tradecredit.db.types import UTCDateTime
from tradecredit.kit.clock import utcnow
from tradecredit.kit.ids import new_id

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


def org_id_column(*, index: bool = True) -> Mapped[uuid.UUID]:
    """A tenant row's organisation. `index=False` where a composite index led by org_id
    already serves every lookup by organisation."""
    return mapped_column(
        Uuid, ForeignKey("organisations.id", ondelete="RESTRICT"), index=index, nullable=False
    )


class OrgScoped(IdMixin, TimestampMixin):
    """Every tenant-owned row carries its organisation; every query filters on it. This mixin
    indexes org_id alone: for tables none of whose own indexes leads with org_id."""

    org_id: Mapped[uuid.UUID] = org_id_column()


class OrgKeyed(IdMixin, TimestampMixin):
    """`OrgScoped` for a table whose own indexes lead with org_id (its unique keys, its lookups
    by company): those serve every lookup by organisation, so org_id has no index of its own.
    With both, PostgreSQL's generic plan for a table not yet analyzed can take the org_id index
    and visit every row of the organisation (tests/db/test_plans.py; tests/db/test_indexes.py
    holds every table to one kind or the other)."""

    org_id: Mapped[uuid.UUID] = org_id_column(index=False)
