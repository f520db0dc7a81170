"""Ledger scoring: every buyer's PD, grade and reasons as of a date, stored when its inputs are new.

Per buyer: the ratios of its latest statement on or before the as-of date and its payment
behaviour, then the PD: model="default", the shipped LightGBM model (`default.assess_values`)
blended with behaviour, country and sector risk (`blend`); model="points", the transparent points
formula (`points.points_pd`). Then the grade, the overlays from its events and status, and the
reasons: overlays first, then the ratios or factors pushing the PD up most, each beside the median
of its NACE section over the portfolio. Every select filters on the actor's organisation."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.audit.canonical import canonical_json
from tradecredit.audit.service import Change, record_many
from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.kit.countries import sector_section
from tradecredit.kit.errors import InvalidInput, NotFound
from tradecredit.organisations.roles import Permission
from tradecredit.risk.sectors import sector_risk
from tradecredit.risk.service import country_risk_frame
from tradecredit.scoring.blend import BLEND_VERSION, NO_RISK, RiskLevels, blended_pd_and_reasons
from tradecredit.scoring.default import FinancialAssessment, assess_values, default_model_version
from tradecredit.scoring.grades import grade_for_pd
from tradecredit.scoring.inputs import BuyerInputs, load_buyer_inputs
from tradecredit.scoring.models import Score
from tradecredit.scoring.overlays import EventFact, Reason, apply_overlays
from tradecredit.scoring.points import (
    FACTOR_NAMES,
    MODEL_VERSION,
    as_decimal,
    points_pd,
    top_reasons,
)
from tradecredit.scoring.ratios import compute_ratios

Medians = Mapping[str, Mapping[str, Decimal | None]]
"""NACE section -> factor -> median over the portfolio (None when no buyer has the figure)."""


MODELS = ("default", "points")


def model_version(model: str) -> str:
    """ "points-v1", or the default model's version (from its training data) plus the blend's."""
    if model == "points":
        return MODEL_VERSION
    if model == "default":
        return f"{default_model_version()}+{BLEND_VERSION}"
    raise InvalidInput(f"unknown scoring model {model!r}; choose one of {MODELS}")


@dataclass(frozen=True)
class ScoreResult:
    company_id: uuid.UUID
    name: str
    model_version: str
    as_of: date
    pd: Decimal
    grade: int
    reasons: tuple[Reason, ...]
    inputs_hash: str


def sector_medians(buyers: Sequence[BuyerInputs]) -> dict[str, dict[str, Decimal | None]]:
    """Median of every factor per NACE section, nulls ignored."""
    rows = [
        {"section": b.section, **{n: _as_float(b.values.get(n)) for n in FACTOR_NAMES}}
        for b in buyers
        if b.section is not None
    ]
    if not rows:
        return {}
    schema = {"section": pl.String, **dict.fromkeys(FACTOR_NAMES, pl.Float64)}
    frame = (
        pl.DataFrame(rows, schema=schema)
        .group_by("section")
        .agg(pl.col(name).median() for name in FACTOR_NAMES)
    )
    return {
        row["section"]: {name: as_decimal(row[name]) for name in FACTOR_NAMES}
        for row in frame.iter_rows(named=True)
    }


def _as_float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def inputs_hash(
    buyer: BuyerInputs,
    *,
    as_of: date,
    medians: Mapping[str, Decimal | None],
    version: str = MODEL_VERSION,
    risk: RiskLevels = NO_RISK,
) -> str:
    """SHA-256 of everything the stored row is computed from, in canonical JSON."""
    payload = {
        "model_version": version,
        "risk": [risk.country, risk.country_level, risk.sector, risk.sector_level],
        "as_of": as_of,
        "company_id": buyer.company_id,
        "status": buyer.status,
        "values": {name: buyer.values.get(name) for name in FACTOR_NAMES},
        "events": sorted(
            [e.kind, e.event_date.isoformat(), e.severity]
            for e in buyer.events
            if e.event_date <= as_of
        ),
        "sector_medians": dict(medians),
    }
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def score_buyer(
    buyer: BuyerInputs,
    *,
    as_of: date,
    medians: Medians,
    model: str = "default",
    risk: RiskLevels = NO_RISK,
    financial: FinancialAssessment | None = None,
) -> ScoreResult:
    """Pure apart from the cached model: PD, grade after overlays, and reasons for one buyer.
    `financial` is the default model's assessment when already computed for a batch."""
    version = model_version(model)
    section_medians = medians.get(buyer.section or "", {})
    if model == "points":
        points = points_pd(buyer.values)
        pd_, pushing = points.pd, top_reasons(points, buyer.values, section_medians)
    else:
        assessed = financial if financial is not None else assess_values([buyer.values])[0]
        pd_, pushing = blended_pd_and_reasons(assessed, buyer.values, section_medians, risk)
    overlaid = apply_overlays(
        grade_for_pd(pd_), events=buyer.events, status=buyer.status, as_of=as_of
    )
    return ScoreResult(
        company_id=buyer.company_id,
        name=buyer.name,
        model_version=version,
        as_of=as_of,
        pd=pd_,
        grade=overlaid.grade,
        reasons=(*overlaid.reasons, *pushing),
        inputs_hash=inputs_hash(
            buyer, as_of=as_of, medians=section_medians, version=version, risk=risk
        ),
    )


