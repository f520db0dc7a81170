"""The checkout decision rules: a pure function of what is known about the buyer and the order.

docs/decisions.md states the rules for credit managers; in short, in this order:

1. unknown buyer -> refer (nothing to assess);
2. declines, all reported together: insolvent or dissolved (or grade 10), grade worse than the
   policy grants credit to, account on hold, an invoice overdue beyond the policy's tolerance,
   terms longer than the checkout maximum, a limit of 0;
3. no score -> refer;
4. no active limit: within the progressive starting limit (exposure included) -> approve, else
   refer (a limit request is needed);
5. an expired limit -> refer (due for review);
6. within the limit (exposure included) -> approve; over it by at most the referral margin ->
   refer (a person may raise the limit); further over -> decline, saying what is left.

Every amount is in minor units of one currency (the position currency), so no rounding happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from tradecredit.kit.money import from_minor
from tradecredit.scoring.grades import INSOLVENT_GRADE
from tradecredit.scoring.overlays import Reason


class Outcome(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    REFER = "refer"


@dataclass(frozen=True)
class CheckoutRules:
    """The parameters the rules apply, all in the position currency's minor units.

    `over_limit_referral_share`: an order that takes the buyer over its limit by at most this
    share of the limit is referred to a person instead of declined."""

    currency: str
    max_terms_days: int
    overdue_tolerance_days: int
    max_credit_grade: int
    starting_limit_minor: int
    over_limit_referral_share: Decimal


@dataclass(frozen=True)
class BuyerFacts:
    """What the engine knows about the buyer when it decides (None: not known).

    `limit_minor` is the active credit limit (None: the buyer has none); `exposure_minor` is
    what the buyer owes and has on order before this decision."""

    known: bool
    status: str | None = None
    grade: int | None = None
    pd: Decimal | None = None
    account_on_hold: bool = False
    oldest_overdue_days: int | None = None
    limit_minor: int | None = None
    limit_expired: bool = False
    exposure_minor: int = 0


@dataclass(frozen=True)
class Verdict:
    """The answer. `applied_limit_minor`: the active limit, or the starting limit for a buyer
    without one; `limit_left_minor`: that limit less the exposure after this decision (the
    order counts only when approved); both None when no limit applies."""

    outcome: Outcome
    reasons: tuple[Reason, ...]
    applied_limit_minor: int | None
    limit_left_minor: int | None


def money(minor: int, currency: str) -> str:
    return f"{from_minor(minor, currency):,f} {currency}"


def _unknown_buyer() -> Reason:
    return Reason(
        "NO_ASSESSMENT",
        "The buyer is not known: no assessment exists; a credit analyst must assess it",
        "买方未知：尚无评估；需由信用分析师评估",
    )


def _status(facts: BuyerFacts) -> Reason | None:
    if facts.status == "dissolved":
        return Reason(
            "BUYER_DISSOLVED", "The buyer is dissolved: no credit", "买方已解散：不予授信"
        )
    if facts.status == "insolvent" or facts.grade == INSOLVENT_GRADE:
        return Reason(
            "BUYER_INSOLVENT",
            f"The buyer is insolvent (grade {INSOLVENT_GRADE}): no credit",
            f"买方已资不抵债（评级 {INSOLVENT_GRADE}）：不予授信",
        )
    return None


def _grade(facts: BuyerFacts, rules: CheckoutRules) -> Reason | None:
    if facts.grade is None or facts.grade == INSOLVENT_GRADE:
        return None
    if facts.grade > rules.max_credit_grade:
        return Reason(
            "GRADE_TOO_RISKY",
            f"Grade {facts.grade} is worse than the policy grants credit to "
            f"(grades 1-{rules.max_credit_grade})",
            f"评级 {facts.grade} 差于政策允许授信的等级（1-{rules.max_credit_grade}）",
        )
    return None


def _hold(facts: BuyerFacts) -> Reason | None:
    if not facts.account_on_hold:
        return None
    return Reason(
        "ACCOUNT_ON_HOLD",
        "The buyer's account is on hold: no new sales on credit until it is released",
        "买方账户已冻结：解除前不得赊销",
    )


def _overdue(facts: BuyerFacts, rules: CheckoutRules) -> Reason | None:
    days = facts.oldest_overdue_days
    if days is None or days <= rules.overdue_tolerance_days:
        return None
    return Reason(
        "OVERDUE_BEYOND_TOLERANCE",
        f"An invoice is {days} days overdue, beyond the policy's tolerance of "
        f"{rules.overdue_tolerance_days} days",
        f"有发票逾期 {days} 天，超过政策容忍的 {rules.overdue_tolerance_days} 天",
    )


def _terms(terms_days: int, rules: CheckoutRules) -> Reason | None:
    if terms_days <= rules.max_terms_days:
        return None
    return Reason(
        "TERMS_ABOVE_POLICY",
        f"Payment terms of {terms_days} days exceed the policy's maximum of "
        f"{rules.max_terms_days} days; offer at most {rules.max_terms_days} days",
        f"账期 {terms_days} 天超过政策上限 {rules.max_terms_days} 天；最多可提供 "
        f"{rules.max_terms_days} 天",
    )


def _zero_limit(facts: BuyerFacts) -> Reason | None:
    if facts.limit_minor != 0:
        return None
    return Reason(
        "LIMIT_REFUSED",
        "The buyer's credit limit is 0: credit was refused",
        "买方信用限额为 0：已拒绝授信",
    )


def _declines(facts: BuyerFacts, terms_days: int, rules: CheckoutRules) -> list[Reason]:
    found = (
        _status(facts),
        _grade(facts, rules),
        _hold(facts),
        _overdue(facts, rules),
        _terms(terms_days, rules),
        _zero_limit(facts),
    )
    return [reason for reason in found if reason is not None]


def _verdict(
    outcome: Outcome, reason: Reason, limit: int | None, facts: BuyerFacts, amount_minor: int
) -> Verdict:
    if limit is None:
        return Verdict(outcome, (reason,), None, None)
    taken = amount_minor if outcome is Outcome.APPROVE else 0
    return Verdict(outcome, (reason,), limit, limit - facts.exposure_minor - taken)


def _without_limit(facts: BuyerFacts, amount_minor: int, rules: CheckoutRules) -> Verdict:
    start, total, cur = (
        rules.starting_limit_minor,
        facts.exposure_minor + amount_minor,
        rules.currency,
    )
    if total <= start:
        reason = Reason(
            "WITHIN_STARTING_LIMIT",
            f"No credit limit yet: exposure with this order, {money(total, cur)}, is within "
            f"the starting limit for new buyers, {money(start, cur)}",
            f"尚无信用限额：含本单敞口 {money(total, cur)} 在新买方起始限额 "
            f"{money(start, cur)} 之内",
        )
        return _verdict(Outcome.APPROVE, reason, start, facts, amount_minor)
    reason = Reason(
        "NO_LIMIT_ABOVE_STARTING_LIMIT",
        f"No credit limit yet and exposure with this order, {money(total, cur)}, exceeds the "
        f"starting limit for new buyers, {money(start, cur)}: a limit request is needed",
        f"尚无信用限额，且含本单敞口 {money(total, cur)} 超过新买方起始限额 "
        f"{money(start, cur)}：需申请限额",
    )
    return _verdict(Outcome.REFER, reason, start, facts, amount_minor)


def _within_limit(facts: BuyerFacts, amount_minor: int, rules: CheckoutRules) -> Verdict:
    limit, cur = facts.limit_minor, rules.currency
    assert limit is not None
    total = facts.exposure_minor + amount_minor
    left = limit - facts.exposure_minor
    if total <= limit:
        reason = Reason(
            "WITHIN_LIMIT",
            f"Exposure with this order, {money(total, cur)}, is within the credit limit of "
            f"{money(limit, cur)}",
            f"含本单敞口 {money(total, cur)} 在信用限额 {money(limit, cur)} 之内",
        )
        return _verdict(Outcome.APPROVE, reason, limit, facts, amount_minor)
    margin = limit * rules.over_limit_referral_share
    shown_left = money(max(left, 0), cur)
    if total <= limit + margin:
        reason = Reason(
            "OVER_LIMIT_REFERRED",
            f"This order takes exposure to {money(total, cur)}, over the limit of "
            f"{money(limit, cur)} (left: {shown_left}) but within the referral margin: a "
            f"credit manager may raise the limit",
            f"本单使敞口达到 {money(total, cur)}，超过限额 {money(limit, cur)}（剩余 "
            f"{shown_left}），但在转介幅度之内：信用经理可提高限额",
        )
        return _verdict(Outcome.REFER, reason, limit, facts, amount_minor)
    reason = Reason(
        "OVER_LIMIT",
        f"This order takes exposure to {money(total, cur)}, over the limit of "
        f"{money(limit, cur)}; the limit left is {shown_left}",
        f"本单使敞口达到 {money(total, cur)}，超过限额 {money(limit, cur)}；剩余限额 {shown_left}",
    )
    return _verdict(Outcome.DECLINE, reason, limit, facts, amount_minor)


def decide(
    facts: BuyerFacts, *, amount_minor: int, terms_days: int, rules: CheckoutRules
) -> Verdict:
    """The outcome and its reasons for an order of `amount_minor` (position currency)."""
    if not facts.known:
        return Verdict(Outcome.REFER, (_unknown_buyer(),), None, None)
    declines = _declines(facts, terms_days, rules)
    limit = facts.limit_minor
    if declines:
        left = None if limit is None else limit - facts.exposure_minor
        return Verdict(Outcome.DECLINE, tuple(declines), limit, left)
    if facts.grade is None:
        reason = Reason(
            "NO_SCORE",
            "The buyer has no score: a credit analyst must assess it",
            "买方尚无评分：需由信用分析师评估",
        )
        return Verdict(Outcome.REFER, (reason,), limit, None)
    if limit is None:
        return _without_limit(facts, amount_minor, rules)
    if facts.limit_expired:
        reason = Reason(
            "LIMIT_EXPIRED",
            "The buyer's credit limit has expired and is due for review",
            "买方信用限额已过期，需重新审核",
        )
        return _verdict(Outcome.REFER, reason, limit, facts, amount_minor)
    return _within_limit(facts, amount_minor, rules)
