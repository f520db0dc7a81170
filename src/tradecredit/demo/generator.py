"""The deterministic demo portfolio: the same arguments always give the same frames.

Each stage draws from its own generator, seeded from (seed, stage number), so that changing one
stage's draws leaves the others' untouched. No global random state, clock or uuid4 is used.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from tradecredit.demo.buyers import draw_buyers
from tradecredit.demo.daymath import window_start
from tradecredit.demo.events import events_frame
from tradecredit.demo.fx import fx_frame, fx_table
from tradecredit.demo.identity import accounts_frame, companies_frame, truth_frame
from tradecredit.demo.invoices import draw_invoices
from tradecredit.demo.portfolio import DEMO_SELLER, Portfolio
from tradecredit.demo.settlement import settle
from tradecredit.demo.statements import statements_frame
from tradecredit.kit.errors import InvalidInput

STAGES = ("buyers", "companies", "accounts", "statements", "fx", "invoices", "settlement", "events")
MIN_BUYERS = 30
"""Below this the stratified draws cannot show every country and sector."""


def stage_rng(seed: int, stage: str) -> np.random.Generator:
    return np.random.default_rng([seed, STAGES.index(stage)])


def generate_portfolio(
    *, seed: int = 42, buyers: int = 2000, end: date = date(2026, 9, 30), years: int = 3
) -> Portfolio:
    """One seller's book: buyers, statements, accounts, invoices, payments and what went wrong."""
    _check_arguments(seed=seed, buyers=buyers, years=years)
    start = window_start(end, years)
    book = draw_buyers(stage_rng(seed, "buyers"), n=buyers, start=start, end=end)
    rates = fx_table(stage_rng(seed, "fx"), start=start, end=end)
    invoices = draw_invoices(stage_rng(seed, "invoices"), book, rates, end=end)
    settlement = settle(stage_rng(seed, "settlement"), book, invoices, start=start, end=end)
    return Portfolio(
        seed=seed,
        start=start,
        end=end,
        seller=DEMO_SELLER,
        companies=companies_frame(stage_rng(seed, "companies"), book, start=start),
        statements=statements_frame(stage_rng(seed, "statements"), book, end=end, years=years),
        accounts=accounts_frame(stage_rng(seed, "accounts"), book),
        invoices=invoices.frame,
        payments=settlement.payments,
        credit_notes=settlement.credit_notes,
        disputes=settlement.disputes,
        events=events_frame(stage_rng(seed, "events"), book, start=start, end=end),
        fx_rates=fx_frame(rates),
        truth=truth_frame(book),
    )


def _check_arguments(*, seed: int, buyers: int, years: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidInput(f"seed must be a non-negative integer, got {seed!r}")
    if isinstance(buyers, bool) or not isinstance(buyers, int) or buyers < MIN_BUYERS:
        raise InvalidInput(f"buyers must be an integer of at least {MIN_BUYERS}, got {buyers!r}")
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 10:
        raise InvalidInput(f"years must be an integer from 1 to 10, got {years!r}")
