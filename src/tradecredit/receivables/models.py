from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import (
    Boolean,
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
from tradecredit.db.types import MinorUnits


class CustomerAccount(OrgKeyed, Base):
    """The seller's relationship with one buyer company."""

    __tablename__ = "customer_accounts"
    __table_args__ = (
        UniqueConstraint("org_id", "company_id"),
        CheckConstraint("payment_terms_days >= 0", name="terms_not_negative"),
        CheckConstraint("credit_limit_minor IS NULL OR credit_limit_minor >= 0", name="limit"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("companies.id"), index=True, nullable=False
    )
    payment_terms_days: Mapped[int] = mapped_column(nullable=False)
    credit_limit_minor: Mapped[int | None] = mapped_column(MinorUnits)
    currency: Mapped[str | None] = mapped_column(String(3))
    language: Mapped[str | None] = mapped_column(String(8))
    collector: Mapped[str | None] = mapped_column(String(100))
    dunning_policy: Mapped[str | None] = mapped_column(String(64))
    on_hold: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Invoice(OrgKeyed, Base):
    """An invoice; its open amount is derived: amount - allocations - credit notes, floored at 0."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("org_id", "invoice_number"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "vat_minor IS NULL OR (vat_minor >= 0 AND vat_minor <= amount_minor)", name="vat"
        ),
        CheckConstraint("due_date >= issue_date", name="due_after_issue"),
        Index("ix_invoices_org_company_due", "org_id", "company_id", "due_date"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("customer_accounts.id"), index=True, nullable=False
    )
    company_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("companies.id"), nullable=False)
    invoice_number: Mapped[str] = mapped_column(String(64), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    amount_minor: Mapped[int] = mapped_column(MinorUnits, nullable=False)
    vat_minor: Mapped[int | None] = mapped_column(MinorUnits)
    issue_date: Mapped[date] = mapped_column(Date, nullable=False)
    due_date: Mapped[date] = mapped_column(Date, nullable=False)
    order_reference: Mapped[str | None] = mapped_column(String(64))
    delivery_date: Mapped[date | None] = mapped_column(Date)


class CreditNote(OrgKeyed, Base):
    __tablename__ = "credit_notes"
    __table_args__ = (
        UniqueConstraint("org_id", "credit_note_number"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("invoices.id"), index=True, nullable=False
    )
    company_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("companies.id"), nullable=False)
    credit_note_number: Mapped[str] = mapped_column(String(64), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    amount_minor: Mapped[int] = mapped_column(MinorUnits, nullable=False)
    issue_date: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str | None] = mapped_column(String(300))


class Payment(OrgKeyed, Base):
    """Money received from a payer; what no allocation covers stays as unapplied credit."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("org_id", "company_id", "payment_reference"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("customer_accounts.id"), index=True, nullable=False
    )
    company_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("companies.id"), nullable=False)
    payment_reference: Mapped[str] = mapped_column(String(100), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    amount_minor: Mapped[int] = mapped_column(MinorUnits, nullable=False)
    payment_date: Mapped[date] = mapped_column(Date, nullable=False)
    named_invoice_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("invoices.id"))


class Allocation(OrgScoped, Base):
    """Part of a payment applied to an invoice, effective on the payment date."""

    __tablename__ = "allocations"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    payment_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("payments.id"), index=True, nullable=False
    )
    invoice_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("invoices.id"), index=True, nullable=False
    )
    amount_minor: Mapped[int] = mapped_column(MinorUnits, nullable=False)
    applied_on: Mapped[date] = mapped_column(Date, nullable=False)


class Dispute(OrgScoped, Base):
    """A dispute on an invoice or part of one; the undisputed part stays due."""

    __tablename__ = "disputes"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("invoices.id"), index=True, nullable=False
    )
    amount_minor: Mapped[int] = mapped_column(MinorUnits, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(300))
