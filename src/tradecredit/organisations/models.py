from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from tradecredit.db.base import Base, IdMixin, OrgKeyed, OrgScoped, TimestampMixin
from tradecredit.db.types import MinorUnits, UTCDateTime


class Organisation(IdMixin, TimestampMixin, Base):
    __tablename__ = "organisations"

    slug: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    base_currency: Mapped[str] = mapped_column(String(3), nullable=False)


class User(OrgKeyed, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("org_id", "email"),)

    email: Mapped[str] = mapped_column(String(254), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    approval_authority_minor: Mapped[int | None] = mapped_column(MinorUnits)
    authority_currency: Mapped[str | None] = mapped_column(String(3))


class ApiKey(OrgScoped, Base):
    """Only a SHA-256 of the key is stored; the key itself is shown once, when it is issued."""

    __tablename__ = "api_keys"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
