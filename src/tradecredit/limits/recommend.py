"""Recommended limits: load each buyer's inputs, run the pure formula, keep the context."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl
from sqlalchemy.orm import Session

from tradecredit.context import Actor
from tradecredit.fx.rates import resolve
from tradecredit.fx.service import rate_table
from tradecredit.kit.currencies import validate_currency
from tradecredit.limits.formula import PolicyAmounts, policy_amounts, recommend_limits
from tradecredit.limits.inputs import ScoreFact, buyer_inputs, scores_for
from tradecredit.limits.policy_store import PolicyInForce, policy_in_force
from tradecredit.organisations.roles import Permission

CONTEXT_COLUMNS = (
    "name",
    "status",
    "pd",
    "period_end",
    "statement_currency",
    "expected_sales_minor",
    "payment_terms_days",
    "history_months",
    "good_history",
)


@dataclass(frozen=True)
class Recommendations:
    as_of: date
    currency: str
    policy: PolicyInForce
    amounts: PolicyAmounts
    scores: Mapping[uuid.UUID, ScoreFact]
    rows: pl.DataFrame
    """The formula's output plus CONTEXT_COLUMNS, in company id order."""

    def row(self, company_id: uuid.UUID) -> dict[str, object]:
        found = self.rows.filter(pl.col("company_id") == str(company_id))
        return found.row(0, named=True)


def amounts_in(
    session: Session, *, actor: Actor, policy: PolicyInForce, currency: str, as_of: date
) -> PolicyAmounts:
    conversion = None
    if currency != policy.currency:
        conversion = resolve(
            rate_table(session, actor=actor, as_of=as_of), policy.currency, currency
        )
    return policy_amounts(policy.policy, currency=currency, conversion=conversion)


def recommend(
    session: Session,
    *,
    actor: Actor,
    as_of: date,
    currency: str | None = None,
    company_ids: Collection[uuid.UUID] | None = None,
    posted_sales: Mapping[uuid.UUID, int] | None = None,
) -> Recommendations:
    """The recommended limit of every buyer (or of `company_ids`) in `currency` (default: the
    organisation's base currency), with each constraint and the binding one."""
    actor.require(Permission.READ)
    policy = policy_in_force(session, actor=actor)
    target = validate_currency(currency.strip().upper()) if currency else policy.currency
    amounts = amounts_in(session, actor=actor, policy=policy, currency=target, as_of=as_of)
    scores = scores_for(session, actor=actor, as_of=as_of, company_ids=company_ids)
    inputs = buyer_inputs(
        session,
        actor=actor,
        as_of=as_of,
        currency=target,
        policy=policy.policy,
        scores=scores,
        company_ids=company_ids,
        posted_sales=posted_sales,
    )
    result = recommend_limits(inputs, policy=policy.policy, amounts=amounts)
    rows = result.join(inputs.select("company_id", *CONTEXT_COLUMNS), on="company_id", how="left")
    return Recommendations(as_of, target, policy, amounts, scores, rows)
