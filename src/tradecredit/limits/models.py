"""Credit policy versions, limit requests, their decisions, and the credit limits they set."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tradecredit.db.base import Base, OrgKeyed, OrgScoped
from tradecredit.db.types import DecimalText, MinorUnits, UTCDateTime

OUTCOMES = ("approved", "partly_approved", "conditional", "referred", "refused")
_OUTCOME_CHECK = "IN ('approved', 'partly_approved', 'conditional', 'referred', 'refused')"


class CreditPolicyVersion(OrgKeyed, Base):
    """One version of an organisation's credit policy (JSON text); the highest version is in
    force. Versions are never changed, so a decision names the policy it was made under."""

    __tablename__ = "credit_policies"
    __table_args__ = (UniqueConstraint("org_id", "version"),)

    version: Mapped[int] = mapped_column(nullable=False)
    document: Mapped[str] = mapped_column(Text, nullable=False)
    set_by: Mapped[str] = mapped_column(String(200), nullable=False)


class LimitRequest(OrgKeyed, Base):
    """A request for a credit limit on a buyer; `status` is the outcome of its latest decision."""

    __tablename__ = "limit_requests"
    __table_args__ = (
        UniqueConstraint("org_id", "idempotency_key"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(f"status {_OUTCOME_CHECK}", name="status"),
        Index("ix_limit_requests_org_status", "org_id", "status"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("companies.id"), index=True, nullable=False
    )
    amount_minor: Mapped[int] = mapped_column(MinorUnits, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    requested_by: Mapped[str] = mapped_column(String(200), nullable=False)
    requested_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(String(300))
    expected_annual_sales_minor: Mapped[int | None] = mapped_column(MinorUnits)
    confirm_below_exposure: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    referred_to_role: Mapped[str | None] = mapped_column(String(32))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)


class LimitDecision(OrgScoped, Base):
    """One decision on a request, by the engine or a person, under a named authority."""

    __tablename__ = "limit_decisions"
    __table_args__ = (
        CheckConstraint(f"outcome {_OUTCOME_CHECK}", name="outcome"),
        CheckConstraint("amount_minor IS NULL OR amount_minor >= 0", name="amount"),
    )

    request_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("limit_requests.id"), index=True, nullable=False
    )
    company_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("companies.id"), nullable=False)
    outcome: Mapped[str] = mapped_column(String(24), nullable=False)
    amount_minor: Mapped[int | None] = mapped_column(MinorUnits)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    conditions: Mapped[str] = mapped_column(Text, nullable=False)
    reasons: Mapped[str] = mapped_column(Text, nullable=False)
    decided_on: Mapped[date] = mapped_column(Date, nullable=False)
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    decided_by: Mapped[str] = mapped_column(String(200), nullable=False)
    decided_by_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    authority_minor: Mapped[int | None] = mapped_column(MinorUnits)
    authority_currency: Mapped[str | None] = mapped_column(String(3))
    referred_to_role: Mapped[str | None] = mapped_column(String(32))
    grade: Mapped[int | None] = mapped_column()
    pd: Mapped[Decimal | None] = mapped_column(DecimalText)
    recommended_minor: Mapped[int | None] = mapped_column(MinorUnits)
    binding: Mapped[str | None] = mapped_column(String(24))
    policy_version: Mapped[int] = mapped_column(nullable=False)
    exposure_minor: Mapped[int | None] = mapped_column(MinorUnits)
    below_exposure_confirmed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class CreditLimit(OrgKeyed, Base):
    """A limit set on a buyer by a decision. The active row is the current limit; earlier rows
    stay as its history (`ended_at` says when a later decision replaced them)."""

    __tablename__ = "credit_limits"
    __table_args__ = (
        CheckConstraint("amount_minor >= 0", name="amount"),
        Index(
            "uq_credit_limits_active",
            "org_id",
            "company_id",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
        Index("ix_credit_limits_org_company", "org_id", "company_id"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("companies.id"), nullable=False)
    decision_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("limit_decisions.id"), nullable=False
    )
    amount_minor: Mapped[int] = mapped_column(MinorUnits, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    set_on: Mapped[date] = mapped_column(Date, nullable=False)
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    review_on: Mapped[date] = mapped_column(Date, nullable=False)
    grade: Mapped[int | None] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
