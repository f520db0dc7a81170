"""Instant checkout decisions: what was asked, what the engine saw, what it answered."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tradecredit.db.base import Base, OrgKeyed
from tradecredit.db.types import DecimalText, MinorUnits, UTCDateTime
from tradecredit.receivables.models import Allocation, CreditNote

OUTCOMES = ("approve", "decline", "refer")


class CheckoutDecision(OrgKeyed, Base):
    """One decision on a buy-now-pay-later checkout.

    The request is kept as sent (buyer identity, amount in its currency, terms). What the engine
    saw is kept in the position currency (the buyer's limit currency, else the organisation's
    base currency): the limit, the exposure before this decision, the amount converted, and the
    limit left after it. An approval names the order that reserves its amount in exposure.
    """

    __tablename__ = "checkout_decisions"
    __table_args__ = (
        CheckConstraint("outcome IN ('approve', 'decline', 'refer')", name="outcome"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("terms_days > 0", name="terms_positive"),
        Index("ix_checkout_decisions_org_created", "org_id", "created_at", "id"),
        Index("ix_checkout_decisions_org_company", "org_id", "company_id"),
    )

    registration_number: Mapped[str] = mapped_column(String(64), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    buyer_name: Mapped[str | None] = mapped_column(String(300))
    company_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("companies.id"))
    amount_minor: Mapped[int] = mapped_column(MinorUnits, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    terms_days: Mapped[int] = mapped_column(nullable=False)
    merchant_reference: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(8), nullable=False)
    reasons: Mapped[str] = mapped_column(Text, nullable=False)
    grade: Mapped[int | None] = mapped_column()
    pd: Mapped[Decimal | None] = mapped_column(DecimalText)
    score_as_of: Mapped[date | None] = mapped_column(Date)
    policy_version: Mapped[int] = mapped_column(nullable=False)
    position_currency: Mapped[str | None] = mapped_column(String(3))
    amount_in_position_minor: Mapped[int | None] = mapped_column(MinorUnits)
    limit_minor: Mapped[int | None] = mapped_column(MinorUnits)
    exposure_minor: Mapped[int | None] = mapped_column(MinorUnits)
    limit_left_minor: Mapped[int | None] = mapped_column(MinorUnits)
    order_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("orders.id"))
    order_reference: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A decision just written, with every column of its row, as a plain object: what
    `service.decide_checkout` returns. An ORM instance (`CheckoutDecision`) costs a tenth of a
    batched decision to build, for nothing, since the row is written by a prepared INSERT."""

    id: uuid.UUID
    org_id: uuid.UUID
    created_at: datetime
    registration_number: str
    country: str
    buyer_name: str | None
    company_id: uuid.UUID | None
    amount_minor: int
    currency: str
    terms_days: int
    merchant_reference: str | None
    outcome: str
    reasons: str
    grade: int | None
    pd: Decimal | None
    score_as_of: date | None
    policy_version: int
    position_currency: str | None
    amount_in_position_minor: int | None
    limit_minor: int | None
    exposure_minor: int | None
    limit_left_minor: int | None
    order_id: uuid.UUID | None
    order_reference: str | None
    expires_at: datetime | None


SETTLEMENT_INDEXES = (
    Index(
        "ix_allocations_invoice_applied",
        Allocation.__table__.c.invoice_id,
        Allocation.__table__.c.applied_on,
        Allocation.__table__.c.amount_minor,
    ),
    Index(
        "ix_credit_notes_invoice_issued",
        CreditNote.__table__.c.invoice_id,
        CreditNote.__table__.c.issue_date,
        CreditNote.__table__.c.amount_minor,
    ),
)
"""What an invoice has been settled by on a date, read from the index alone: the credit position
(`exposure.one.one_buyer_parts`) sums both per open invoice on every checkout decision and
gate check; without them each sum also reads every allocation and credit note row."""
