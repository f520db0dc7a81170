from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradecredit.db.base import Base, OrgKeyed
from tradecredit.db.types import DecimalText


class FxRate(OrgKeyed, Base):
    """On `rate_date`, one unit of `base_currency` buys `rate` units of `quote_currency`."""

    __tablename__ = "fx_rates"
    __table_args__ = (
        UniqueConstraint("org_id", "rate_date", "base_currency", "quote_currency"),
        CheckConstraint("base_currency <> quote_currency", name="distinct_pair"),
    )

    rate_date: Mapped[date] = mapped_column(Date, nullable=False)
    base_currency: Mapped[str] = mapped_column(String(3), nullable=False)
    quote_currency: Mapped[str] = mapped_column(String(3), nullable=False)
    rate: Mapped[Decimal] = mapped_column(DecimalText, nullable=False)
