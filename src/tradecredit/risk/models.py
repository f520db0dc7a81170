"""Country risk classes: platform reference data shared by every organisation (no org_id)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tradecredit.db.base import Base, IdMixin
from tradecredit.db.types import UTCDateTime
from tradecredit.kit.clock import utcnow


class CountryRiskClass(IdMixin, Base):
    """The class `source` gave `country` in its review of `as_of`, in force until the next one.

    "Not classified" (the OECD's "-") is its own state, never class 0: the constraint allows
    either a class 0-7 with the flag off, or no class with the flag on.
    """

    __tablename__ = "country_risk_classes"
    __table_args__ = (
        UniqueConstraint("country", "as_of", "source"),
        CheckConstraint("oecd_class BETWEEN 0 AND 7", name="oecd_class_range"),
        CheckConstraint(
            "(not_classified AND oecd_class IS NULL) OR (NOT not_classified AND oecd_class IS NOT NULL)",
            name="class_or_not_classified",
        ),
    )

    country: Mapped[str] = mapped_column(String(2), nullable=False)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    oecd_class: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    not_classified: Mapped[bool] = mapped_column(Boolean, nullable=False)
    source: Mapped[str] = mapped_column(String(64), nullable=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
