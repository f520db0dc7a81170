"""Holds: sales a credit gate stopped, waiting until a role that may override releases them."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tradecredit.db.base import Base, OrgKeyed
from tradecredit.db.types import MinorUnits, UTCDateTime

HOLD_STATUSES = ("open", "released", "cancelled")
STAGES = ("quote", "order", "delivery", "invoice")


class GateHold(OrgKeyed, Base):
    """One held sale: the amount as asked (`amount_minor`, `currency`), the reasons (JSON list
    of {code, effect, text_en, text_zh}), and the position the gate saw, in the position's
    currency (`position_currency`: the limit's, else the organisation's base currency)."""

    __tablename__ = "gate_holds"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("status IN ('open', 'released', 'cancelled')", name="status"),
        CheckConstraint("stage IN ('quote', 'order', 'delivery', 'invoice')", name="stage"),
        Index("ix_gate_holds_org_status_created", "org_id", "status", "created_at"),
        Index("ix_gate_holds_org_company", "org_id", "company_id"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("companies.id"), nullable=False)
    stage: Mapped[str] = mapped_column(String(16), nullable=False)
    amount_minor: Mapped[int] = mapped_column(MinorUnits, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    order_reference: Mapped[str | None] = mapped_column(String(64))
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    reasons: Mapped[str] = mapped_column(Text, nullable=False)
    position_currency: Mapped[str] = mapped_column(String(3), nullable=False)
    limit_minor: Mapped[int | None] = mapped_column(MinorUnits)
    exposure_minor: Mapped[int] = mapped_column(MinorUnits, nullable=False)
    exposure_after_minor: Mapped[int] = mapped_column(MinorUnits, nullable=False)
    requested_by: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    released_by: Mapped[str | None] = mapped_column(String(200))
    released_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    release_reason: Mapped[str | None] = mapped_column(String(300))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
