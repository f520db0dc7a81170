"""Tiered approval authority: who may decide a limit of a given amount.

A person's approval authority is a property of the user (an amount and its currency). It covers
an amount in another currency after exact conversion with the dated FX rates of the decision
date. Roles are ordered (`LIMIT_DECIDING_ROLES`): a referred request goes to the lowest role
with at least one user whose authority covers it; when no user's does, to admin, with a reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.context import Actor
from tradecredit.fx.rates import RateTable, resolve
from tradecredit.kit.errors import NotFound, PermissionDenied
from tradecredit.limits.reasons import money
from tradecredit.organisations.models import User
from tradecredit.organisations.roles import LIMIT_DECIDING_ROLES, Permission, Role, role_allows


@dataclass(frozen=True)
class Approver:
    user_id: uuid.UUID
    email: str
    role: Role
    authority_minor: int | None
    authority_currency: str | None

    def authority_text(self) -> str:
        if self.authority_minor is None or self.authority_currency is None:
            return "none"
        return money(self.authority_minor, self.authority_currency)


def _approver(user: User) -> Approver:
    return Approver(
        user.id,
        user.email,
        Role(user.role),
        user.approval_authority_minor,
        user.authority_currency,
    )


def approvers(session: Session, *, actor: Actor) -> list[Approver]:
    """Every user of the organisation whose role may decide limits."""
    users = session.scalars(
        select(User).where(User.org_id == actor.org_id).order_by(User.email)
    ).all()
    return [
        _approver(user) for user in users if role_allows(Role(user.role), Permission.DECIDE_LIMITS)
    ]


def approver_for(session: Session, *, actor: Actor) -> Approver:
    """The acting user, who must be a named user (an API key's or the CLI's `--as`)."""
    user = None if actor.user_id is None else session.get(User, actor.user_id)
    if user is None or user.org_id != actor.org_id:
        raise PermissionDenied(
            "deciding a limit needs a named user with an approval authority "
            "(an API key of that user, or `--as EMAIL` on the command line)"
        )
    return _approver(user)


def user_actor(session: Session, *, actor: Actor, email: str) -> Actor:
    """An actor for the organisation's user `email` (the CLI's `--as`)."""
    user = session.scalar(select(User).where(User.org_id == actor.org_id, User.email == email))
    if user is None:
        raise NotFound(f"no user {email!r} in this organisation")
    return Actor(org_id=actor.org_id, name=f"user:{email}", role=Role(user.role), user_id=user.id)


def covers(approver: Approver, *, amount_minor: int, currency: str, rates: RateTable) -> bool:
    if approver.authority_minor is None or approver.authority_currency is None:
        return False
    conversion = resolve(rates, currency, approver.authority_currency)
    return conversion.convert_minor(amount_minor) <= approver.authority_minor


def require_authority(
    approver: Approver, *, amount_minor: int, currency: str, rates: RateTable
) -> None:
    if not role_allows(approver.role, Permission.DECIDE_LIMITS):
        raise PermissionDenied(f"role {approver.role.value!r} may not decide limits")
    if not covers(approver, amount_minor=amount_minor, currency=currency, rates=rates):
        raise PermissionDenied(
            f"{approver.email} ({approver.role.value}) has approval authority "
            f"{approver.authority_text()}, which does not cover {money(amount_minor, currency)}",
            details={
                "user": approver.email,
                "authority": approver.authority_text(),
                "amount": money(amount_minor, currency),
            },
        )


@dataclass(frozen=True)
class Referral:
    role: Role
    covered: bool
    """False: no user's authority covers the amount, so the request went to admin."""


def referral_for(
    candidates: Sequence[Approver], *, amount_minor: int, currency: str, rates: RateTable
) -> Referral:
    for role in LIMIT_DECIDING_ROLES:
        for approver in candidates:
            if approver.role is role and covers(
                approver, amount_minor=amount_minor, currency=currency, rates=rates
            ):
                return Referral(role, covered=True)
    return Referral(Role.ADMIN, covered=False)
