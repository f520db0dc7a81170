"""Routes: credit policy, recommended limits, limit requests and decisions, limits, reviews.
Parse, call the service, shape the answer."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from tradecredit.api.deps import ActorDep, Page, PageDep, SessionDep, page_of
from tradecredit.api.idempotency import KEYED_WRITE_RESPONSES, IdempotencyKeyDep, respond_once
from tradecredit.companies.service import get_company
from tradecredit.context import Actor
from tradecredit.kit.clock import utcnow
from tradecredit.limits import queries
from tradecredit.limits.decisions import NewRequest, get_request, request_limit
from tradecredit.limits.models import LimitRequest
from tradecredit.limits.person import PersonDecision, decide_by_person
from tradecredit.limits.policy import CreditPolicy
from tradecredit.limits.policy_store import PolicyInForce, policy_in_force, set_policy
from tradecredit.limits.recommend import recommend
from tradecredit.limits.reviews import due_for_review
from tradecredit.limits.schemas import (
    ApproveIn,
    CompanyLimitOut,
    CreditLimitOut,
    CreditPolicyOut,
    DueForReviewOut,
    LimitRequestCreate,
    LimitRequestOut,
    OutcomeName,
    RecommendationOut,
    RefuseIn,
    ReviewOut,
    RoleName,
)
from tradecredit.limits.shape import limit_out, recommendation_out, request_out
from tradecredit.organisations.roles import Permission
from tradecredit.scoring.schemas import ReasonOut

router = APIRouter(tags=["limits"])

AsOf = Annotated[date | None, Query(description="YYYY-MM-DD (default: today)")]


def _policy_out(found: PolicyInForce) -> CreditPolicyOut:
    return CreditPolicyOut(
        version=found.version,
        currency=found.currency,
        set_by=found.set_by,
        set_at=found.set_at,
        policy=found.policy,
    )


@router.get("/credit-policy", response_model=CreditPolicyOut, summary="The credit policy in force")
def get_credit_policy(session: SessionDep, actor: ActorDep) -> CreditPolicyOut:
    return _policy_out(policy_in_force(session, actor=actor))


@router.put(
    "/credit-policy",
    response_model=CreditPolicyOut,
    summary="Replace the credit policy (a new version; audited)",
)
def put_credit_policy(data: CreditPolicy, session: SessionDep, actor: ActorDep) -> CreditPolicyOut:
    """The whole policy; omitted parameters take their documented defaults. Amounts are in the
    organisation's base currency, as decimal strings."""
    return _policy_out(set_policy(session, actor=actor, policy=data))


@router.get(
    "/companies/{company_id}/limit-recommendation",
    response_model=RecommendationOut,
    summary="A buyer's recommended limit with each constraint and the binding one",
)
def limit_recommendation(
    company_id: uuid.UUID,
    session: SessionDep,
    actor: ActorDep,
    as_of: AsOf = None,
    currency: Annotated[
        str | None, Query(description="limit currency (default: base currency)")
    ] = None,
) -> RecommendationOut:
    get_company(session, actor=actor, company_id=company_id)
    found = recommend(
        session,
        actor=actor,
        as_of=as_of or utcnow().date(),
        currency=currency,
        company_ids=[company_id],
    )
    return recommendation_out(found, company_id)


def _request_answer(session: Session, actor: Actor, request: LimitRequest) -> LimitRequestOut:
    decisions = queries.decisions_for(session, actor=actor, request_ids=[request.id])
    return request_out(request, decisions[request.id])