def _sector_level(code: str | None) -> int | None:
    if not code:
        return None
    try:
        return sector_risk(code).risk_level
    except (InvalidInput, ValueError):
        return None


def risk_levels(session: Session, *, actor: Actor, as_of: date) -> dict[uuid.UUID, RiskLevels]:
    """Country level (the OECD classification in force on `as_of`, when imported) and sector
    level of every company of the organisation."""
    countries = country_risk_frame(session, as_of=as_of)
    by_country = dict(zip(countries["country"], countries["risk_level"], strict=True))
    rows = session.execute(
        select(Company.id, Company.country, Company.sector).where(Company.org_id == actor.org_id)
    )
    return {
        company_id: RiskLevels(country, by_country.get(country), sector, _sector_level(sector))
        for company_id, country, sector in rows
    }


def score_portfolio(
    session: Session,
    *,
    actor: Actor,
    as_of: date,
    progress: Callable[[int, int], None] | None = None,
    model: str = "default",
) -> list[ScoreResult]:
    """Every buyer of the organisation, scored as of `as_of` (nothing stored)."""
    actor.require(Permission.READ)
    model_version(model)
    buyers = load_buyer_inputs(session, actor=actor, as_of=as_of)
    medians = sector_medians(buyers)
    risks = risk_levels(session, actor=actor, as_of=as_of) if model == "default" else {}
    assessed: list[FinancialAssessment | None] = (
        list(assess_values([b.values for b in buyers]))
        if model == "default"
        else [None] * len(buyers)
    )
    results = []
    for done, (buyer, financial) in enumerate(zip(buyers, assessed, strict=True), start=1):
        risk = risks.get(buyer.company_id, NO_RISK)
        results.append(
            score_buyer(
                buyer, as_of=as_of, medians=medians, model=model, risk=risk, financial=financial
            )
        )
        if progress is not None:
            progress(done, len(buyers))
    return results


def reasons_json(reasons: Sequence[Reason]) -> str:
    return json.dumps(
        [{"code": r.code, "text_en": r.text_en, "text_zh": r.text_zh} for r in reasons],
        ensure_ascii=False,
    )


def parse_reasons(text: str) -> tuple[Reason, ...]:
    return tuple(Reason(r["code"], r["text_en"], r["text_zh"]) for r in json.loads(text))


def _known_hashes(
    session: Session, actor: Actor, as_of: date, versions: set[str]
) -> set[tuple[uuid.UUID, str, str]]:
    rows = session.execute(
        select(Score.company_id, Score.model_version, Score.inputs_hash).where(
            Score.org_id == actor.org_id,
            Score.model_version.in_(sorted(versions)),
            Score.as_of == as_of,
        )
    )
    return {(row[0], row[1], row[2]) for row in rows}


def store_scores(
    session: Session, *, actor: Actor, as_of: date, results: Sequence[ScoreResult]
) -> list[Score]:
    """Insert the scores whose inputs hash is new for that buyer, model version and date; one
    audit event for the batch. Returns the new rows (empty: nothing written, no event)."""
    actor.require(Permission.WRITE_COMPANIES)
    known = _known_hashes(session, actor, as_of, {r.model_version for r in results})
    new = [
        Score(
            org_id=actor.org_id,
            company_id=r.company_id,
            model_version=r.model_version,
            as_of=r.as_of,
            pd=r.pd,
            grade=r.grade,
            reasons=reasons_json(r.reasons),
            inputs_hash=r.inputs_hash,
        )
        for r in results
        if r.as_of == as_of and (r.company_id, r.model_version, r.inputs_hash) not in known
    ]
    if not new:
        return []
    session.add_all(new)
    session.flush()
    batch = {
        "model_version": ", ".join(sorted({s.model_version for s in new})),
        "as_of": as_of,
        "scores": [
            {"id": s.id, "company_id": s.company_id, "pd": s.pd, "grade": s.grade} for s in new
        ],
    }
    record_many(
        session,
        actor=actor,
        changes=[Change("scores.stored", "score_batch", as_of.isoformat(), after=batch)],
    )
    return new


