"""Routes: /gates/check and the hold queue. Parse, call the service, shape the answer.

A check that holds stores a hold, so the POST takes an `Idempotency-Key`: a retried check
answers the first answer again and creates no second hold.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, cast

from fastapi import APIRouter, Query, Request, Response

from tradecredit.api.deps import ActorDep, Page, PageDep, SessionDep, page_of
from tradecredit.api.idempotency import KEYED_WRITE_RESPONSES, IdempotencyKeyDep, respond_once
from tradecredit.gates import service
from tradecredit.gates.models import GateHold
from tradecredit.gates.rules import GateReason
from tradecredit.gates.schemas import (
    GateCheckIn,
    GateCheckOut,
    HoldDecisionIn,
    HoldOut,
    HoldStatus,
    OutcomeName,
    ReasonOut,
    StageName,
)
from tradecredit.kit.money import from_minor
from tradecredit.organisations.roles import Permission

router = APIRouter(tags=["gates"])


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


@router.post(
    "/gates/check",
    status_code=201,
    response_model=GateCheckOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Check a quote, order, delivery or invoice: allow, warn, or hold (stored as a hold)",
)
def check(
    data: GateCheckIn,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    return respond_once(
        session,
        actor=actor,
        key=key,
        request=request,
        body=data,
        permission=Permission.WRITE_LEDGER,
        operation=lambda: check_out(service.check(session, actor=actor, data=data)),
    )


@router.get("/gates/holds", response_model=Page[HoldOut], summary="The hold queue, oldest first")
def list_holds(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    status: Annotated[HoldStatus | None, Query(description="e.g. open: the queue")] = None,
    company_id: Annotated[uuid.UUID | None, Query(description="only this buyer's")] = None,
) -> Page[HoldOut]:
    holds = service.list_holds(
        session,
        actor=actor,
        status=status,
        company_id=company_id,
        limit=page.limit,
        offset=page.offset,
    )
    return page_of([hold_out(hold) for hold in holds], page)


@router.get("/gates/holds/{hold_id}", response_model=HoldOut, summary="Get a hold")
def get_hold(hold_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> HoldOut:
    return hold_out(service.get_hold(session, actor=actor, hold_id=hold_id))


@router.post(
    "/gates/holds/{hold_id}/release",
    status_code=201,
    response_model=HoldOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Release a hold (credit manager, admin), with a reason; audited",
)
def release_hold(
    hold_id: uuid.UUID,
    data: HoldDecisionIn,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    return respond_once(
        session,
        actor=actor,
        key=key,
        request=request,
        body=data,
        permission=Permission.OVERRIDE_HOLDS,
        operation=lambda: hold_out(
            service.release_hold(session, actor=actor, hold_id=hold_id, reason=data.reason)
        ),
    )


@router.post(
    "/gates/holds/{hold_id}/cancel",
    status_code=201,
    response_model=HoldOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Cancel a hold whose sale will not happen, with a reason; audited",
)
def cancel_hold(
    hold_id: uuid.UUID,
    data: HoldDecisionIn,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    return respond_once(
        session,
        actor=actor,
        key=key,
        request=request,
        body=data,
        permission=Permission.WRITE_LEDGER,
        operation=lambda: hold_out(
            service.cancel_hold(session, actor=actor, hold_id=hold_id, reason=data.reason)
        ),
    )
