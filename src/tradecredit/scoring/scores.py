"""Ledger scoring: every buyer's PD, grade and reasons as of a date, stored when its inputs are new.

Per buyer: the ratios of its latest statement on or before the as-of date, its payment behaviour,
its events, its founding date, and its country's and sector's risk levels, loaded with selects
filtered on the actor's organisation into one frame; then `batch.score_frame`, the one scoring
implementation (a single buyer is a one-row frame): model="default", the shipped LightGBM model
moved to the portfolio base rate and blended with behaviour, country and sector risk and company
age; model="points", the
transparent points formula. Then the grade, the overlays and the reasons, each factor beside the
median of its NACE section over the portfolio."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.audit.service import Change, record_many
from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.kit.countries import sector_section
from tradecredit.kit.errors import InvalidInput, NotFound
from tradecredit.organisations.roles import Permission
from tradecredit.risk.sectors import sector_risk
from tradecredit.risk.service import country_risk_frame
from tradecredit.scoring import batch
from tradecredit.scoring.batch import Medians, ScoringSettings
from tradecredit.scoring.blend import NO_RISK, RiskLevels
from tradecredit.scoring.default import TARGET_BASE_RATE
from tradecredit.scoring.inputs import BuyerInputs, buyers_frame, load_buyer_inputs
from tradecredit.scoring.models import Score
from tradecredit.scoring.overlays import (
    EventFact,
    Reason,
)
from tradecredit.scoring.points import FACTOR_NAMES, as_decimal
from tradecredit.scoring.ratios import compute_ratios


def settings_for(model: str, base_rate: Decimal | None = TARGET_BASE_RATE) -> ScoringSettings:
    return ScoringSettings(model=model, base_rate=base_rate)


def model_version(model: str, base_rate: Decimal | None = TARGET_BASE_RATE) -> str:
    """ "points-v1", or the default model's version (from its training data), its base-rate
    correction and the blend's."""
    return batch.model_version(settings_for(model, base_rate))


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
    return batch.medians_by_section(batch.section_medians(buyers_frame(buyers)))


def score_buyers(
    buyers: Sequence[BuyerInputs],
    *,
    as_of: date,
    medians: Medians,
    model: str = "default",
    risks: Mapping[uuid.UUID, RiskLevels] | None = None,
    base_rate: Decimal | None = TARGET_BASE_RATE,
) -> list[ScoreResult]:
    """Score buyers in one frame (`batch.score_frame`), with their inputs hashes."""
    settings = settings_for(model, base_rate)
    frame = buyers_frame(buyers, as_of=as_of, risks=risks)
    if model == "points":
        frame = frame.with_columns(pl.lit(None, dtype=pl.Date).alias("founded"))
    scored = batch.score_frame(frame, as_of=as_of, settings=settings, medians=medians)
    events = {
        str(b.company_id): [(e.kind, e.event_date, e.severity) for e in b.events] for b in buyers
    }
    hashes = batch.inputs_hashes(
        frame,
        as_of=as_of,
        version=batch.model_version(settings),
        medians=medians,
        events=events,
        values=[buyer.values for buyer in buyers],
    )
    return [
        ScoreResult(
            company_id=buyer.company_id,
            name=buyer.name,
            model_version=row["model_version"],
            as_of=as_of,
            pd=Decimal(row["pd"]),
            grade=row["grade"],
            reasons=tuple(Reason(**reason) for reason in row["reasons"]),
            inputs_hash=digest,
        )
        for buyer, row, digest in zip(buyers, scored.iter_rows(named=True), hashes, strict=True)
    ]


def score_buyer(
    buyer: BuyerInputs,
    *,
    as_of: date,
    medians: Medians,
    model: str = "default",
    risk: RiskLevels = NO_RISK,
    base_rate: Decimal | None = TARGET_BASE_RATE,
) -> ScoreResult:
    """One buyer: a one-row frame through the same batch function."""
    return score_buyers(
        [buyer],
        as_of=as_of,
        medians=medians,
        model=model,
        risks={buyer.company_id: risk},
        base_rate=base_rate,
    )[0]


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
    base_rate: Decimal | None = TARGET_BASE_RATE,
) -> list[ScoreResult]:
    """Every buyer of the organisation, scored as of `as_of` in one batch (nothing stored).
    `progress` hears (0, n) before and (n, n) after the batch."""
    actor.require(Permission.READ)
    settings_for(model, base_rate)
    buyers = load_buyer_inputs(session, actor=actor, as_of=as_of)
    if progress is not None:
        progress(0, len(buyers))
    risks = risk_levels(session, actor=actor, as_of=as_of) if model == "default" else {}
    results = score_buyers(
        buyers,
        as_of=as_of,
        medians=sector_medians(buyers),
        model=model,
        risks=risks,
        base_rate=base_rate,
    )
    if progress is not None:
        progress(len(buyers), len(buyers))
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
    base_rate: Decimal | None = TARGET_BASE_RATE,
) -> tuple[list[ScoreResult], int]:
    """Score every buyer and store the new ones; returns all results and how many were new."""
    results = score_portfolio(
        session, actor=actor, as_of=as_of, progress=progress, model=model, base_rate=base_rate
    )
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
    base_rate: Decimal | None = TARGET_BASE_RATE,
) -> CompanyScore:
    """The latest stored score of that buyer for `as_of`, else one computed now (not stored)."""
    actor.require(Permission.READ)
    name = session.scalar(
        select(Company.name).where(Company.org_id == actor.org_id, Company.id == company_id)
    )
    if name is None:
        raise NotFound(f"no company {company_id}")
    stored = _stored(session, actor, company_id, as_of, model_version(model, base_rate))
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
    result = score_buyer(
        buyer, as_of=as_of, medians=medians, model=model, risk=risk, base_rate=base_rate
    )
    return CompanyScore(result, stored=False)


POSTED_COMPANY = uuid.UUID(int=0)
"""The nil UUID stands for posted figures in their inputs hash: they belong to no stored buyer."""


def _posted_ratios(lines: Mapping[str, Decimal | None]) -> dict[str, Decimal | None]:
    """Ratios of one posted statement. The lines are scaled to whole numbers by one common power
    of ten (ratios do not depend on the unit), so no amount passes through a float."""
    known = [value for value in lines.values() if value is not None]
    if not known:
        return {}
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
    founded: date | None = None,
    model: str = "default",
    base_rate: Decimal | None = TARGET_BASE_RATE,
) -> ScoreResult:
    """Score posted figures, nothing stored. With a sector, reasons quote the median of that NACE
    section over the organisation's portfolio as of the same date, and the default model counts
    the sector's risk level; with `founded`, the company's age; no country is posted, so country
    risk is not available."""
    actor.require(Permission.READ)
    section = None if sector is None else sector_section(sector)
    values = dict.fromkeys(FACTOR_NAMES) | _posted_ratios(lines)
    values |= {name: value for name, value in behaviour.items() if name in FACTOR_NAMES}
    medians: Medians = {}
    if section is not None:
        medians = sector_medians(load_buyer_inputs(session, actor=actor, as_of=as_of))
    buyer = BuyerInputs(
        POSTED_COMPANY, "posted", section, status, values, tuple(events), founded=founded
    )
    risk = RiskLevels(sector=sector, sector_level=_sector_level(sector))
    return score_buyer(
        buyer, as_of=as_of, medians=medians, model=model, risk=risk, base_rate=base_rate
    )
