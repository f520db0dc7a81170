"""A gate check and a hold as the API and the CLI show them."""

from __future__ import annotations

import json
from typing import cast

from tradecredit.gates import service
from tradecredit.gates.models import GateHold
from tradecredit.gates.rules import GateReason
from tradecredit.gates.schemas import (
    GateCheckOut,
    HoldOut,
    HoldStatus,
    OutcomeName,
    ReasonOut,
    StageName,
)
from tradecredit.kit.money import from_minor


def reason_out(reason: GateReason) -> ReasonOut:
    return ReasonOut(
        code=reason.code, effect=reason.effect.value, text_en=reason.text_en, text_zh=reason.text_zh
    )


def check_out(result: service.GateResult) -> GateCheckOut:
    outcome, position = result.outcome, result.position
    return GateCheckOut(
        outcome=cast(OutcomeName, outcome.outcome.value),
        reasons=[reason_out(reason) for reason in outcome.reasons],
        hold_id=None if result.hold is None else result.hold.id,
        stage=cast(StageName, outcome.stage.value),
        company_id=position.company_id,
        as_of=position.as_of,
        requested_amount=result.requested_amount,
        requested_currency=result.requested_currency,
        currency=outcome.currency,
        amount=outcome.amount,
        fx_rate_date=result.fx_rate_date,
        already_counted=result.already_counted,
        limit=outcome.limit,
        limit_source=position.limit_source,
        limit_valid_until=position.limit_valid_until,
        exposure=outcome.exposure,
        available=outcome.available,
        exposure_after=outcome.exposure_after,
        utilisation_after=outcome.utilisation_after,
        oldest_overdue_days=position.oldest_overdue_days,
    )


def hold_out(hold: GateHold) -> HoldOut:
    money = hold.position_currency
    return HoldOut(
        id=hold.id,
        company_id=hold.company_id,
        stage=cast(StageName, hold.stage),
        amount=from_minor(hold.amount_minor, hold.currency),
        currency=hold.currency,
        order_reference=hold.order_reference,
        as_of=hold.as_of,
        reasons=[ReasonOut.model_validate(reason) for reason in json.loads(hold.reasons)],
        position_currency=money,
        limit=None if hold.limit_minor is None else from_minor(hold.limit_minor, money),
        exposure=from_minor(hold.exposure_minor, money),
        exposure_after=from_minor(hold.exposure_after_minor, money),
        requested_by=hold.requested_by,
        status=cast(HoldStatus, hold.status),
        created_at=hold.created_at,
        released_by=hold.released_by,
        release_reason=hold.release_reason,
        released_at=hold.released_at,
    )
