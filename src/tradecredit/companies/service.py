"""Companies, statements and events: create, read, list. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.audit import service as audit
from tradecredit.companies.models import STATEMENT_LINES, Company, FinancialStatement
from tradecredit.companies.schemas import CompanyCreate, StatementCreate
from tradecredit.context import Actor
from tradecredit.db.snapshot import snapshot
from tradecredit.kit.errors import AlreadyExists, NotFound
from tradecredit.kit.money import to_minor
from tradecredit.organisations.roles import Permission


def find_company(
    session: Session, *, actor: Actor, registration_number: str, country: str
) -> Company | None:
    return session.scalar(
        select(Company).where(
            Company.org_id == actor.org_id,
            Company.country == country,
            Company.registration_number == registration_number,
        )
    )


def company_by_key(
    session: Session, *, actor: Actor, registration_number: str, country: str
) -> Company:
    company = find_company(
        session, actor=actor, registration_number=registration_number, country=country
    )
    if company is None:
        raise NotFound(f"unknown company {registration_number!r} in {country}")
    return company


def get_company(session: Session, *, actor: Actor, company_id: uuid.UUID) -> Company:
    company = session.get(Company, company_id)
    if company is None or company.org_id != actor.org_id:
        raise NotFound(f"no company {company_id}")
    return company


def list_companies(
    session: Session,
    *,
    actor: Actor,
    country: str | None = None,
    sector: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Company]:
    query = select(Company).where(Company.org_id == actor.org_id)
    if country:
        query = query.where(Company.country == country)
    if sector:
        query = query.where(Company.sector.startswith(sector))
    if status:
        query = query.where(Company.status == status)
    query = query.order_by(Company.country, Company.registration_number)
    return session.scalars(query.limit(limit).offset(offset)).all()


def company_fields(session: Session, *, actor: Actor, data: CompanyCreate) -> dict[str, object]:
    """Column values for a company, the group parent resolved to its id (it must exist)."""
    parent_id = None
    if data.group_parent_registration_number and data.group_parent_country:
        parent = company_by_key(
            session,
            actor=actor,
            registration_number=data.group_parent_registration_number,
            country=data.group_parent_country,
        )
        parent_id = parent.id
    return {
        "registration_number": data.registration_number,
        "country": data.country,
        "name": data.name,
        "sector": data.sector,
        "legal_form": data.legal_form,
        "founded": data.founded,
        "group_parent_id": parent_id,
        "status": data.status,
        "language": data.language,
    }


def create_company(session: Session, *, actor: Actor, data: CompanyCreate) -> Company:
    actor.require(Permission.WRITE_COMPANIES)
    if find_company(
        session, actor=actor, registration_number=data.registration_number, country=data.country
    ):
        raise AlreadyExists(
            f"company {data.registration_number!r} in {data.country} already exists"
        )
    company = Company(org_id=actor.org_id, **company_fields(session, actor=actor, data=data))
    session.add(company)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="company.created",
        entity_type="company",
        entity_id=company.id,
        after=snapshot(company),
    )
    return company


def statement_lines_minor(data: StatementCreate) -> dict[str, int | None]:
    return {
        line: None if getattr(data, line) is None else to_minor(getattr(data, line), data.currency)
        for line in STATEMENT_LINES
    }


def add_statement(session: Session, *, actor: Actor, data: StatementCreate) -> FinancialStatement:
    actor.require(Permission.WRITE_COMPANIES)
    company = company_by_key(
        session, actor=actor, registration_number=data.registration_number, country=data.country
    )
    existing = session.scalar(
        select(FinancialStatement.id).where(
            FinancialStatement.org_id == actor.org_id,
            FinancialStatement.company_id == company.id,
            FinancialStatement.period_end == data.period_end,
        )
    )
    if existing:
        raise AlreadyExists(
            f"company {data.registration_number!r} already has a statement for {data.period_end}"
        )
    statement = FinancialStatement(
        org_id=actor.org_id,
        company_id=company.id,
        period_end=data.period_end,
        currency=data.currency,
        **statement_lines_minor(data),
    )
    session.add(statement)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="statement.created",
        entity_type="financial_statement",
        entity_id=statement.id,
        after=snapshot(statement),
    )
    return statement


def get_statement(session: Session, *, actor: Actor, statement_id: uuid.UUID) -> FinancialStatement:
    statement = session.get(FinancialStatement, statement_id)
    if statement is None or statement.org_id != actor.org_id:
        raise NotFound(f"no financial statement {statement_id}")
    return statement


def list_statements(
    session: Session, *, actor: Actor, company_id: uuid.UUID
) -> Sequence[FinancialStatement]:
    get_company(session, actor=actor, company_id=company_id)
    return session.scalars(
        select(FinancialStatement)
        .where(
            FinancialStatement.org_id == actor.org_id,
            FinancialStatement.company_id == company_id,
        )
        .order_by(FinancialStatement.period_end)
    ).all()
