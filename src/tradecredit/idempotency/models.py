from __future__ import annotations

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradecredit.db.base import Base, OrgKeyed


class IdempotencyRecord(OrgKeyed, Base):
    """The first response given for (organisation, key); replayed for the same request body.
    With an index on org_id alone, PostgreSQL's generic plan for the table not yet analyzed
    took it for the answer's UPDATE by (org_id, key) and visited every record of the
    organisation (`OrgKeyed`)."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    key: Mapped[str] = mapped_column(String(255), nullable=False)
    method: Mapped[str] = mapped_column(String(8), nullable=False)
    path: Mapped[str] = mapped_column(String(300), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status_code: Mapped[int] = mapped_column(nullable=False)
    response_body: Mapped[str] = mapped_column(Text, nullable=False)
