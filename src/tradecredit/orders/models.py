"""Orders and their deliveries: sales not yet invoiced, which count in a buyer's exposure.

An order is invoiced by the invoices whose `order_reference` is its reference (see
`tradecredit.exposure.compute`), so no column here says how much has been invoiced.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from tradecredit.db.base import Base, OrgKeyed, OrgScoped
from tradecredit.db.types import MinorUnits, UTCDateTime
from tradecredit.kit.clock import utcnow
from tradecredit.receivables.models import Invoice

ORDER_STATUSES = ("ordered", "partly_delivered", "delivered", "invoiced", "cancelled")


class Order(OrgKeyed, Base):
    """A buyer's order. `cancelled_on` is NULL when the cancellation date is unknown (imported)."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("org_id", "order_reference"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "status IN ('ordered', 'partly_delivered', 'delivered', 'invoiced', 'cancelled')",
            name="status",
        ),
        Index("ix_orders_org_company_date", "org_id", "company_id", "order_date"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("companies.id"), nullable=False)
    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("customer_accounts.id"), index=True, nullable=False
    )
    order_reference: Mapped[str] = mapped_column(String(64), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    amount_minor: Mapped[int] = mapped_column(MinorUnits, nullable=False)
    order_date: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="ordered")
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    cancellation_reason: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )


class OrderDelivery(OrgScoped, Base):
    """Goods of an order delivered on a date; an order's deliveries never exceed its amount."""

    __tablename__ = "order_deliveries"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    order_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("orders.id"), index=True, nullable=False
    )
    amount_minor: Mapped[int] = mapped_column(MinorUnits, nullable=False)
    delivered_on: Mapped[date] = mapped_column(Date, nullable=False)


INVOICE_ORDER_REFERENCE_INDEX = Index(
    "ix_invoices_org_order_reference",
    Invoice.__table__.c.org_id,
    Invoice.__table__.c.order_reference,
)
"""Finds the invoices of an order by its reference; exposure reads it on every call."""
