from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tradecredit.db.base import Base, IdMixin
from tradecredit.db.types import UTCDateTime


class AuditEvent(IdMixin, Base):
    """One state change. `before`/`after` are canonical JSON text so that the hash is reproducible."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("org_id", "seq"),)

    org_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("organisations.id"), nullable=False)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    entity_type: Mapped[str] = mapped_column(String(64), nullable=False)
    entity_id: Mapped[str | None] = mapped_column(String(64), index=True)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)


class AuditChainHead(Base):
    """The last link of each organisation's chain; updating it serialises concurrent appends."""

    __tablename__ = "audit_chain_heads"

    org_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organisations.id"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
