"""Gather one company's credit report as of a date. Reads only; every select is scoped to the
actor's organisation, so another tenant's company is NotFound."""

from __future__ import annotations

import re
import uuid
from datetime import date

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.companies.models import STATEMENT_LINES, Company, CompanyEvent, FinancialStatement
from tradecredit.companies.service import company_by_key, get_company
from tradecredit.context import Actor
from tradecredit.kit.clock import utcnow
from tradecredit.kit.countries import NACE_SECTIONS, sector_section
from tradecredit.kit.errors import InvalidInput
from tradecredit.kit.money import from_minor
from tradecredit.organisations.roles import Permission
from tradecredit.reports.behaviour import buyer_behaviour, company_ledger
from tradecredit.reports.figures import KEY_RATIOS, REPORT_RATIOS, ratio_trend
from tradecredit.reports.limit import limit_section
from tradecredit.reports.peers import MIN_PEERS, peer_percentiles
from tradecredit.reports.schemas import (
    CreditReport,
    Event,
    GradeSection,
    Identity,
    Parent,
    PeerGroup,
    PeerRow,
    RatioRow,
    Statement,
)
from tradecredit.risk.schemas import SectorRisk
from tradecredit.risk.sectors import sector_risk
from tradecredit.risk.service import OECD_SOURCE, country_risk_as_of
from tradecredit.scoring.grades import GRADE_TABLE, INSOLVENT_GRADE
from tradecredit.scoring.inputs import id_text, latest_ratios
from tradecredit.scoring.points import as_decimal
from tradecredit.scoring.ratios import compute_ratios
from tradecredit.scoring.scores import company_score

STATEMENT_YEARS = 3
_KEY = re.compile(r"^(?P<reg>.+):(?P<country>[A-Z]{2})$")


def resolve_company(session: Session, *, actor: Actor, reference: str) -> Company:
    """A company by its id (UUID) or by `REGISTRATION_NUMBER:COUNTRY` (e.g. `HRB1:DE`)."""
    text = reference.strip()
    try:
        company_id = uuid.UUID(text)
    except ValueError:
        match = _KEY.match(text)
        if match is None:
            raise InvalidInput(
                f"company {reference!r} is neither a company id (UUID) nor "
                "REGISTRATION_NUMBER:COUNTRY (e.g. HRB1:DE)"
            ) from None
        return company_by_key(
            session,
            actor=actor,
            registration_number=match["reg"],
            country=match["country"],
        )
    return get_company(session, actor=actor, company_id=company_id)


def _age(founded: date | None, as_of: date) -> int | None:
    if founded is None or founded > as_of:
        return None
    before_birthday = (as_of.month, as_of.day) < (founded.month, founded.day)
    return as_of.year - founded.year - int(before_birthday)


def _identity(session: Session, actor: Actor, company: Company, as_of: date) -> Identity:
    parent = None
    if company.group_parent_id is not None:
        row = session.execute(
            select(Company.name, Company.registration_number, Company.country).where(
                Company.org_id == actor.org_id, Company.id == company.group_parent_id
            )
        ).first()
        parent = None if row is None else Parent(row[0], row[1], row[2])
    section = sector_section(company.sector)
    return Identity(
        company_id=company.id,
        name=company.name,
        registration_number=company.registration_number,
        country=company.country,
        legal_form=company.legal_form,
        sector=company.sector,
        section=section,
        section_name_en=NACE_SECTIONS[section][0],
        founded=company.founded,
        age_years=_age(company.founded, as_of),
        parent=parent,
        status=company.status,
    )


def _statements(
    session: Session, actor: Actor, company_id: uuid.UUID, as_of: date
) -> list[FinancialStatement]:
    rows = session.scalars(
        select(FinancialStatement)
        .where(
            FinancialStatement.org_id == actor.org_id,
            FinancialStatement.company_id == company_id,
            FinancialStatement.period_end <= as_of,
        )
        .order_by(FinancialStatement.period_end.desc())
        .limit(STATEMENT_YEARS)
    ).all()
    return list(reversed(rows))


def _statement(row: FinancialStatement) -> Statement:
    lines = {}
    for line in STATEMENT_LINES:
        minor = getattr(row, line)
        lines[line] = None if minor is None else from_minor(minor, row.currency)
    return Statement(row.period_end, row.currency, lines)


def _ratio_rows(rows: list[FinancialStatement]) -> tuple[RatioRow, ...]:
    if not rows:
        return ()
    frame = pl.DataFrame(
        [{line: getattr(row, line) for line in STATEMENT_LINES} for row in rows],
        schema=dict.fromkeys(STATEMENT_LINES, pl.Int64),
    )
    ratios = compute_ratios(frame)
    result = []
    for name in REPORT_RATIOS:
        values = tuple(as_decimal(v) for v in ratios[name].to_list())
        trends = tuple(ratio_trend(name, values[i - 1], values[i]) for i in range(1, len(values)))
        result.append(RatioRow(name, values, trends))
    return tuple(result)


