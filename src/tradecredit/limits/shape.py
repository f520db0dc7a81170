"""Stored rows and recommendation rows as the API's answers (used by the API and the CLI)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from decimal import Decimal

from tradecredit.kit.money import from_minor
from tradecredit.limits import reasons
from tradecredit.limits.formula import CONSTRAINTS
from tradecredit.limits.models import CreditLimit, LimitDecision, LimitRequest
from tradecredit.limits.recommend import Recommendations
from tradecredit.limits.schemas import (
    ConditionOut,
    Constraints,
    CreditLimitOut,
    DecisionOut,
    LimitRequestOut,
    RecommendationInputs,
    RecommendationOut,
)
from tradecredit.scoring.overlays import Reason
from tradecredit.scoring.schemas import ReasonOut


def _money(minor: int | None, currency: str | None) -> Decimal | None:
    return None if minor is None or currency is None else from_minor(minor, currency)


def reason_outs(text: str) -> list[ReasonOut]:
    return [ReasonOut(**item) for item in json.loads(text)]


def _reason_out(reason: Reason) -> ReasonOut:
    return ReasonOut(code=reason.code, text_en=reason.text_en, text_zh=reason.text_zh)


def decision_out(decision: LimitDecision) -> DecisionOut:
    currency = decision.currency
    return DecisionOut(
        id=decision.id,
        outcome=decision.outcome,
        amount=_money(decision.amount_minor, currency),
        currency=currency,
        conditions=[
            ConditionOut(
                kind=c["kind"],
                amount=_money(c["amount_minor"], currency),
                share=None if c["share"] is None else Decimal(c["share"]),
            )
            for c in json.loads(decision.conditions)
        ],
        reasons=reason_outs(decision.reasons),
        decided_on=decision.decided_on,
        valid_until=decision.valid_until,
        decided_by=decision.decided_by,
        decided_by_user_id=decision.decided_by_user_id,
        authority=_money(decision.authority_minor, decision.authority_currency),
        authority_currency=decision.authority_currency,
        referred_to_role=decision.referred_to_role,
        grade=decision.grade,
        pd=decision.pd,
        recommended=_money(decision.recommended_minor, currency),
        binding=decision.binding,
        policy_version=decision.policy_version,
        exposure=_money(decision.exposure_minor, currency),
        below_exposure_confirmed=decision.below_exposure_confirmed,
        created_at=decision.created_at,
    )


def request_out(request: LimitRequest, decisions: Sequence[LimitDecision]) -> LimitRequestOut:
    return LimitRequestOut(
        id=request.id,
        company_id=request.company_id,
        amount=from_minor(request.amount_minor, request.currency),
        currency=request.currency,
        requested_by=request.requested_by,
        reason=request.reason,
        expected_annual_sales=_money(request.expected_annual_sales_minor, request.currency),
        confirm_below_exposure=request.confirm_below_exposure,
        as_of=request.as_of,
        status=request.status,
        referred_to_role=request.referred_to_role,
        created_at=request.created_at,
        decisions=[decision_out(d) for d in decisions],
    )


def limit_out(limit: CreditLimit) -> CreditLimitOut:
    return CreditLimitOut(
        id=limit.id,
        company_id=limit.company_id,
        amount=from_minor(limit.amount_minor, limit.currency),
        currency=limit.currency,
        set_on=limit.set_on,
        valid_until=limit.valid_until,
        review_on=limit.review_on,
        grade=limit.grade,
        decision_id=limit.decision_id,
        active=limit.active,
        ended_at=limit.ended_at,
        created_at=limit.created_at,
    )


def explanation(row: dict[str, object], currency: str) -> list[Reason]:
    """The binding constraint first, then what is missing or limiting in the inputs."""
    found = [
        reasons.recommendation(int(str(row["recommended_minor"])), currency, str(row["binding"]))
    ]
    if row["capacity_minor"] is None:
        found.append(
            Reason(
                "CAPACITY_NOT_AVAILABLE",
                "No financial statement with equity, working capital or revenue on or before the "
                "date: financial capacity is not available",
                "截至该日期没有包含权益、营运资本或收入的财务报表：无法计算财务承受能力",
            )
        )
    if row["need_minor"] is None:
        found.append(
            Reason(
                "NEED_NOT_AVAILABLE",
                "No sales in the last 12 months and none posted: the need is not available",
                "过去 12 个月无销售额且未提供预期销售额：无法计算需求",
            )
        )
    if row["progressive_minor"] is not None:
        months = row["history_months"]
        good = "good" if row["good_history"] else "not good"
        found.append(
            Reason(
                "NEW_BUYER_PROGRESSIVE",
                f"New buyer: {months} months of payment history ({good}), progressive limit applies",
                f"新买方：{months} 个月付款记录（{'良好' if row['good_history'] else '不良'}），适用渐进限额",
            )
        )
    return found


def recommendation_out(found: Recommendations, company_id: uuid.UUID) -> RecommendationOut:
    row = found.row(company_id)
    currency = found.currency
    score = found.scores[company_id]
    sales = row["expected_sales_minor"]
    terms = row["payment_terms_days"]
    return RecommendationOut(
        company_id=company_id,
        name=str(row["name"]),
        as_of=found.as_of,
        currency=currency,
        policy_version=found.policy.version,
        recommended=from_minor(int(str(row["recommended_minor"])), currency),
        binding=str(row["binding"]),
        capacity_basis=None if row["capacity_basis"] is None else str(row["capacity_basis"]),
        constraints=Constraints(
            **{
                name: _money(
                    None if row[f"{name}_minor"] is None else int(str(row[f"{name}_minor"])),
                    currency,
                )
                for name in CONSTRAINTS
            }
        ),
        inputs=RecommendationInputs(
            grade=score.grade,
            pd=score.pd,
            score_as_of=score.as_of,
            score_stored=score.stored,
            statement_period_end=row["period_end"],
            statement_currency=None
            if row["statement_currency"] is None
            else str(row["statement_currency"]),
            expected_annual_sales=None if sales is None else from_minor(int(str(sales)), currency),
            payment_terms_days=None if terms is None else int(str(terms)),
            history_months=int(str(row["history_months"])),
            good_history=bool(row["good_history"]),
        ),
        reasons=[_reason_out(r) for r in explanation(row, currency)],
    )
