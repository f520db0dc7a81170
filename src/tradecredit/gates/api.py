"""Routes: /gates/check and the hold queue. Parse, call the service, shape the answer.

A check that holds stores a hold, so the POST takes an `Idempotency-Key`: a retried check
answers the first answer again and creates no second hold.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tradecredit.api.deps import ActorDep, Page, PageDep, SessionDep, page_of
from tradecredit.api.idempotency import KEYED_WRITE_RESPONSES, IdempotencyKeyDep, respond_once
from tradecredit.gates import service
from tradecredit.gates.schemas import GateCheckIn, GateCheckOut, HoldDecisionIn, HoldOut, HoldStatus
from tradecredit.gates.shape import check_out, hold_out
from tradecredit.organisations.roles import Permission

router = APIRouter(tags=["gates"])


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
