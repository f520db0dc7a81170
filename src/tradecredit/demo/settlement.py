"""Payments, credit notes and disputes for every invoice, as template frames.

Payers name the invoice they pay, except lump payers, whose monthly transfers name nothing and are
allocated oldest first. A few prompt payers overpay once, at a moment when everything issued so
far is settled, so the excess stays on the account as unapplied credit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from tradecredit.demo.behaviour import (
    INSTALMENTS,
    LUMP,
    SINGLE,
    days_beyond_terms,
    intended_payment_day,
    last_payment_day,
    settlement_modes,
)
from tradecredit.demo.buyers import PART_PAYER, PROMPT, Buyers, Flags, Ints
from tradecredit.demo.corrections import BP, Disputes, Movements, disputes, plain_credit_notes
from tradecredit.demo.daymath import Days, month_key, next_business_day
from tradecredit.demo.invoices import Invoices
from tradecredit.demo.portfolio import to_dates, with_major_text
from tradecredit.kit.currencies import exponent

OVERPAYER_SHARE = 0.015
NOT_SETTLED = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Settlement:
    payments: pl.DataFrame
    credit_notes: pl.DataFrame
    disputes: pl.DataFrame


@dataclass(frozen=True)
class Payments:
    """Payments in ledger order (day, then payer); `invoice` is -1 where none is named."""

    buyer: Ints
    invoice: Ints
    day: Days
    amount: Ints


def settle(
    rng: np.random.Generator, buyers: Buyers, invoices: Invoices, *, start: date, end: date
) -> Settlement:
    late = days_beyond_terms(rng, buyers, invoices, start=start)
    pay_day = intended_payment_day(invoices, late)
    modes = settlement_modes(rng, buyers, invoices, end=end)
    last_day = last_payment_day(buyers, invoices, end=end)
    plain = plain_credit_notes(rng, invoices, modes, pay_day, end=end)
    net = invoices.amount.copy()
    net[plain.invoice] -= plain.amount
    argued = disputes(rng, buyers, invoices, modes, pay_day, last_day, end=end)
    paid = (net > 0) & (pay_day <= last_day)
    named = Movements.concat(
        [
            _single(modes, pay_day, net, paid),
            _instalments(rng, buyers, invoices, modes, pay_day, net, last_day),
            argued.payments,
        ]
    )
    payments = _in_ledger_order(invoices, named, _lumps(invoices, modes, pay_day, net, paid))
    credits = Movements.concat([plain, argued.credits])
    payments = _overpay(rng, buyers, invoices, payments, credits)
    return Settlement(
        payments=_payments_frame(buyers, invoices, payments),
        credit_notes=_credit_notes_frame(invoices, credits),
        disputes=_disputes_frame(invoices, argued),
    )


def _single(modes: Ints, pay_day: Days, net: Ints, paid: Flags) -> Movements:
    keep = np.flatnonzero((modes == SINGLE) & paid)
    return Movements(keep, pay_day[keep], net[keep], ["invoice"] * len(keep))


def _instalments(
    rng: np.random.Generator,
    buyers: Buyers,
    invoices: Invoices,
    modes: Ints,
    pay_day: Days,
    net: Ints,
    last_day: Days,
) -> Movements:
    """Two or three parts naming the invoice, 10-45 days apart; parts after the last day never come.

    Chronic part payers split into three more often than buyers who split now and then."""
    idx = np.flatnonzero((modes == INSTALMENTS) & (net > 0))
    m = len(idx)
    chronic = buyers.profile[invoices.buyer[idx]] == PART_PAYER
    three = rng.random(m) < np.where(chronic, 0.6, 0.3)
    first_bp = np.where(three, rng.integers(2500, 4500, m), rng.integers(3000, 7000, m))
    second_bp = rng.integers(2000, 4000, m)
    first = net[idx] * first_bp // BP
    second = np.where(three, net[idx] * second_bp // BP, net[idx] - first)
    third = np.where(three, net[idx] - first - second, 0)
    day1 = pay_day[idx]
    day2 = next_business_day(day1 + rng.integers(10, 46, m))
    day3 = next_business_day(day2 + rng.integers(10, 46, m))
    parts = []
    for amount, day in ((first, day1), (second, day2), (third, day3)):
        keep = (amount > 0) & (day <= last_day[idx])
        parts.append(
            Movements(idx[keep], day[keep], amount[keep], ["instalment"] * int(keep.sum()))
        )
    return Movements.concat(parts)


def _lumps(invoices: Invoices, modes: Ints, pay_day: Days, net: Ints, paid: Flags) -> Payments:
    """One transfer per lump payer and month, on the day the month's last invoice was due to be paid."""
    idx = np.flatnonzero((modes == LUMP) & paid)
    keys = invoices.buyer[idx] * 100_000 + month_key(pay_day[idx])
    unique, group = np.unique(keys, return_inverse=True)
    amount = np.zeros(len(unique), dtype=np.int64)
    day = np.zeros(len(unique), dtype=np.int64)
    np.add.at(amount, group, net[idx])
    np.maximum.at(day, group, pay_day[idx])
    return Payments(
        buyer=(unique // 100_000).astype(np.int64),
        invoice=np.full(len(unique), -1, dtype=np.int64),
        day=day,
        amount=amount,
    )


def _in_ledger_order(invoices: Invoices, named: Movements, lumps: Payments) -> Payments:
    buyer = np.concatenate([invoices.buyer[named.invoice], lumps.buyer])
    invoice = np.concatenate([named.invoice, lumps.invoice])
    day = np.concatenate([named.day, lumps.day])
    amount = np.concatenate([named.amount, lumps.amount])
    order = np.lexsort((amount, invoice, buyer, day))
    return Payments(buyer[order], invoice[order], day[order], amount[order])


def _settled_day(invoices: Invoices, payments: Payments, credits: Movements) -> Days:
    """The day an invoice is fully paid or credited through named payments; NOT_SETTLED if never."""
    named = payments.invoice >= 0
    covered = np.zeros(invoices.n, dtype=np.int64)
    last = np.zeros(invoices.n, dtype=np.int64)
    for inv, day, amount in (
        (payments.invoice[named], payments.day[named], payments.amount[named]),
        (credits.invoice, credits.day, credits.amount),
    ):
        np.add.at(covered, inv, amount)
        np.maximum.at(last, inv, day)
    return np.where(covered >= invoices.amount, last, NOT_SETTLED)


def _overpay(
    rng: np.random.Generator,
    buyers: Buyers,
    invoices: Invoices,
    payments: Payments,
    credits: Movements,
) -> Payments:
    settled = _settled_day(invoices, payments, credits)
    counts = np.bincount(invoices.buyer, minlength=buyers.n)
    eligible = np.flatnonzero(
        (buyers.profile == PROMPT) & ~buyers.lump & ~buyers.defaulted & (counts >= 6)
    )
    chosen = rng.choice(
        eligible, size=min(len(eligible), max(1, round(buyers.n * OVERPAYER_SHARE))), replace=False
    )
    amount = payments.amount.copy()
    for buyer in np.sort(chosen):
        position = _clean_moment(invoices, payments, settled, int(buyer))
        if position is None:
            continue
        scale = 10 ** exponent(buyers.invoice_currencies[buyer])
        extra = max(scale, int(amount[position]) * int(rng.integers(50, 400)) // BP)
        amount[position] += extra
    return Payments(payments.buyer, payments.invoice, payments.day, amount)


def _clean_moment(invoices: Invoices, payments: Payments, settled: Days, buyer: int) -> int | None:
    """The buyer's latest payment after which every invoice issued so far is settled."""
    own = np.flatnonzero(invoices.buyer == buyer)
    issued, done = invoices.issue[own], np.maximum.accumulate(settled[own])
    mine = np.flatnonzero(payments.buyer == buyer)
    for rank in range(len(mine) - 1, -1, -1):
        position = int(mine[rank])
        day = payments.day[position]
        if rank + 1 < len(mine) and payments.day[mine[rank + 1]] == day:
            continue
        count = int(np.searchsorted(issued, day, side="right"))
        if count and done[count - 1] <= day:
            return position
    return None


def _numbered(frame: pl.DataFrame, prefix: str, day: str, width: int) -> pl.Expr:
    year = pl.col(day).dt.year()
    sequence = (pl.int_range(pl.len()) + 1).over(year).cast(pl.String).str.zfill(width)
    return pl.format(prefix + "-{}-{}", year, sequence)


def _payments_frame(buyers: Buyers, invoices: Invoices, payments: Payments) -> pl.DataFrame:
    numbers = invoices.frame.get_column("invoice_number").to_list()
    frame = pl.DataFrame(
        {
            "payment_date": to_dates(payments.day),
            "amount_minor": payments.amount,
            "currency": [buyers.invoice_currencies[b] for b in payments.buyer],
            "payer_registration_number": [buyers.registration_numbers[b] for b in payments.buyer],
            "payer_country": [buyers.countries[b] for b in payments.buyer],
            "invoice_number": [None if i < 0 else numbers[int(i)] for i in payments.invoice],
        },
        schema_overrides={"invoice_number": pl.String},
    )
    frame = frame.with_columns(
        _numbered(frame, "RCPT", "payment_date", 6).alias("payment_reference")
    )
    return with_major_text(frame, {"amount_minor": "amount"}).select(
        "payment_reference",
        "payer_registration_number",
        "payer_country",
        "currency",
        "amount",
        "payment_date",
        "invoice_number",
    )


def _credit_notes_frame(invoices: Invoices, credits: Movements) -> pl.DataFrame:
    numbers = invoices.frame.get_column("invoice_number").to_list()
    frame = pl.DataFrame(
        {
            "invoice_position": credits.invoice,
            "issue_date": to_dates(credits.day),
            "amount_minor": credits.amount,
            "currency": [invoices.currency[i] for i in credits.invoice],
            "invoice_number": [numbers[int(i)] for i in credits.invoice],
            "reason": credits.reason,
        },
        schema_overrides={"currency": pl.String, "invoice_number": pl.String, "reason": pl.String},
    ).sort("issue_date", "invoice_position")
    frame = frame.with_columns(_numbered(frame, "CN", "issue_date", 5).alias("credit_note_number"))
    return with_major_text(frame, {"amount_minor": "amount"}).select(
        "credit_note_number", "invoice_number", "currency", "amount", "issue_date", "reason"
    )


def _disputes_frame(invoices: Invoices, argued: Disputes) -> pl.DataFrame:
    numbers = invoices.frame.get_column("invoice_number").to_list()
    frame = pl.DataFrame(
        {
            "invoice_position": argued.invoice,
            "invoice_number": [numbers[int(i)] for i in argued.invoice],
            "amount_minor": argued.amount,
            "currency": [invoices.currency[i] for i in argued.invoice],
            "opened_on": to_dates(argued.opened),
            "resolved_on": to_dates(np.where(argued.resolved > 0, argued.resolved, argued.opened)),
            "reason": argued.reason,
        },
        schema_overrides={"invoice_number": pl.String, "currency": pl.String, "reason": pl.String},
    ).with_columns(
        pl.when(pl.Series(argued.resolved > 0)).then(pl.col("resolved_on")).alias("resolved_on")
    )
    frame = frame.sort("opened_on", "invoice_position")
    return with_major_text(frame, {"amount_minor": "amount"}).select(
        "invoice_number", "amount", "currency", "opened_on", "resolved_on", "reason"
    )
