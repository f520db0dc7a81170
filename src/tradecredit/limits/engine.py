"""The decision engine: one limit request, the buyer's assessment and the policy -> an outcome,
an amount, conditions and reasons. Pure: the service loads the facts and stores the answer.

In order:
1. an insolvent or dissolved buyer, or grade 10: refused;
2. nothing recommended (e.g. grade worse than `max_credit_grade`, no capacity): refused;
3. requested <= recommended: approved at the requested amount;
4. requested > recommended: a new buyer bound by the no-financials or progressive limit is refused
   when the policy says `without_data = "refuse"`; a buyer of a `conditional.grades` grade asking
   at most `max_multiple` times the recommendation gets the full amount on a condition (a
   guarantee for the excess, or prepayment of a share); otherwise partly approved at the
   recommendation;
5. an amount above the engine's authority for the grade is referred to a person (the service
   picks the role); so is a limit that would fall below the current exposure, unless the request
   confirmed it.
Every decision carries the recommendation's reason first.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from tradecredit.limits import reasons
from tradecredit.limits.policy import ConditionKind, CreditPolicy, WithoutData
from tradecredit.scoring.grades import INSOLVENT_GRADE
from tradecredit.scoring.overlays import Reason


class Outcome(StrEnum):
    APPROVED = "approved"
    PARTLY_APPROVED = "partly_approved"
    CONDITIONAL = "conditional"
    REFERRED = "referred"
    REFUSED = "refused"


GRANTING = frozenset({Outcome.APPROVED, Outcome.PARTLY_APPROVED, Outcome.CONDITIONAL})


@dataclass(frozen=True)
class Assessment:
    """What the engine knows of the buyer, amounts in minor units of the request currency."""

    status: str
    grade: int
    pd: Decimal
    recommended_minor: int
    binding: str
    new_buyer: bool
    engine_authority_minor: int
    exposure_minor: int


@dataclass(frozen=True)
class Condition:
    kind: str
    amount_minor: int | None = None
    share: Decimal | None = None


@dataclass(frozen=True)
class EngineDecision:
    outcome: Outcome
    amount_minor: int | None
    """The amount granted; 0 when refused; None when referred (the proposal is `proposed`)."""
    proposed_minor: int | None
    conditions: tuple[Condition, ...]
    reasons: tuple[Reason, ...]
    below_exposure_confirmed: bool = False


def _refused(why: tuple[Reason, ...]) -> EngineDecision:
    return EngineDecision(Outcome.REFUSED, 0, None, (), why)


def _granted(
    requested: int, currency: str, facts: Assessment, policy: CreditPolicy
) -> EngineDecision:
    """Steps 3 and 4: what the engine would grant if the amount were within its authority."""
    recommended = facts.recommended_minor
    first = reasons.recommendation(recommended, currency, facts.binding)
    if requested <= recommended:
        return EngineDecision(
            Outcome.APPROVED,
            requested,
            requested,
            (),
            (first, reasons.within_recommendation(requested, currency)),
        )
    above = reasons.above_recommendation(requested, recommended, currency)
    no_data = facts.binding in ("no_financials", "progressive") and facts.new_buyer
    if no_data and policy.without_data is WithoutData.REFUSE:
        return _refused((first, above, reasons.new_buyer_without_data()))
    rule = policy.conditional
    if facts.grade in rule.grades and requested <= recommended * rule.max_multiple:
        condition = (
            Condition(ConditionKind.GUARANTEE.value, amount_minor=requested - recommended)
            if rule.condition is ConditionKind.GUARANTEE
            else Condition(ConditionKind.PREPAYMENT.value, share=rule.prepayment_share)
        )
        why = (first, above, reasons.conditional(rule.condition.value, facts.grade))
        return EngineDecision(Outcome.CONDITIONAL, requested, requested, (condition,), why)
    return EngineDecision(Outcome.PARTLY_APPROVED, recommended, recommended, (), (first, above))


def decide(
    *,
    requested_minor: int,
    currency: str,
    facts: Assessment,
    policy: CreditPolicy,
    confirm_below_exposure: bool = False,
) -> EngineDecision:
    """The engine's answer to one request (see the module docstring for the rules)."""
    if facts.status in ("insolvent", "dissolved") or facts.grade >= INSOLVENT_GRADE:
        return _refused((reasons.insolvent(facts.status, facts.grade),))
    if facts.recommended_minor <= 0:
        return _refused((reasons.nothing_recommended(facts.binding),))
    granted = _granted(requested_minor, currency, facts, policy)
    amount = granted.amount_minor
    if granted.outcome not in GRANTING or amount is None:
        return granted
    if amount > facts.engine_authority_minor:
        why = reasons.above_engine_authority(
            amount, facts.engine_authority_minor, currency, facts.grade
        )
        return _referred(granted, why)
    if amount < facts.exposure_minor:
        gap = (amount, facts.exposure_minor, currency)
        if not confirm_below_exposure:
            return _referred(granted, reasons.below_exposure(*gap))
        return EngineDecision(
            granted.outcome,
            amount,
            amount,
            granted.conditions,
            (*granted.reasons, reasons.below_exposure_confirmed(*gap)),
            below_exposure_confirmed=True,
        )
    return granted


def _referred(granted: EngineDecision, why: Reason) -> EngineDecision:
    return EngineDecision(
        Outcome.REFERRED, None, granted.amount_minor, granted.conditions, (*granted.reasons, why)
    )
