"""The decision engine's rules, one request at a time (pure: no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tradecredit.limits.engine import Assessment, Outcome, decide
from tradecredit.limits.policy import DEFAULT_POLICY, CreditPolicy, WithoutData


def facts(**changes: object) -> Assessment:
    base: dict[str, object] = {
        "status": "active",
        "grade": 4,
        "pd": Decimal("0.008"),
        "recommended_minor": 60_000_00,
        "binding": "capacity",
        "new_buyer": False,
        "engine_authority_minor": 100_000_00,
        "exposure_minor": 0,
    }
    return Assessment(**(base | changes))  # type: ignore[arg-type]


def run(
    requested: int, policy: CreditPolicy = DEFAULT_POLICY, confirm: bool = False, **changes: object
):  # type: ignore[no-untyped-def]
    return decide(
        requested_minor=requested * 100,
        currency="EUR",
        facts=facts(**changes),
        policy=policy,
        confirm_below_exposure=confirm,
    )


def codes(decision: object) -> list[str]:
    return [reason.code for reason in decision.reasons]  # type: ignore[attr-defined]


def test_within_recommendation_and_authority_is_approved_as_requested() -> None:
    decision = run(40_000)
    assert decision.outcome is Outcome.APPROVED
    assert decision.amount_minor == 40_000_00
    assert codes(decision) == ["LIMIT_BOUND_BY_CAPACITY", "WITHIN_RECOMMENDATION"]
    assert "60,000.00 EUR" in decision.reasons[0].text_en
    assert "建议限额" in decision.reasons[0].text_zh


def test_above_recommendation_is_partly_approved_at_the_recommendation() -> None:
    decision = run(80_000)
    assert decision.outcome is Outcome.PARTLY_APPROVED
    assert decision.amount_minor == 60_000_00
    assert codes(decision)[-1] == "ABOVE_RECOMMENDATION"


def test_above_engine_authority_is_referred_with_the_proposal() -> None:
    decision = run(50_000, engine_authority_minor=30_000_00)
    assert decision.outcome is Outcome.REFERRED
    assert decision.amount_minor is None
    assert decision.proposed_minor == 50_000_00
    assert codes(decision)[-1] == "ABOVE_ENGINE_AUTHORITY"


def test_grade_7_above_recommendation_is_conditional_on_a_guarantee_for_the_excess() -> None:
    decision = run(90_000, grade=7)
    assert decision.outcome is Outcome.CONDITIONAL
    assert decision.amount_minor == 90_000_00
    (condition,) = decision.conditions
    assert (condition.kind, condition.amount_minor) == ("guarantee", 30_000_00)


def test_conditional_with_prepayment_when_the_policy_says_so() -> None:
    policy = CreditPolicy.model_validate(
        {"conditional": {"condition": "prepayment", "prepayment_share": "0.40"}}
    )
    decision = run(90_000, policy=policy, grade=8)
    (condition,) = decision.conditions
    assert (condition.kind, condition.share) == ("prepayment", Decimal("0.40"))


def test_conditional_stops_at_the_policy_multiple_then_partly_approves() -> None:
    decision = run(130_000, grade=7, engine_authority_minor=500_000_00)
    assert decision.outcome is Outcome.PARTLY_APPROVED
    assert decision.amount_minor == 60_000_00


@pytest.mark.parametrize(("status", "grade"), [("insolvent", 6), ("active", 10), ("dissolved", 3)])
def test_insolvent_dissolved_or_grade_10_is_refused(status: str, grade: int) -> None:
    decision = run(1_000, status=status, grade=grade)
    assert decision.outcome is Outcome.REFUSED
    assert decision.amount_minor == 0
    assert codes(decision)[0] in {"BUYER_INSOLVENT", "BUYER_DISSOLVED"}


def test_nothing_recommended_is_refused_with_the_binding_reason() -> None:
    decision = run(1_000, grade=9, recommended_minor=0, binding="grade")
    assert decision.outcome is Outcome.REFUSED
    assert codes(decision) == ["NO_LIMIT_RECOMMENDED"]


def test_new_buyer_without_data_beyond_the_start_follows_the_policy() -> None:
    new = {"new_buyer": True, "recommended_minor": 5_000_00, "binding": "no_financials"}
    assert run(20_000, **new).outcome is Outcome.PARTLY_APPROVED
    refusing = DEFAULT_POLICY.model_copy(update={"without_data": WithoutData.REFUSE})
    decision = run(20_000, policy=refusing, **new)
    assert decision.outcome is Outcome.REFUSED
    assert codes(decision)[-1] == "NEW_BUYER_NO_DATA"
    assert run(4_000, policy=refusing, **new).outcome is Outcome.APPROVED


def test_a_limit_below_exposure_is_referred_unless_confirmed() -> None:
    referred = run(30_000, exposure_minor=45_000_00)
    assert referred.outcome is Outcome.REFERRED
    assert codes(referred)[-1] == "BELOW_EXPOSURE"
    confirmed = run(30_000, confirm=True, exposure_minor=45_000_00)
    assert confirmed.outcome is Outcome.APPROVED
    assert confirmed.below_exposure_confirmed
    assert codes(confirmed)[-1] == "BELOW_EXPOSURE_CONFIRMED"
