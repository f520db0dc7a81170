"""The gate rule as a table of worked examples (docs/gates.md lists the same ones).

Every example: a buyer with a 10,000.00 EUR limit unless said otherwise, the default policy
(15 days' overdue tolerance, warning at 80% utilisation).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from tradecredit.gates.position import CreditPosition, utilisation_of
from tradecredit.gates.rules import Effect, GateReason, Outcome, Stage, gate_outcome
from tradecredit.kit.errors import InvalidInput
from tradecredit.limits.policy import DEFAULT_POLICY, CreditPolicy

AS_OF = date(2026, 3, 31)


def position(
    exposure: str = "0",
    *,
    limit: str | None = "10000.00",
    overdue: int | None = None,
    on_hold: bool = False,
    status: str = "active",
    valid_until: date | None = date(2026, 12, 31),
) -> CreditPosition:
    cap = None if limit is None else Decimal(limit)
    spent = Decimal(exposure)
    until = valid_until if cap is not None else None
    return CreditPosition(
        company_id=uuid.uuid4(),
        as_of=AS_OF,
        currency="EUR",
        limit=cap,
        limit_source=None if cap is None else "credit_limit",
        limit_valid_until=until,
        limit_expired=until is not None and until < AS_OF,
        exposure=spent,
        exposure_fx_rate_date=None,
        available=None if cap is None else cap - spent,
        utilisation=utilisation_of(spent, cap),
        oldest_overdue_days=overdue,
        account_on_hold=on_hold,
        company_status=status,
    )


EXPIRED = date(2026, 3, 30)

# (name, position, stage, amount, already counted, expected outcome, expected reason codes)
EXAMPLES = [
    ("quote well inside the limit", position("2000"), "quote", "1000", "0", "allow", []),
    ("order well inside the limit", position("2000"), "order", "1000", "0", "allow", []),
    ("delivery inside the limit", position("2000"), "delivery", "1000", "0", "allow", []),
    ("invoice inside the limit", position("2000"), "invoice", "1000", "0", "allow", []),
    ("order to just under 80%", position("6999.99"), "order", "1000", "0", "allow", []),
    ("order to exactly 80% warns", position("7000"), "order", "1000", "0", "warn",
     ["UTILISATION_HIGH"]),
    ("quote to 95% warns", position("8500"), "quote", "1000", "0", "warn", ["UTILISATION_HIGH"]),
    ("order to exactly the limit warns", position("9000"), "order", "1000", "0", "warn",
     ["UTILISATION_HIGH"]),
    ("order one cent over the limit holds", position("9000.01"), "order", "1000", "0", "hold",
     ["OVER_LIMIT"]),
    ("quote over the limit holds", position("9500"), "quote", "1000", "0", "hold", ["OVER_LIMIT"]),
    ("delivery over the limit holds", position("9500"), "delivery", "1000", "0", "hold",
     ["OVER_LIMIT"]),
    ("invoice (not delivered) over the limit holds", position("9500"), "invoice", "1000", "0",
     "hold", ["OVER_LIMIT"]),
    ("delivery of a counted order at 95% only warns", position("9500"), "delivery", "1000",
     "1000", "warn", ["UTILISATION_HIGH"]),
    ("delivery of a counted order, buyer already over", position("10500"), "delivery", "1000",
     "1000", "hold", ["OVER_LIMIT"]),
    ("order partly counted", position("8000"), "order", "3000", "1000", "warn",
     ["UTILISATION_HIGH"]),
    ("counted more than the amount adds nothing", position("1000"), "order", "500", "900",
     "allow", []),
    ("quote without a limit warns", position("0", limit=None), "quote", "1000", "0", "warn",
     ["NO_LIMIT"]),
    ("order without a limit holds", position("0", limit=None), "order", "1000", "0", "hold",
     ["NO_LIMIT"]),
    ("delivery without a limit holds", position("0", limit=None), "delivery", "1000", "0",
     "hold", ["NO_LIMIT"]),
    ("zero limit holds any order", position("0", limit="0"), "order", "0.01", "0", "hold",
     ["OVER_LIMIT"]),
    ("overdue exactly at the tolerance", position("0", overdue=15), "order", "100", "0",
     "allow", []),
    ("overdue beyond the tolerance holds", position("0", overdue=16), "order", "100", "0",
     "hold", ["OVERDUE_BEYOND_TOLERANCE"]),
    ("overdue holds a quote too", position("0", overdue=40), "quote", "100", "0", "hold",
     ["OVERDUE_BEYOND_TOLERANCE"]),
    ("account on hold holds", position("0", on_hold=True), "delivery", "100", "0", "hold",
     ["ACCOUNT_ON_HOLD"]),
    ("insolvent buyer holds", position("0", status="insolvent"), "order", "100", "0", "hold",
     ["COMPANY_INSOLVENT"]),
    ("dissolved buyer holds", position("0", status="dissolved"), "quote", "100", "0", "hold",
     ["COMPANY_DISSOLVED"]),
    ("expired limit warns", position("0", valid_until=EXPIRED), "order", "100", "0", "warn",
     ["LIMIT_EXPIRED"]),
    ("limit valid through its last day", position("0", valid_until=AS_OF), "order", "100", "0",
     "allow", []),
    ("everything at once", position("9900", overdue=90, on_hold=True, status="insolvent",
                                    valid_until=EXPIRED),
     "order", "1000", "0", "hold",
     ["COMPANY_INSOLVENT", "ACCOUNT_ON_HOLD", "OVERDUE_BEYOND_TOLERANCE", "OVER_LIMIT",
      "LIMIT_EXPIRED"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "where", "stage", "amount", "counted", "expected", "codes"),
    EXAMPLES,
    ids=[example[0] for example in EXAMPLES],
)
def test_worked_example(
    name: str,
    where: CreditPosition,
    stage: str,
    amount: str,
    counted: str,
    expected: str,
    codes: list[str],
) -> None:
    result = gate_outcome(
        where,
        stage=Stage(stage),
        amount=Decimal(amount),
        already_counted=Decimal(counted),
        policy=DEFAULT_POLICY,
    )
    assert result.outcome is Outcome(expected), name
    assert [reason.code for reason in result.reasons] == codes
    for reason in result.reasons:
        assert reason.text_en
        assert reason.text_zh


def test_amounts_after_the_sale() -> None:
    result = gate_outcome(
        position("7000"),
        stage=Stage.ORDER,
        amount=Decimal("1500.00"),
        already_counted=Decimal("500.00"),
        policy=DEFAULT_POLICY,
    )
    assert result.added == Decimal("1000.00")
    assert result.exposure == Decimal("7000")
    assert result.available == Decimal("3000.00")
    assert result.exposure_after == Decimal("8000.00")
    assert result.utilisation_after == Decimal("0.8000")
    assert result.reasons[0].text_en == ("Utilisation would be 80% of the limit, at or above 80%")


WORST = position("12000", overdue=120, on_hold=True, status="insolvent", valid_until=EXPIRED)


@pytest.mark.parametrize(
    "where",
    [
        position("12000"),
        position("0", overdue=120),
        position("0", on_hold=True),
        position("0", status="insolvent"),
        position("0", limit=None),
        WORST,
    ],
    ids=["over limit", "overdue", "on hold", "insolvent", "no limit", "all of them"],
)
def test_delivered_goods_are_always_invoiceable(where: CreditPosition) -> None:
    result = gate_outcome(
        where,
        stage=Stage.INVOICE,
        amount=Decimal("5000"),
        already_counted=Decimal("0"),
        policy=DEFAULT_POLICY,
        delivered=True,
    )
    assert result.outcome is Outcome.WARN
    assert all(reason.effect is not Effect.HOLD for reason in result.reasons)
    assert result.reasons[-1].code == "INVOICE_FOR_DELIVERED_GOODS"
    held = gate_outcome(
        where,
        stage=Stage.INVOICE,
        amount=Decimal("5000"),
        already_counted=Decimal("0"),
        policy=DEFAULT_POLICY,
    )
    assert held.outcome is Outcome.HOLD
    assert [r.code for r in held.reasons] == [r.code for r in result.reasons[:-1]]


def test_delivered_flag_only_protects_invoices() -> None:
    result = gate_outcome(
        position("12000"),
        stage=Stage.DELIVERY,
        amount=Decimal("100"),
        already_counted=Decimal("0"),
        policy=DEFAULT_POLICY,
        delivered=True,
    )
    assert result.outcome is Outcome.HOLD


def test_delivered_invoice_without_problems_is_allowed() -> None:
    result = gate_outcome(
        position("100"),
        stage=Stage.INVOICE,
        amount=Decimal("100"),
        already_counted=Decimal("100"),
        policy=DEFAULT_POLICY,
        delivered=True,
    )
    assert result.outcome is Outcome.ALLOW
    assert result.reasons == ()


def test_policy_parameters_are_used() -> None:
    strict = CreditPolicy(overdue_tolerance_days=0, utilisation_warning_share=Decimal("0.5"))
    overdue = gate_outcome(
        position("0", overdue=1),
        stage=Stage.ORDER,
        amount=Decimal("100"),
        already_counted=Decimal("0"),
        policy=strict,
    )
    assert overdue.outcome is Outcome.HOLD
    half = gate_outcome(
        position("4000"),
        stage=Stage.ORDER,
        amount=Decimal("1000"),
        already_counted=Decimal("0"),
        policy=strict,
    )
    assert half.outcome is Outcome.WARN
    assert [r.code for r in half.reasons] == ["UTILISATION_HIGH"]


def test_reasons_from_outside_count_like_their_own() -> None:
    stop = GateReason("STOP_DELIVERY", Effect.HOLD, "Stop delivery", "停止交货")
    result = gate_outcome(
        position("0"),
        stage=Stage.DELIVERY,
        amount=Decimal("100"),
        already_counted=Decimal("0"),
        policy=DEFAULT_POLICY,
        more_reasons=[stop],
    )
    assert result.outcome is Outcome.HOLD
    assert [r.code for r in result.reasons] == ["STOP_DELIVERY"]


@pytest.mark.parametrize(("amount", "counted"), [("0", "0"), ("-1", "0"), ("10", "-1")])
def test_invalid_amounts_are_refused(amount: str, counted: str) -> None:
    with pytest.raises(InvalidInput):
        gate_outcome(
            position(),
            stage=Stage.ORDER,
            amount=Decimal(amount),
            already_counted=Decimal(counted),
            policy=DEFAULT_POLICY,
        )
