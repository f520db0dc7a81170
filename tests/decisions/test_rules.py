"""The checkout rules as worked examples: one row per situation a credit manager recognises."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradecredit.decisions.rules import BuyerFacts, CheckoutRules, Outcome, decide

RULES = CheckoutRules(
    currency="EUR",
    max_terms_days=90,
    overdue_tolerance_days=15,
    max_credit_grade=8,
    starting_limit_minor=500_000,
    over_limit_referral_share=Decimal("0.10"),
)
GOOD = BuyerFacts(known=True, status="active", grade=4, pd=Decimal("0.008"))


def limited(limit: int, exposure: int = 0, **extra: object) -> BuyerFacts:
    values = GOOD.__dict__ | {"limit_minor": limit, "exposure_minor": exposure} | extra
    return BuyerFacts(**values)  # type: ignore[arg-type]


def changed(**extra: object) -> BuyerFacts:
    return BuyerFacts(**(GOOD.__dict__ | extra))  # type: ignore[arg-type]


# situation, facts, amount (minor), terms, outcome, reason codes, applied limit, limit left
EXAMPLES = [
    ("unknown buyer", BuyerFacts(known=False), 10_000, 30, "refer", ["NO_ASSESSMENT"], None, None),
    (
        "insolvent",
        changed(status="insolvent", grade=10),
        100,
        30,
        "decline",
        ["BUYER_INSOLVENT"],
        None,
        None,
    ),
    (
        "grade 10, status not yet updated",
        changed(grade=10),
        100,
        30,
        "decline",
        ["BUYER_INSOLVENT"],
        None,
        None,
    ),
    ("dissolved", changed(status="dissolved"), 100, 30, "decline", ["BUYER_DISSOLVED"], None, None),
    (
        "grade 9 beyond policy",
        limited(1_000_000, grade=9),
        100,
        30,
        "decline",
        ["GRADE_TOO_RISKY"],
        1_000_000,
        1_000_000,
    ),
    (
        "account on hold",
        limited(1_000_000, account_on_hold=True),
        100,
        30,
        "decline",
        ["ACCOUNT_ON_HOLD"],
        1_000_000,
        1_000_000,
    ),
    (
        "overdue within tolerance",
        limited(1_000_000, oldest_overdue_days=15),
        100,
        30,
        "approve",
        ["WITHIN_LIMIT"],
        1_000_000,
        999_900,
    ),
    (
        "overdue beyond tolerance",
        limited(1_000_000, oldest_overdue_days=16),
        100,
        30,
        "decline",
        ["OVERDUE_BEYOND_TOLERANCE"],
        1_000_000,
        1_000_000,
    ),
    (
        "terms at the maximum",
        limited(1_000_000),
        100,
        90,
        "approve",
        ["WITHIN_LIMIT"],
        1_000_000,
        999_900,
    ),
    (
        "terms above the maximum",
        limited(1_000_000),
        100,
        91,
        "decline",
        ["TERMS_ABOVE_POLICY"],
        1_000_000,
        1_000_000,
    ),
    (
        "hold and overdue: both said",
        limited(1_000_000, 200, account_on_hold=True, oldest_overdue_days=40),
        100,
        30,
        "decline",
        ["ACCOUNT_ON_HOLD", "OVERDUE_BEYOND_TOLERANCE"],
        1_000_000,
        999_800,
    ),
    ("limit refused (0)", limited(0), 100, 30, "decline", ["LIMIT_REFUSED"], 0, 0),
    ("no score", changed(grade=None, pd=None), 100, 30, "refer", ["NO_SCORE"], None, None),
    (
        "new buyer within starting limit",
        GOOD,
        500_000,
        30,
        "approve",
        ["WITHIN_STARTING_LIMIT"],
        500_000,
        0,
    ),
    (
        "new buyer, exposure counts",
        changed(exposure_minor=400_000),
        100_001,
        30,
        "refer",
        ["NO_LIMIT_ABOVE_STARTING_LIMIT"],
        500_000,
        100_000,
    ),
    (
        "expired limit",
        limited(1_000_000, limit_expired=True),
        100,
        30,
        "refer",
        ["LIMIT_EXPIRED"],
        1_000_000,
        1_000_000,
    ),
    (
        "exactly the limit left",
        limited(1_000_000, 600_000),
        400_000,
        30,
        "approve",
        ["WITHIN_LIMIT"],
        1_000_000,
        0,
    ),
    (
        "one cent over, within margin",
        limited(1_000_000, 600_000),
        400_001,
        30,
        "refer",
        ["OVER_LIMIT_REFERRED"],
        1_000_000,
        400_000,
    ),
    (
        "at the margin's edge",
        limited(1_000_000, 600_000),
        500_000,
        30,
        "refer",
        ["OVER_LIMIT_REFERRED"],
        1_000_000,
        400_000,
    ),
    (
        "beyond the margin",
        limited(1_000_000, 600_000),
        500_001,
        30,
        "decline",
        ["OVER_LIMIT"],
        1_000_000,
        400_000,
    ),
    (
        "already over the limit",
        limited(1_000_000, 1_200_000),
        100,
        30,
        "decline",
        ["OVER_LIMIT"],
        1_000_000,
        -200_000,
    ),
]


@pytest.mark.parametrize(
    ("facts", "amount", "terms", "outcome", "codes", "limit", "left"),
    [example[1:] for example in EXAMPLES],
    ids=[example[0] for example in EXAMPLES],
)
def test_worked_examples(
    facts: BuyerFacts,
    amount: int,
    terms: int,
    outcome: str,
    codes: list[str],
    limit: int | None,
    left: int | None,
) -> None:
    verdict = decide(facts, amount_minor=amount, terms_days=terms, rules=RULES)
    assert verdict.outcome is Outcome(outcome)
    assert [reason.code for reason in verdict.reasons] == codes
    assert verdict.applied_limit_minor == limit
    assert verdict.limit_left_minor == left


def test_reasons_quote_the_amounts_in_both_languages() -> None:
    verdict = decide(limited(1_000_000, 600_000), amount_minor=500_001, terms_days=30, rules=RULES)
    (reason,) = verdict.reasons
    assert "11,000.01 EUR" in reason.text_en
    assert "4,000.00 EUR" in reason.text_en
    assert "11,000.01 EUR" in reason.text_zh
    assert "4,000.00 EUR" in reason.text_zh


def test_terms_reason_says_what_may_be_offered() -> None:
    verdict = decide(limited(1_000_000), amount_minor=1, terms_days=120, rules=RULES)
    assert "at most 90 days" in verdict.reasons[0].text_en
