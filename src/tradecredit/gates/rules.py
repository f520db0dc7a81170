"""The gate rule: allow, warn or hold a quote, order, delivery or invoice. Pure, no session.

Hold (the sale waits in the hold queue until a role that may override releases it):
- the company is insolvent or dissolved;
- the customer account is on hold;
- the oldest overdue invoice is more than the policy's `overdue_tolerance_days` past due;
- the exposure after the amount would be over the limit (a limit of 0 holds every sale);
- the buyer has no limit, at order, delivery and invoice. At quote it only warns: a quote to a
  new buyer is how the relationship starts, the limit request follows, and the order is
  checked again;
- any reason handed in from outside (`more_reasons`), e.g. stop-delivery under an insurance
  policy once that package exists.

Warn (the sale goes ahead; the reasons are shown):
- utilisation after the amount is at least the policy's `utilisation_warning_share` (80%);
- the limit has expired (its review is overdue). Expiry warns rather than holds: the review
  queue already lists the buyer, and stopping every sale of a paying buyer because a review
  slipped is not what a credit manager wants. A policy that must stop trade on expiry can set
  the limit to 0 or put the account on hold.

Invoicing goods already delivered is never blocked: every reason is still listed, but a hold
becomes a warning, with the reason INVOICE_FOR_DELIVERED_GOODS saying why.

`already_counted` is the part of `amount` that the exposure already includes (an order being
delivered or invoiced is in exposure as an uninvoiced order or delivery), so only the rest is
added. Over-limit compares the exposure after the amount with the limit even when nothing is
added: delivering an order of a buyer who is already over the limit (e.g. after a limit cut)
is held.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from tradecredit.gates.position import CreditPosition, utilisation_of
from tradecredit.kit.errors import InvalidInput
from tradecredit.limits.policy import CreditPolicy


class Stage(StrEnum):
    QUOTE = "quote"
    ORDER = "order"
    DELIVERY = "delivery"
    INVOICE = "invoice"


class Outcome(StrEnum):
    ALLOW = "allow"
    WARN = "warn"
    HOLD = "hold"


class Effect(StrEnum):
    HOLD = "hold"
    WARN = "warn"
    INFO = "info"


@dataclass(frozen=True)
class GateReason:
    """Why a gate warned or held: a stable code, its effect here, one sentence in en and zh."""

    code: str
    effect: Effect
    text_en: str
    text_zh: str


@dataclass(frozen=True)
class GateOutcome:
    """Amounts in `currency` (the position's). `added` is what the sale adds to exposure."""

    outcome: Outcome
    reasons: tuple[GateReason, ...]
    stage: Stage
    currency: str
    amount: Decimal
    added: Decimal
    limit: Decimal | None
    exposure: Decimal
    available: Decimal | None
    exposure_after: Decimal
    utilisation_after: Decimal | None

    @property
    def holds(self) -> bool:
        return self.outcome is Outcome.HOLD


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,f} {currency}"


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f}%"


def _company_reasons(position: CreditPosition) -> list[GateReason]:
    found = []
    if position.company_status in ("insolvent", "dissolved"):
        status = position.company_status
        zh = "已破产" if status == "insolvent" else "已解散"
        found.append(
            GateReason(
                f"COMPANY_{status.upper()}",
                Effect.HOLD,
                f"The buyer is {status}",
                f"买方{zh}",
            )
        )
    if position.account_on_hold:
        found.append(
            GateReason(
                "ACCOUNT_ON_HOLD",
                Effect.HOLD,
                "The customer account is on hold",
                "客户账户已被冻结",
            )
        )
    return found


def _overdue_reasons(position: CreditPosition, policy: CreditPolicy) -> list[GateReason]:
    days = position.oldest_overdue_days
    tolerance = policy.overdue_tolerance_days
    if days is None or days <= tolerance:
        return []
    return [
        GateReason(
            "OVERDUE_BEYOND_TOLERANCE",
            Effect.HOLD,
            f"The oldest overdue invoice is {days} days past due, beyond the "
            f"{tolerance}-day tolerance",
            f"最早逾期发票已逾期 {days} 天，超过 {tolerance} 天的容忍期",
        )
    ]


