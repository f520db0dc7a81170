"""Routes: /companies and /statements. Parse, call the service, shape the answer."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from tradecredit.api.deps import ActorDep, Page, PageDep, SessionDep, page_of
from tradecredit.api.idempotency import KEYED_WRITE_RESPONSES, IdempotencyKeyDep, respond_once
from tradecredit.companies import service
from tradecredit.companies.models import STATEMENT_LINES, Company, FinancialStatement
from tradecredit.companies.schemas import (
    CompanyCreate,
    CompanyOut,
    CompanyStatus,
    StatementCreate,
    StatementList,
    StatementOut,
)
from tradecredit.kit.fields import CountryCode, SectorCode
from tradecredit.kit.money import from_minor
from tradecredit.organisations.roles import Permission

router = APIRouter(tags=["companies"])


def company_out(company: Company) -> CompanyOut:
    return CompanyOut.model_validate(company)


def statement_out(statement: FinancialStatement) -> StatementOut:
    lines = {}
    for line in STATEMENT_LINES:
        minor = getattr(statement, line)
        lines[line] = None if minor is None else from_minor(minor, statement.currency)
    return StatementOut(
        id=statement.id,
        company_id=statement.company_id,
        period_end=statement.period_end,
        currency=statement.currency,
        lines=lines,
        created_at=statement.created_at,
    )


@router.post(
    "/companies",
    status_code=201,
    response_model=CompanyOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Create a company (a buyer), keyed by registration number + country",
)
def create_company(
    data: CompanyCreate,
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
        permission=Permission.WRITE_COMPANIES,
        operation=lambda: company_out(service.create_company(session, actor=actor, data=data)),
    )


@router.get("/companies", response_model=Page[CompanyOut], summary="List companies")
def list_companies(
    session: SessionDep,
    actor: ActorDep,
    page: PageDep,
    country: Annotated[CountryCode | None, Query(description="ISO 3166-1 alpha-2")] = None,
    sector: Annotated[
        SectorCode | None, Query(description="NACE rev. 2 code or prefix, e.g. C or C25")
    ] = None,
    status: Annotated[CompanyStatus | None, Query()] = None,
) -> Page[CompanyOut]:
    companies = service.list_companies(
        session,
        actor=actor,
        country=country,
        sector=sector,
        status=status,
        limit=page.limit,
        offset=page.offset,
    )
    return page_of([company_out(c) for c in companies], page)


@router.get("/companies/{company_id}", response_model=CompanyOut, summary="Get a company")
def get_company(company_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> CompanyOut:
    return company_out(service.get_company(session, actor=actor, company_id=company_id))


@router.post(
    "/statements",
    status_code=201,
    response_model=StatementOut,
    responses=KEYED_WRITE_RESPONSES,
    summary="Add a financial statement (lines in major units, decimal strings)",
)
def add_statement(
    data: StatementCreate,
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
        permission=Permission.WRITE_COMPANIES,
        operation=lambda: statement_out(service.add_statement(session, actor=actor, data=data)),
    )


@router.get(
    "/companies/{company_id}/statements",
    response_model=StatementList,
    summary="A company's financial statements, oldest period first",
)
def list_statements(company_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> StatementList:
    statements = service.list_statements(session, actor=actor, company_id=company_id)
    return StatementList(items=[statement_out(s) for s in statements])


@router.get(
    "/statements/{statement_id}", response_model=StatementOut, summary="Get a financial statement"
)
def get_statement(statement_id: uuid.UUID, session: SessionDep, actor: ActorDep) -> StatementOut:
    return statement_out(service.get_statement(session, actor=actor, statement_id=statement_id))
