"""When each invoice would be paid: days beyond terms by payment profile, and settlement modes.

- prompt: around the due date, an occasional slip;
- slow: a buyer-specific 20-60 days late;
- deteriorating: later every year; buyers that fail pay later and later as their filing nears,
  so that the invoices of their last months fall due after it and stay unpaid;
- part payers: modestly late, and in two or three instalments.
Slow, deteriorating and part payers now and then leave an invoice for months.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from tradecredit.demo.buyers import DETERIORATING, PART_PAYER, PROMPT, SLOW, Buyers, Ints
from tradecredit.demo.daymath import Days, next_business_day
from tradecredit.demo.invoices import Invoices

SINGLE, INSTALMENTS, LUMP, DISPUTED = 0, 1, 2, 3
"""Settlement modes: one payment naming the invoice, instalments naming it, part of a monthly
lump naming nothing, or disputed (the undisputed part paid on time, the rest when resolved)."""
DISPUTE_RATE = 0.011
RANDOM_INSTALMENT_RATE = 0.03
LONG_DELAY_RATE = 0.03
PROMPT_SLIP_RATE = 0.02
EARLIEST_PAYMENT_AFTER_ISSUE = 3


def days_beyond_terms(
    rng: np.random.Generator, buyers: Buyers, invoices: Invoices, *, start: date
) -> Ints:
    b = invoices.buyer
    n = len(b)
    profile = buyers.profile[b]
    noise = rng.normal(0.0, 1.0, n)
    years_in = (invoices.due - start.toordinal()).clip(0) / 365.25
    to_failure = np.maximum(buyers.default_day[b] - invoices.due, 0)
    prompt = np.clip(0.5 + 3.5 * noise, -12.0, 20.0)
    slow = np.maximum(5.0, rng.uniform(20.0, 60.0, buyers.n)[b] + 8.0 * noise)
    worsening = (
        rng.uniform(-2.0, 8.0, buyers.n)[b]
        + rng.uniform(10.0, 22.0, buyers.n)[b] * years_in**1.4
        + 5.0 * noise
    )
    failing = (
        rng.uniform(0.0, 15.0, buyers.n)[b] + 110.0 * np.exp(-to_failure / 130.0) + 6.0 * noise
    )
    part = rng.uniform(5.0, 35.0, buyers.n)[b] + 6.0 * noise
    late = np.select(
        [profile == PROMPT, profile == SLOW, profile == PART_PAYER, profile == DETERIORATING],
        [prompt, slow, part, worsening],
    )
    late = np.where(buyers.defaulted[b], np.maximum(failing, -5.0), late)
    long_delay = (profile != PROMPT) & (rng.random(n) < LONG_DELAY_RATE)
    slip = (profile == PROMPT) & (rng.random(n) < PROMPT_SLIP_RATE)
    late = late + np.where(long_delay, rng.uniform(80.0, 200.0, n), 0.0)
    late = late + np.where(slip, rng.uniform(10.0, 40.0, n), 0.0)
    return np.rint(late).astype(np.int64)


def intended_payment_day(invoices: Invoices, late: Ints) -> Days:
    """Due date plus lateness, not before a few days after issue, moved to a bank business day."""
    day = np.maximum(invoices.due + late, invoices.issue + EARLIEST_PAYMENT_AFTER_ISSUE)
    return next_business_day(day)


def settlement_modes(
    rng: np.random.Generator, buyers: Buyers, invoices: Invoices, *, end: date
) -> Ints:
    """Lump payers pay monthly lumps; disputes need time to open before `end`."""
    b = invoices.buyer
    n = len(b)
    lump = buyers.lump[b]
    disputable = ~lump & (invoices.issue <= end.toordinal() - 45)
    disputed = disputable & (rng.random(n) < DISPUTE_RATE)
    split = (buyers.profile[b] == PART_PAYER) | (rng.random(n) < RANDOM_INSTALMENT_RATE)
    return np.select([lump, disputed, split], [LUMP, DISPUTED, INSTALMENTS], default=SINGLE).astype(
        np.int64
    )


def last_payment_day(buyers: Buyers, invoices: Invoices, *, end: date) -> Days:
    """Nothing is paid after `end`, nor by a buyer on or after its insolvency filing."""
    b = invoices.buyer
    return np.where(buyers.defaulted[b], buyers.default_day[b] - 1, end.toordinal())
