"""Credit notes and disputes, and the payments a dispute's outcome brings.

A plain credit note (price correction, return) is issued before the invoice is paid, and the buyer
pays the invoice net of it; lump payers get none, so no credit ever lands on an invoice that a
payment has already settled. A dispute covers the whole invoice or part of it: the undisputed part
is paid on the usual day; if resolved, the disputed part is either credited or paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from tradecredit.demo.behaviour import DISPUTED, LUMP
from tradecredit.demo.buyers import Buyers, Flags, Ints
from tradecredit.demo.daymath import Days, next_business_day
from tradecredit.demo.invoices import Invoices
from tradecredit.demo.reference import CREDIT_NOTE_REASONS, DISPUTE_REASONS

BP = 10_000
CREDIT_NOTE_RATE = 0.023
RETURN_SHARE = 0.3
FULL_RETURN_SHARE = 0.1
FULL_DISPUTE_SHARE = 0.4
DISPUTE_RESOLVED_SHARE = 0.7
RESOLVED_BY_CREDIT_SHARE = 0.5
_RETURN_REASONS = ("returned goods", "damaged in transit")
_PRICE_REASONS = tuple(r for r in CREDIT_NOTE_REASONS if r not in _RETURN_REASONS)


@dataclass(frozen=True)
class Movements:
    """Amounts in minor units against invoices (by position), on days, with a reason each."""

    invoice: Ints
    day: Days
    amount: Ints
    reason: list[str]

    @staticmethod
    def concat(parts: list[Movements]) -> Movements:
        return Movements(
            invoice=np.concatenate([p.invoice for p in parts]).astype(np.int64),
            day=np.concatenate([p.day for p in parts]).astype(np.int64),
            amount=np.concatenate([p.amount for p in parts]).astype(np.int64),
            reason=[r for p in parts for r in p.reason],
        )


@dataclass(frozen=True)
class Disputes:
    invoice: Ints
    amount: Ints
    opened: Days
    resolved: Days
    """0 where the dispute is still open."""
    reason: list[str]
    credits: Movements
    payments: Movements


def plain_credit_notes(
    rng: np.random.Generator, invoices: Invoices, modes: Ints, pay_day: Days, *, end: date
) -> Movements:
    n = invoices.n
    chosen = (modes != LUMP) & (modes != DISPUTED) & (rng.random(n) < CREDIT_NOTE_RATE)
    is_return = rng.random(n) < RETURN_SHARE
    share_bp = np.where(
        is_return,
        np.where(rng.random(n) < FULL_RETURN_SHARE, BP, rng.integers(1000, BP, n)),
        rng.integers(200, 1500, n),
    )
    amount = np.maximum(1, invoices.amount * share_bp // BP)
    day = np.minimum(invoices.issue + rng.integers(2, 22, n), pay_day - 1)
    day = np.maximum(day, invoices.issue)
    keep = np.flatnonzero(chosen & (day <= end.toordinal()))
    reason_pick = rng.integers(0, 100, n)
    reasons = [
        _RETURN_REASONS[reason_pick[i] % len(_RETURN_REASONS)]
        if is_return[i]
        else _PRICE_REASONS[reason_pick[i] % len(_PRICE_REASONS)]
        for i in keep
    ]
    return Movements(keep, day[keep], amount[keep], reasons)


def disputes(
    rng: np.random.Generator,
    buyers: Buyers,
    invoices: Invoices,
    modes: Ints,
    pay_day: Days,
    last_day: Days,
    *,
    end: date,
) -> Disputes:
    idx = np.flatnonzero(modes == DISPUTED)
    m = len(idx)
    amount = invoices.amount[idx]
    full = rng.random(m) < FULL_DISPUTE_SHARE
    disputed = np.where(full, amount, np.maximum(1, amount * rng.integers(1000, 6000, m) // BP))
    opened = invoices.issue[idx] + rng.integers(5, 42, m)
    resolve_day = opened + rng.integers(10, 152, m)
    fails_first = buyers.defaulted[invoices.buyer[idx]] & (
        resolve_day >= buyers.default_day[invoices.buyer[idx]]
    )
    resolved = (
        (rng.random(m) < DISPUTE_RESOLVED_SHARE) & (resolve_day <= end.toordinal()) & ~fails_first
    )
    by_credit = rng.random(m) < RESOLVED_BY_CREDIT_SHARE
    reason = [DISPUTE_REASONS[i] for i in rng.integers(0, len(DISPUTE_REASONS), m)]
    undisputed = amount - disputed
    on_time = (undisputed > 0) & (pay_day[idx] <= last_day[idx])
    late_day = next_business_day(resolve_day + rng.integers(0, 11, m))
    paid_later = resolved & ~by_credit & (late_day <= last_day[idx])
    credited = resolved & by_credit
    payments = Movements.concat(
        [
            _movements(idx, pay_day[idx], undisputed, on_time, "undisputed part"),
            _movements(idx, late_day, disputed, paid_later, "dispute resolved"),
        ]
    )
    credits = Movements(
        idx[credited],
        resolve_day[credited],
        disputed[credited],
        [f"dispute settled: {r}" for r, c in zip(reason, credited, strict=True) if c],
    )
    return Disputes(
        invoice=idx,
        amount=disputed,
        opened=opened,
        resolved=np.where(resolved, resolve_day, 0),
        reason=reason,
        credits=credits,
        payments=payments,
    )


def _movements(idx: Ints, day: Days, amount: Ints, keep: Flags, reason: str) -> Movements:
    return Movements(idx[keep], day[keep], amount[keep], [reason] * int(keep.sum()))