def _limit_reasons(
    position: CreditPosition, stage: Stage, exposure_after: Decimal, policy: CreditPolicy
) -> list[GateReason]:
    currency = position.currency
    if position.limit is None:
        effect = Effect.WARN if stage is Stage.QUOTE else Effect.HOLD
        return [GateReason("NO_LIMIT", effect, "The buyer has no credit limit", "买方没有信用限额")]
    limit = position.limit
    found = []
    if exposure_after > limit:
        found.append(
            GateReason(
                "OVER_LIMIT",
                Effect.HOLD,
                f"Exposure would be {_money(exposure_after, currency)}, over the limit "
                f"{_money(limit, currency)}",
                f"敞口将达 {_money(exposure_after, currency)}，超过限额 {_money(limit, currency)}",
            )
        )
    elif exposure_after >= policy.utilisation_warning_share * limit:
        share = _percent(policy.utilisation_warning_share)
        used = _percent(utilisation_of(exposure_after, limit) or Decimal(0))
        found.append(
            GateReason(
                "UTILISATION_HIGH",
                Effect.WARN,
                f"Utilisation would be {used} of the limit, at or above {share}",
                f"限额使用率将达 {used}，达到或超过 {share}",
            )
        )
    if position.limit_expired and position.limit_valid_until is not None:
        day = position.limit_valid_until.isoformat()
        found.append(
            GateReason(
                "LIMIT_EXPIRED",
                Effect.WARN,
                f"The credit limit expired on {day}; its review is overdue",
                f"信用限额已于 {day} 到期，复核已逾期",
            )
        )
    return found


def _as_warning(reason: GateReason) -> GateReason:
    if reason.effect is not Effect.HOLD:
        return reason
    return GateReason(reason.code, Effect.WARN, reason.text_en, reason.text_zh)


DELIVERED_GOODS = GateReason(
    "INVOICE_FOR_DELIVERED_GOODS",
    Effect.INFO,
    "The goods are already delivered: invoicing them is never blocked, so holds are warnings",
    "货物已交付：开具发票从不被阻止，暂停理由仅作警告",
)


def _validated(amount: Decimal, already_counted: Decimal) -> None:
    if amount <= 0:
        raise InvalidInput(f"amount must be positive, got {amount}", details={"field": "amount"})
    if already_counted < 0:
        raise InvalidInput(
            f"already_counted must not be negative, got {already_counted}",
            details={"field": "already_counted"},
        )


def gate_outcome(
    position: CreditPosition,
    *,
    stage: Stage,
    amount: Decimal,
    already_counted: Decimal,
    policy: CreditPolicy,
    delivered: bool = False,
    more_reasons: Sequence[GateReason] = (),
) -> GateOutcome:
    """The gate's answer for a sale of `amount` (in the position's currency) at `stage`.

    `delivered` (invoice stage only): the goods are delivered, so the invoice is never held.
    `already_counted`: the part of `amount` exposure already includes (at most `amount` of it
    is taken off). `more_reasons`: reasons from checks outside this module (the extension
    point for insurance stop-delivery), treated like this module's own.
    """
    _validated(amount, already_counted)
    added = amount - min(already_counted, amount)
    exposure_after = position.exposure + added
    reasons = [
        *_company_reasons(position),
        *_overdue_reasons(position, policy),
        *_limit_reasons(position, stage, exposure_after, policy),
        *more_reasons,
    ]
    never_blocked = stage is Stage.INVOICE and delivered
    if never_blocked and any(reason.effect is Effect.HOLD for reason in reasons):
        reasons = [*(_as_warning(reason) for reason in reasons), DELIVERED_GOODS]
    effects = {reason.effect for reason in reasons}
    outcome = (
        Outcome.HOLD
        if Effect.HOLD in effects
        else Outcome.WARN
        if Effect.WARN in effects
        else Outcome.ALLOW
    )
    return GateOutcome(
        outcome=outcome,
        reasons=tuple(reasons),
        stage=stage,
        currency=position.currency,
        amount=amount,
        added=added,
        limit=position.limit,
        exposure=position.exposure,
        available=position.available,
        exposure_after=exposure_after,
        utilisation_after=utilisation_of(exposure_after, position.limit),
    )