def score_and_store(
    session: Session,
    *,
    actor: Actor,
    as_of: date,
    progress: Callable[[int, int], None] | None = None,
    model: str = "default",
) -> tuple[list[ScoreResult], int]:
    """Score every buyer and store the new ones; returns all results and how many were new."""
    results = score_portfolio(session, actor=actor, as_of=as_of, progress=progress, model=model)
    stored = store_scores(session, actor=actor, as_of=as_of, results=results)
    return results, len(stored)


@dataclass(frozen=True)
class CompanyScore:
    result: ScoreResult
    stored: bool


def _stored(
    session: Session, actor: Actor, company_id: uuid.UUID, as_of: date, version: str
) -> Score | None:
    return session.scalars(
        select(Score)
        .where(
            Score.org_id == actor.org_id,
            Score.company_id == company_id,
            Score.model_version == version,
            Score.as_of == as_of,
        )
        .order_by(Score.created_at.desc(), Score.id.desc())
        .limit(1)
    ).first()


def company_score(
    session: Session,
    *,
    actor: Actor,
    company_id: uuid.UUID,
    as_of: date,
    model: str = "default",
) -> CompanyScore:
    """The latest stored score of that buyer for `as_of`, else one computed now (not stored)."""
    actor.require(Permission.READ)
    name = session.scalar(
        select(Company.name).where(Company.org_id == actor.org_id, Company.id == company_id)
    )
    if name is None:
        raise NotFound(f"no company {company_id}")
    stored = _stored(session, actor, company_id, as_of, model_version(model))
    if stored is not None:
        result = ScoreResult(
            company_id,
            name,
            stored.model_version,
            stored.as_of,
            stored.pd,
            stored.grade,
            parse_reasons(stored.reasons),
            stored.inputs_hash,
        )
        return CompanyScore(result, stored=True)
    buyers = load_buyer_inputs(session, actor=actor, as_of=as_of)
    medians = sector_medians(buyers)
    buyer = next(b for b in buyers if b.company_id == company_id)
    risk = NO_RISK
    if model == "default":
        risk = risk_levels(session, actor=actor, as_of=as_of).get(company_id, NO_RISK)
    result = score_buyer(buyer, as_of=as_of, medians=medians, model=model, risk=risk)
    return CompanyScore(result, stored=False)


POSTED_COMPANY = uuid.UUID(int=0)
"""The nil UUID stands for posted figures in their inputs hash: they belong to no stored buyer."""


def _posted_ratios(lines: Mapping[str, Decimal | None]) -> dict[str, Decimal | None]:
    """Ratios of one posted statement. The lines are scaled to whole numbers by one common power
    of ten (ratios do not depend on the unit), so no amount passes through a float."""
    known = [value for value in lines.values() if value is not None]
    exponents = [int(value.as_tuple().exponent) for value in known]
    places = max([0, *(-exponent for exponent in exponents)])
    scaled = {
        line: [None if value is None else int(value.scaleb(places))]
        for line, value in lines.items()
    }
    frame = pl.DataFrame(scaled, schema=dict.fromkeys(lines, pl.Int64))
    ratios = compute_ratios(frame).row(0, named=True)
    return {name: as_decimal(ratios.get(name)) for name in FACTOR_NAMES if name in ratios}


def score_posted(
    session: Session,
    *,
    actor: Actor,
    as_of: date,
    sector: str | None,
    status: str,
    lines: Mapping[str, Decimal | None],
    behaviour: Mapping[str, Decimal | None],
    events: Sequence[EventFact],
    model: str = "default",
) -> ScoreResult:
    """Score posted figures, nothing stored. With a sector, reasons quote the median of that NACE
    section over the organisation's portfolio as of the same date, and the default model counts
    the sector's risk level; no country is posted, so country risk is not available."""
    actor.require(Permission.READ)
    section = None if sector is None else sector_section(sector)
    values = dict.fromkeys(FACTOR_NAMES) | _posted_ratios(lines)
    values |= {name: value for name, value in behaviour.items() if name in FACTOR_NAMES}
    medians: Medians = {}
    if section is not None:
        medians = sector_medians(load_buyer_inputs(session, actor=actor, as_of=as_of))
    buyer = BuyerInputs(POSTED_COMPANY, "posted", section, status, values, tuple(events))
    risk = RiskLevels(sector=sector, sector_level=_sector_level(sector))
    return score_buyer(buyer, as_of=as_of, medians=medians, model=model, risk=risk)
