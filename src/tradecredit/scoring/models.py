"""Stored scores: one row per (buyer, model version, as-of date, inputs); re-scoring unchanged
inputs finds the row and writes nothing."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from tradecredit.db.base import Base, OrgKeyed
from tradecredit.db.types import DecimalText


class Score(OrgKeyed, Base):
    """A 12-month PD (exact decimal text), its grade 1-10 and the reasons as JSON text."""

    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("org_id", "company_id", "model_version", "as_of", "inputs_hash"),
        CheckConstraint("grade BETWEEN 1 AND 10", name="grade"),
        Index("ix_scores_org_company_as_of", "org_id", "company_id", "as_of"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("companies.id"), nullable=False)
    model_version: Mapped[str] = mapped_column(String(64), nullable=False)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    pd: Mapped[Decimal] = mapped_column(DecimalText, nullable=False)
    grade: Mapped[int] = mapped_column(nullable=False)
    reasons: Mapped[str] = mapped_column(Text, nullable=False)
    inputs_hash: Mapped[str] = mapped_column(String(64), nullable=False)
