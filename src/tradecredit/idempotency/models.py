from __future__ import annotations

import uuid

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradecredit.db.base import Base, OrgScoped, org_id_column


class IdempotencyRecord(OrgScoped, Base):
    """The first response given for (organisation, key); replayed for the same request body."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    org_id: Mapped[uuid.UUID] = org_id_column(index=False)
    """Not indexed alone: the unique (org_id, key) index serves every lookup by organisation.
    With both, PostgreSQL's generic plan for a table not yet analyzed took the org_id index
    for the answer's UPDATE by (org_id, key), which visits every record of the organisation."""

    key: Mapped[str] = mapped_column(String(255), nullable=False)
    method: Mapped[str] = mapped_column(String(8), nullable=False)
    path: Mapped[str] = mapped_column(String(300), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status_code: Mapped[int] = mapped_column(nullable=False)
    response_body: Mapped[str] = mapped_column(Text, nullable=False)
