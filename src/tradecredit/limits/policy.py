"""The credit policy of an organisation: every parameter of the limit formula and the decision
engine, with documented defaults (docs/limits.md says where each comes from).

Amounts are in the organisation's base currency, as decimal strings; shares are decimals in
[0, 1]. Lists "by grade" hold one value per grade 1-10, in grade order. A policy file is TOML,
read with exact decimals (a TOML float such as `lgd = 0.45` becomes Decimal("0.45")); every
problem is reported as `field: why`, the field named by its path in the file.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from tradecredit.kit.errors import InvalidInput
from tradecredit.kit.fields import Amount
from tradecredit.scoring.grades import INSOLVENT_GRADE

GRADES = INSOLVENT_GRADE
MAX_POLICY_AMOUNT = Decimal(10) ** 12
"""Policy amounts stay below one trillion: the formula's 128-bit arithmetic has room for them."""

Share = Annotated[Amount, Field(ge=0, le=1, decimal_places=4)]
"""A share in [0, 1] with at most 4 decimals (basis points), sent as a decimal string."""
PolicyAmount = Annotated[Amount, Field(ge=0, lt=MAX_POLICY_AMOUNT, decimal_places=4)]


def _one_per_grade(values: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    if len(values) != GRADES:
        raise ValueError(f"needs one value per grade 1-{GRADES}, in grade order; got {len(values)}")
    return values


def _falling(values: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    for grade, (better, worse) in enumerate(pairwise(values), start=2):
        if worse > better:
            raise ValueError(
                f"must not rise with the grade: grade {grade} ({worse}) is above "
                f"grade {grade - 1} ({better})"
            )
    if values[-1] != 0:
        raise ValueError(f"must be 0 for grade {GRADES} (insolvent), got {values[-1]}")
    return values


ByGrade = Annotated[tuple[Share, ...], AfterValidator(_one_per_grade), AfterValidator(_falling)]
AmountsByGrade = Annotated[
    tuple[PolicyAmount, ...], AfterValidator(_one_per_grade), AfterValidator(_falling)
]
Grade = Annotated[int, Field(ge=1, le=GRADES)]
Days = Annotated[int, Field(ge=0, le=3660)]
Months = Annotated[int, Field(ge=1, le=120)]


def _shares(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values)


CAPACITY_SCALE = _shares("1", "1", "0.9", "0.8", "0.65", "0.5", "0.35", "0.2", "0", "0")
"""How much of the grade-1 share each grade keeps (falling with the grade; 9 and 10 nothing)."""


def _scaled(top: str) -> tuple[Decimal, ...]:
    return tuple((Decimal(top) * scale).normalize() for scale in CAPACITY_SCALE)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CapacityPolicy(Strict):
    """Financial capacity = the smallest of these shares of the buyer's latest statement."""

    equity_share: ByGrade = _scaled("0.10")
    working_capital_share: ByGrade = _scaled("0.20")
    revenue_share: ByGrade = _scaled("0.08")


class ProgressivePolicy(Strict):
    """New buyers (less history than `established_after_months`) start small and grow."""

    starting_limit: PolicyAmount = Decimal(5000)
    step: PolicyAmount = Decimal(5000)
    step_months: Months = 3
    cap: PolicyAmount = Decimal(25000)
    established_after_months: Months = 12

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.cap < self.starting_limit:
            raise ValueError(
                f"cap ({self.cap}) must not be below starting_limit ({self.starting_limit})"
            )
        return self


class ReviewPolicy(Strict):
    """Review cadence by risk band: grades from `high_risk_from_grade` are high risk, from
    `medium_risk_from_grade` medium, better grades low."""

    medium_risk_from_grade: Grade = 4
    high_risk_from_grade: Grade = 7
    low_risk_months: Months = 12
    medium_risk_months: Months = 3
    high_risk_months: Months = 1

    @model_validator(mode="after")
    def _bands(self) -> Self:
        if self.high_risk_from_grade <= self.medium_risk_from_grade:
            raise ValueError(
                f"high_risk_from_grade ({self.high_risk_from_grade}) must be above "
                f"medium_risk_from_grade ({self.medium_risk_from_grade})"
            )
        if not self.high_risk_months <= self.medium_risk_months <= self.low_risk_months:
            raise ValueError("riskier bands must be reviewed at least as often as safer ones")
        return self

    def band(self, grade: int) -> str:
        if grade >= self.high_risk_from_grade:
            return "high"
        return "medium" if grade >= self.medium_risk_from_grade else "low"

    def months(self, grade: int) -> int:
        band = self.band(grade)
        return {
            "high": self.high_risk_months,
            "medium": self.medium_risk_months,
            "low": self.low_risk_months,
        }[band]


class ConditionKind(StrEnum):
    GUARANTEE = "guarantee"
    PREPAYMENT = "prepayment"


class ConditionalPolicy(Strict):
    """For buyers of `grades`, a request above the recommendation (up to `max_multiple` times
    it) is granted in full on a condition: a guarantee for the part above the recommendation,
    or prepayment of `prepayment_share` of each order."""

    grades: tuple[Grade, ...] = (7, 8)
    condition: ConditionKind = ConditionKind.GUARANTEE
    prepayment_share: Share = Decimal("0.30")
    max_multiple: Annotated[Amount, Field(ge=1, le=100, decimal_places=4)] = Decimal(2)


class WithoutData(StrEnum):
    PARTLY_APPROVE = "partly_approve"
    REFUSE = "refuse"


class CheckoutPolicy(Strict):
    """Instant checkout decisions (`decisions.rules`): the longest payment terms sold at
    checkout; over the limit by at most `over_limit_referral_share` of it, a checkout is
    referred rather than declined; an approval's reservation holds `approval_validity_days`,
    after which `tradecredit decisions release-expired` cancels an order still undelivered."""

    max_terms_days: Annotated[int, Field(ge=1, le=120)] = 90
    over_limit_referral_share: Share = Decimal("0.10")
    approval_validity_days: Annotated[int, Field(ge=1, le=90)] = 14


def _authority() -> tuple[Decimal, ...]:
    return tuple(
        Decimal(value)
        for value in (
            *("250000", "250000", "150000", "100000", "75000"),
            *("50000", "25000", "10000", "0", "0"),
        )
    )


class CreditPolicy(Strict):
    capacity: CapacityPolicy = CapacityPolicy()
    max_credit_grade: Grade = 8
    grace_days: Days = 15
    default_payment_terms_days: Days = 30
    lgd: Annotated[Amount, Field(gt=0, le=1, decimal_places=4)] = Decimal("0.45")
    max_expected_loss: PolicyAmount = Decimal(5000)
    engine_authority: AmountsByGrade = _authority()
    progressive: ProgressivePolicy = ProgressivePolicy()
    no_financials_limit: PolicyAmount = Decimal(5000)
    without_data: WithoutData = WithoutData.PARTLY_APPROVE
    conditional: ConditionalPolicy = ConditionalPolicy()
    review: ReviewPolicy = ReviewPolicy()
    decision_validity_days: Annotated[int, Field(ge=1, le=3660)] = 365
    referral_validity_days: Annotated[int, Field(ge=1, le=366)] = 30
    overdue_tolerance_days: Days = 15
    utilisation_warning_share: Share = Decimal("0.80")
    rounding_unit: Annotated[Amount, Field(gt=0, le=1_000_000, decimal_places=4)] = Decimal(100)
    checkout: CheckoutPolicy = CheckoutPolicy()

    def share(self, name: str, grade: int) -> Decimal:
        values: tuple[Decimal, ...] = getattr(self.capacity, name)
        return values[grade - 1]


DEFAULT_POLICY = CreditPolicy()


def policy_from_toml(name: str, text: str) -> CreditPolicy:
    """`text` (the TOML file `name`) validated as a policy; any problem is one InvalidInput."""
    try:
        document = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInput(f"{name}: not valid TOML: {error}") from None
    return policy_from_document(name, document)


def policy_from_document(name: str, document: Any) -> CreditPolicy:
    try:
        return CreditPolicy.model_validate(document)
    except ValidationError as error:
        problems = _problems(error)
        text = "; ".join(
            f"{p['field']}: {p['reason']}" + (f" (got {p['value']})" if "value" in p else "")
            for p in problems
        )
        raise InvalidInput(f"{name}: {text}", details=problems) from None


def _problems(error: ValidationError) -> list[dict[str, str]]:
    """Each problem as its field path in the file, why, and the value found there (a table's
    cross-field problem names the table and shows no value)."""
    problems = []
    for problem in error.errors():
        found = {
            "field": ".".join(str(part) for part in problem["loc"]) or "(the file)",
            "reason": problem["msg"].removeprefix("Value error, "),
        }
        if not isinstance(problem.get("input"), dict):
            found["value"] = _shown(problem.get("input"))
        problems.append(found)
    return problems


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        text = "[" + ", ".join(_shown(item) for item in value) + "]"
    else:
        text = str(value) if isinstance(value, Decimal) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def policy_to_toml(policy: CreditPolicy) -> str:
    """The policy as a TOML file that `policy_from_toml` reads back to the same policy."""
    document = policy.model_dump(mode="json")
    top = {k: v for k, v in document.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in document.items() if isinstance(v, dict)}
    lines = [f"{key} = {_toml_value(value)}" for key, value in top.items()]
    for table, values in tables.items():
        lines += ["", f"[{table}]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
