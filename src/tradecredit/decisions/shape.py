"""A stored checkout decision as the API and the CLI show it."""

from __future__ import annotations

from typing import cast

from tradecredit.decisions.expiry import ExpiredReservation
from tradecredit.decisions.models import CheckoutDecision, DecisionRecord
from tradecredit.decisions.schemas import (
    BuyerOut,
    DecisionOut,
    OutcomeName,
    ReleasedOut,
    ReleaseOut,
)
from tradecredit.kit.money import from_minor
from tradecredit.scoring.schemas import ReasonOut
from tradecredit.scoring.scores import parse_reasons


def _in_position(decision: CheckoutDecision | DecisionRecord, minor: int | None) -> object:
    if minor is None or decision.position_currency is None:
        return None
    return from_minor(minor, decision.position_currency)


def decision_out(decision: CheckoutDecision | DecisionRecord) -> DecisionOut:
    limit_currency = decision.position_currency
    return DecisionOut.model_validate(
        {
            "decision_id": decision.id,
            "outcome": cast(OutcomeName, decision.outcome),
            "reasons": [
                ReasonOut(code=r.code, text_en=r.text_en, text_zh=r.text_zh)
                for r in parse_reasons(decision.reasons)
            ],
            "buyer": BuyerOut(
                registration_number=decision.registration_number,
                country=decision.country,
                name=decision.buyer_name,
                company_id=decision.company_id,
            ),
            "amount": from_minor(decision.amount_minor, decision.currency),
            "currency": decision.currency,
            "terms_days": decision.terms_days,
            "limit": _in_position(decision, decision.limit_minor),
            "limit_left": _in_position(decision, decision.limit_left_minor),
            "exposure": _in_position(decision, decision.exposure_minor),
            "limit_currency": limit_currency,
            "grade": decision.grade,
            "pd": decision.pd,
            "score_as_of": decision.score_as_of,
            "policy_version": decision.policy_version,
            "order_id": decision.order_id,
            "order_reference": decision.order_reference,
            "expires_at": decision.expires_at,
            "created_at": decision.created_at,
        }
    )


def release_out(found: list[ExpiredReservation], *, dry_run: bool) -> ReleaseOut:
    return ReleaseOut(
        dry_run=dry_run,
        released=[
            ReleasedOut(
                decision_id=r.decision_id,
                order_id=r.order_id,
                order_reference=r.order_reference,
                company_id=r.company_id,
                amount=from_minor(r.amount_minor, r.currency),
                currency=r.currency,
                expired_at=r.expired_at,
            )
            for r in found
        ],
    )