def _events(
    session: Session, actor: Actor, company_id: uuid.UUID, as_of: date
) -> tuple[Event, ...]:
    rows = session.scalars(
        select(CompanyEvent)
        .where(
            CompanyEvent.org_id == actor.org_id,
            CompanyEvent.company_id == company_id,
            CompanyEvent.event_date <= as_of,
        )
        .order_by(CompanyEvent.event_date.desc(), CompanyEvent.kind)
    )
    return tuple(Event(e.kind, e.event_date, e.source, e.severity, e.description) for e in rows)


def _sector_risk(code: str) -> SectorRisk | None:
    try:
        return sector_risk(code)
    except InvalidInput:
        return None


def portfolio_ratio_frame(session: Session, *, actor: Actor, as_of: date) -> pl.DataFrame:
    """Every company's latest-statement ratios with its NACE section and country."""
    ratios = latest_ratios(session, actor=actor, as_of=as_of)
    rows = session.execute(
        select(Company.id, id_text(Company.id), Company.country, Company.sector).where(
            Company.org_id == actor.org_id
        )
    )
    groups = pl.DataFrame(
        [(str(i), text, country, sector_section(sector)) for i, text, country, sector in rows],
        schema={
            "uuid": pl.String,
            "company_id": pl.String,
            "country": pl.String,
            "section": pl.String,
        },
        orient="row",
    )
    joined = ratios.join(groups, on="company_id", how="left")
    return joined.drop("company_id").rename({"uuid": "company_id"})


def _peer_groups(portfolio: pl.DataFrame, company_id: uuid.UUID) -> tuple[PeerGroup, ...]:
    groups = []
    for by in ("section", "country"):
        frame = peer_percentiles(portfolio, company_id=str(company_id), by=by, names=KEY_RATIOS)
        rows = tuple(
            PeerRow(
                ratio=row["ratio"],
                value=as_decimal(row["value"]),
                peers=row["peers"],
                better_than=as_decimal(row["better_than"]),
                peer_median=as_decimal(row["peer_median"]),
            )
            for row in frame.iter_rows(named=True)
        )
        group = frame["group"].drop_nulls()
        groups.append(PeerGroup(by, group[0] if group.len() else None, MIN_PEERS, rows))
    return tuple(groups)


def _grade(session: Session, actor: Actor, company_id: uuid.UUID, as_of: date) -> GradeSection:
    found = company_score(session, actor=actor, company_id=company_id, as_of=as_of)
    result = found.result
    lower = upper = None
    label = "insolvent"
    if result.grade != INSOLVENT_GRADE:
        band = GRADE_TABLE.bands()[result.grade - 1]
        lower, upper, label = band.lower_exclusive, band.upper_inclusive, band.label
    return GradeSection(
        grade=result.grade,
        pd=result.pd,
        band_lower=lower,
        band_upper=upper,
        band_label=label,
        reasons=result.reasons,
        model_version=result.model_version,
        scored_as_of=result.as_of,
        stored=found.stored,
    )


def build_credit_report(
    session: Session,
    *,
    actor: Actor,
    company_id: uuid.UUID,
    as_of: date,
    country_source: str = OECD_SOURCE,
) -> CreditReport:
    """Everything the report shows as of `as_of`; `country_source` is whose country risk
    classification to quote (the OECD's unless another was imported under its own name)."""
    actor.require(Permission.READ)
    company = get_company(session, actor=actor, company_id=company_id)
    statements = _statements(session, actor, company.id, as_of)
    ledger = company_ledger(session, actor=actor, company_id=company.id, as_of=as_of)
    return CreditReport(
        as_of=as_of,
        generated_at=utcnow(),
        identity=_identity(session, actor, company, as_of),
        grade=_grade(session, actor, company.id, as_of),
        statements=tuple(_statement(row) for row in statements),
        ratios=_ratio_rows(statements),
        behaviour=buyer_behaviour(ledger, as_of=as_of),
        events=_events(session, actor, company.id, as_of),
        country_risk=country_risk_as_of(
            session, country=company.country, as_of=as_of, source=country_source
        ),
        sector_risk=_sector_risk(company.sector),
        peers=_peer_groups(portfolio_ratio_frame(session, actor=actor, as_of=as_of), company.id),
        limit=limit_section(session, actor=actor, company_id=company.id, as_of=as_of),
    )
