from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tradecredit.db.base import Base, OrgKeyed
from tradecredit.db.types import MinorUnits, UTCDateTime
from tradecredit.kit.clock import utcnow

STATEMENT_LINES: tuple[str, ...] = (
    "revenue",
    "ebit",
    "net_income",
    "interest_expense",
    "total_assets",
    "current_assets",
    "cash",
    "inventory",
    "receivables",
    "current_liabilities",
    "total_liabilities",
    "equity",
    "retained_earnings",
    "operating_cash_flow",
)
COMPANY_STATUSES = ("active", "insolvent", "dissolved")


class Company(OrgKeyed, Base):
    """A legal entity that can be a buyer; keyed by registration number + ISO 3166 country."""

    __tablename__ = "companies"
    __table_args__ = (
        UniqueConstraint("org_id", "country", "registration_number"),
        CheckConstraint("status IN ('active', 'insolvent', 'dissolved')", name="status"),
    )

    registration_number: Mapped[str] = mapped_column(String(64), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)
    legal_form: Mapped[str | None] = mapped_column(String(64))
    sector: Mapped[str] = mapped_column(String(8), nullable=False)
    founded: Mapped[date | None] = mapped_column(Date)
    group_parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("companies.id"))
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    language: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )


class FinancialStatement(OrgKeyed, Base):
    """Standard statement lines in minor units; a missing line is NULL, never 0."""

    __tablename__ = "financial_statements"
    __table_args__ = (UniqueConstraint("org_id", "company_id", "period_end"),)

    company_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("companies.id"), index=True, nullable=False
    )
    period_end: Mapped[date] = mapped_column(Date, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    revenue: Mapped[int | None] = mapped_column(MinorUnits)
    ebit: Mapped[int | None] = mapped_column(MinorUnits)
    net_income: Mapped[int | None] = mapped_column(MinorUnits)
    interest_expense: Mapped[int | None] = mapped_column(MinorUnits)
    total_assets: Mapped[int | None] = mapped_column(MinorUnits)
    current_assets: Mapped[int | None] = mapped_column(MinorUnits)
    cash: Mapped[int | None] = mapped_column(MinorUnits)
    inventory: Mapped[int | None] = mapped_column(MinorUnits)
    receivables: Mapped[int | None] = mapped_column(MinorUnits)
    current_liabilities: Mapped[int | None] = mapped_column(MinorUnits)
    total_liabilities: Mapped[int | None] = mapped_column(MinorUnits)
    equity: Mapped[int | None] = mapped_column(MinorUnits)
    retained_earnings: Mapped[int | None] = mapped_column(MinorUnits)
    operating_cash_flow: Mapped[int | None] = mapped_column(MinorUnits)


class CompanyEvent(OrgKeyed, Base):
    """Insolvency filing, judgment, payment incident, ownership change, rating change..."""

    __tablename__ = "company_events"
    __table_args__ = (
        CheckConstraint("severity BETWEEN 1 AND 5", name="severity"),
        UniqueConstraint("org_id", "company_id", "kind", "event_date", "source"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("companies.id"), index=True, nullable=False
    )
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    event_date: Mapped[date] = mapped_column(Date, nullable=False)
    source: Mapped[str] = mapped_column(String(100), nullable=False)
    severity: Mapped[int] = mapped_column(nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