@router.post(
    "/limit-requests",
    status_code=201,
    response_model=LimitRequestOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Request a credit limit; the engine decides or refers it at once",
)
def create_limit_request(
    data: LimitRequestCreate,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    def operation() -> LimitRequestOut:
        created = request_limit(
            session,
            actor=actor,
            data=NewRequest(
                company_id=data.company_id,
                amount=data.amount,
                currency=data.currency,
                reason=data.reason,
                expected_annual_sales=data.expected_annual_sales,
                confirm_below_exposure=data.confirm_below_exposure,
                as_of=data.as_of,
            ),
            idempotency_key=key,
        )
        return _request_answer(session, actor, created)

    return respond_once(
        session,
        actor=actor,
        key=key,
        request=request,
        body=data,
        permission=Permission.REQUEST_LIMITS,
        operation=operation,
    )


@router.get(
    "/limit-requests",
    response_model=Page[LimitRequestOut],
    summary="Limit requests, newest first; status=referred is the approval queue",
)
def list_limit_requests(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    status: Annotated[OutcomeName | None, Query()] = None,
    referred_to_role: Annotated[RoleName | None, Query()] = None,
    company_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[LimitRequestOut]:
    found = queries.list_requests(
        session,
        actor=actor,
        status=status,
        referred_to_role=referred_to_role,
        company_id=company_id,
        limit=page.limit,
        offset=page.offset,
    )
    decisions = queries.decisions_for(session, actor=actor, request_ids=[r.id for r in found])
    return page_of([request_out(r, decisions[r.id]) for r in found], page)


@router.get(
    "/limit-requests/{request_id}",
    response_model=LimitRequestOut,
    summary="A limit request with its decisions",
)
def get_limit_request(
    request_id: uuid.UUID, session: SessionDep, actor: ActorDep
) -> LimitRequestOut:
    return _request_answer(session, actor, get_request(session, actor=actor, request_id=request_id))


def _decide(
    session: Session,
    actor: Actor,
    request: Request,
    key: str | None,
    body: ApproveIn | RefuseIn,
    data: PersonDecision,
) -> Response:
    def operation() -> LimitRequestOut:
        decided = decide_by_person(session, actor=actor, data=data)
        return _request_answer(session, actor, decided)

    return respond_once(
        session,
        actor=actor,
        key=key,
        request=request,
        body=body,
        permission=Permission.DECIDE_LIMITS,
        operation=operation,
    )


@router.post(
    "/limit-requests/{request_id}/approve",
    status_code=201,
    response_model=LimitRequestOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Approve a referred request, in full or in part, within your approval authority",
)
def approve_limit_request(
    request_id: uuid.UUID,
    data: ApproveIn,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    """403 when the amount exceeds your approval authority; 409 `below_exposure` when the limit
    would be below the buyer's current exposure and `confirm_below_exposure` is not set."""
    decision = PersonDecision(
        request_id,
        approve=True,
        note=data.reason,
        amount=data.amount,
        confirm_below_exposure=data.confirm_below_exposure,
    )
    return _decide(session, actor, request, key, data, decision)


@router.post(
    "/limit-requests/{request_id}/refuse",
    status_code=201,
    response_model=LimitRequestOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Refuse a referred request (within your approval authority)",
)
def refuse_limit_request(
    request_id: uuid.UUID,
    data: RefuseIn,
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    key: IdempotencyKeyDep,
) -> Response:
    decision = PersonDecision(request_id, approve=False, note=data.reason)
    return _decide(session, actor, request, key, data, decision)


@router.get(
    "/limits",
    response_model=Page[CreditLimitOut],
    summary="Current credit limits, soonest review first",
)
def list_credit_limits(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    company_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[CreditLimitOut]:
    found = queries.list_limits(
        session, actor=actor, company_id=company_id, limit=page.limit, offset=page.offset
    )
    return page_of([limit_out(limit) for limit in found], page)


@router.get(
    "/limits/due-for-review",
    response_model=DueForReviewOut,
    summary="Current limits due for review on a date, each with why",
)
def limits_due_for_review(
    session: SessionDep, actor: ActorDep, as_of: AsOf = None
) -> DueForReviewOut:
    day = as_of or utcnow().date()
    items = [
        ReviewOut(
            limit=limit_out(due.limit),
            name=due.name,
            why=[ReasonOut(code=r.code, text_en=r.text_en, text_zh=r.text_zh) for r in due.why],
        )
        for due in due_for_review(session, actor=actor, as_of=day)
    ]
    return DueForReviewOut(as_of=day, items=items)


@router.get(
    "/companies/{company_id}/limit",
    response_model=CompanyLimitOut,
    summary="A buyer's current credit limit and its history",
)
def company_limit(company_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> CompanyLimitOut:
    history = queries.limit_history(session, actor=actor, company_id=company_id)
    current = next((limit for limit in history if limit.active), None)
    return CompanyLimitOut(
        company_id=company_id,
        current=None if current is None else limit_out(current),
        history=[limit_out(limit) for limit in history],
    )
