"""The credit limit section: the limit engine's recommendation for the company (with every
constraint, the binding one and the reasons) and the limit in force on the report date. Reads
only, through the limits package's service functions."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from tradecredit.context import Actor
from tradecredit.kit.money import from_minor
from tradecredit.limits.formula import CONSTRAINTS
from tradecredit.limits.queries import list_limits
from tradecredit.limits.recommend import recommend
from tradecredit.limits.shape import explanation
from tradecredit.reports.schemas import CurrentLimit, LimitConstraint, LimitSection

NOT_AVAILABLE = ("capacity", "need")
"""Constraints that apply to every buyer but lack data; the others may simply not apply."""


def _minor(value: object) -> int | None:
    return None if value is None else int(str(value))


def _constraint(name: str, minor: int | None, currency: str) -> LimitConstraint:
    if minor is not None:
        return LimitConstraint(name, from_minor(minor, currency), None)
    why = "not_available" if name in NOT_AVAILABLE else "not_applicable"
    return LimitConstraint(name, None, why)


def current_limit(
    session: Session, *, actor: Actor, company_id: uuid.UUID, as_of: date
) -> CurrentLimit | None:
    """The active limit when it was set on or before `as_of` (a later one is not yet known)."""
    for row in list_limits(session, actor=actor, company_id=company_id):
        if row.set_on <= as_of:
            amount = from_minor(row.amount_minor, row.currency)
            return CurrentLimit(amount, row.currency, row.set_on, row.valid_until, row.review_on)
    return None


def limit_section(
    session: Session, *, actor: Actor, company_id: uuid.UUID, as_of: date
) -> LimitSection:
    found = recommend(session, actor=actor, as_of=as_of, company_ids=[company_id])
    row = found.row(company_id)
    currency = found.currency
    basis = row["capacity_basis"]
    return LimitSection(
        currency=currency,
        recommended=from_minor(int(str(row["recommended_minor"])), currency),
        binding=str(row["binding"]),
        capacity_basis=None if basis is None else str(basis),
        constraints=tuple(
            _constraint(name, _minor(row[f"{name}_minor"]), currency) for name in CONSTRAINTS
        ),
        policy_version=found.policy.version,
        max_credit_grade=found.policy.policy.max_credit_grade,
        grade=int(str(row["grade"])),
        history_months=int(str(row["history_months"])),
        reasons=tuple(explanation(row, currency)),
        current=current_limit(session, actor=actor, company_id=company_id, as_of=as_of),
    )
