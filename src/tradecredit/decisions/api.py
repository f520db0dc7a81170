"""Routes: /decisions, instant credit decisions for buy-now-pay-later checkouts.

POST needs an `Idempotency-Key`: a checkout retried after a timeout must get the first answer,
not a second decision reserving the amount twice. It is the hot route: async, with its work and
commit in one worker-thread call (`api.deps.commit_in_thread`).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tradecredit.api.deps import (
    ActorDep,
    AnyActorDep,
    Page,
    PageDep,
    SessionDep,
    ThreadActorDep,
    ThreadSessionDep,
    commit_in_thread,
    page_of,
)
from tradecredit.api.idempotency import KEYED_WRITE_RESPONSES, IdempotencyKeyDep, respond_once
from tradecredit.decisions import expiry, service
from tradecredit.decisions.rules import Outcome
from tradecredit.decisions.schemas import (
    DecisionCreate,
    DecisionOut,
    OutcomeName,
    ReleaseExpiredIn,
    ReleaseOut,
)
from tradecredit.decisions.shape import decision_out, release_out
from tradecredit.kit.errors import InvalidInput
from tradecredit.organisations.roles import Permission

router = APIRouter(tags=["decisions"])


@router.post(
    "/decisions",
    status_code=201,
    response_model=DecisionOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Decide a checkout now: approve, decline or refer, with reasons",
    description="An approval reserves the amount as an order (the merchant's order_reference, "
    'else "checkout-<decision id>") until the invoice naming that reference arrives. '
    "The Idempotency-Key header is required.",
)
async def create_decision(
    data: DecisionCreate,
    request: Request,
    session: ThreadSessionDep,
    actor: ThreadActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    if key is None:
        raise InvalidInput(
            "the Idempotency-Key header is required: a retried checkout must get the first "
            "answer, not a second decision",
            details={"field": "Idempotency-Key", "reason": "missing"},
        )
    service.require_deciding(actor)

    def decide_and_answer() -> Response:
        service.lock_checkout_buyer(session, actor=actor, data=data)
        audit_later = service.PendingAudit()
        answer = respond_once(
            session,
            actor=actor,
            key=key,
            request=request,
            body=data,
            permission=Permission.DECIDE_CHECKOUT,
            operation=lambda: decision_out(
                service.decide_checkout(session, actor=actor, data=data, audit_later=audit_later)
            ),
        )
        audit_later.record(session, actor=actor)
        return answer

    return await commit_in_thread(session, decide_and_answer)


@router.post(
    "/decisions/release-expired",
    status_code=201,
    response_model=ReleaseOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Cancel the reserving orders of expired approvals",
    description="An approval's order still undelivered and named by no invoice when the "
    "approval expires (the policy's checkout.approval_validity_days) is cancelled, audited, "
    "so it no longer counts in the buyer's exposure. Safe to repeat: a second run finds "
    'nothing more. With {"dry_run": true} nothing is changed; the orders are listed.',
)
def release_expired(
    data: ReleaseExpiredIn,
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
        operation=lambda: release_out(
            expiry.release_expired(session, actor=actor, dry_run=data.dry_run),
            dry_run=data.dry_run,
        ),
    )


@router.get(
    "/decisions", response_model=Page[DecisionOut], summary="Checkout decisions, newest first"
)
def list_decisions(
    session: SessionDep,
    actor: AnyActorDep,
    page: PageDep,
    outcome: Annotated[OutcomeName | None, Query(description="only this outcome")] = None,
    company_id: Annotated[uuid.UUID | None, Query(description="only this buyer's")] = None,
) -> Page[DecisionOut]:
    decisions = service.list_decisions(
        session,
        actor=actor,
        outcome=None if outcome is None else Outcome(outcome),
        company_id=company_id,
        limit=page.limit,
        offset=page.offset,
    )
    return page_of([decision_out(d) for d in decisions], page)


@router.get(
    "/decisions/{decision_id}", response_model=DecisionOut, summary="Get a checkout decision"
)
def get_decision(decision_id: uuid.UUID, session: SessionDep, actor: AnyActorDep) -> DecisionOut:
    return decision_out(service.get_decision(session, actor=actor, decision_id=decision_id))
