"""The main job: load the demo portfolio once, then run every capability for an as-of date."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tradecredit.analytics.schemas import AgeingReport
from tradecredit.analytics.service import ageing_reports
from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.demo.generator import generate_portfolio
from tradecredit.demo.loader import LoadSummary, load_portfolio
from tradecredit.demo.portfolio import DEMO_SELLER
from tradecredit.demo.report import render_demo_report, report_path
from tradecredit.organisations.models import Organisation
from tradecredit.organisations.roles import Role
from tradecredit.organisations.service import create_organisation
from tradecredit.receivables.models import Invoice, Payment
from tradecredit.risk.schemas import CountryRiskImport
from tradecredit.risk.service import import_oecd_file
from tradecredit.scoring.scores import ScoreResult, score_and_store

Progress = Callable[[str, int, int], None]
DEFAULT_END = date(2026, 9, 30)
COUNTRY_RISK_ENV = "TRADECREDIT_DEMO_COUNTRY_RISK"
COUNTRY_RISK_FILE = Path("oecd_country_risk") / "oecd_crc_2026.csv"
"""The OECD classification valid from 30 January 2026, in the shared reference data folder."""


def default_country_risk_file() -> Path:
    """$TRADECREDIT_DEMO_COUNTRY_RISK, else ../shared/data/oecd_country_risk/oecd_crc_2026.csv
    beside the project (the folder holding pyproject.toml; the working directory otherwise)."""
    setting = os.environ.get(COUNTRY_RISK_ENV)
    if setting:
        return Path(setting)
    here = Path(__file__).resolve()
    roots = [parent for parent in here.parents if (parent / "pyproject.toml").is_file()]
    project = roots[0] if roots else Path.cwd()
    return project.parent / "shared" / "data" / COUNTRY_RISK_FILE


@dataclass(frozen=True)
class CountryRiskSource:
    """What the demo did about country risk: the file it read (None: absent) and the import."""

    path: Path
    imported: CountryRiskImport | None

    def describe(self) -> str:
        if self.imported is None:
            return (
                f"country risk: no OECD file at {self.path}; buyers are scored with a neutral "
                f"country term (set --country-risk or ${COUNTRY_RISK_ENV})"
            )
        return f"country risk: imported {self.imported.summary()}"


def import_country_risk(session: Session, *, actor: Actor, path: Path) -> CountryRiskSource:
    """Import the OECD classification when the file is there (idempotent), else say so."""
    if not path.is_file():
        return CountryRiskSource(path, None)
    return CountryRiskSource(path, import_oecd_file(session, actor=actor, path=path))


@dataclass
class DemoOutcome:
    org_slug: str
    as_of: date
    loaded: LoadSummary | None
    ageing: AgeingReport
    by_country: AgeingReport
    by_currency: AgeingReport
    by_sector: AgeingReport
    by_buyer: AgeingReport
    counts: dict[str, int]
    scores: list[ScoreResult]
    new_scores: int
    report: Path
    country_risk: CountryRiskSource
    timings: dict[str, float] = field(default_factory=dict)


@contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    timings[step] = time.perf_counter() - start


def demo_slug(seed: int) -> str:
    return f"demo-{seed}"


def _demo_actor(session: Session, slug: str) -> tuple[Actor, bool]:
    """The demo organisation's actor, and whether it was created just now."""
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    created = org is None
    if org is None:
        org = create_organisation(
            session,
            slug=slug,
            name=DEMO_SELLER.name,
            kind="seller",
            base_currency=DEMO_SELLER.base_currency,
            actor_name="demo",
        )
    return Actor(org_id=org.id, name="demo", role=Role.ADMIN), created


def _has_ledger(session: Session, actor: Actor) -> bool:
    return bool(session.scalar(select(func.count()).where(Company.org_id == actor.org_id)))


def _counts(session: Session, actor: Actor) -> dict[str, int]:
    def count(model: type[Company] | type[Invoice] | type[Payment]) -> int:
        return int(session.scalar(select(func.count()).where(model.org_id == actor.org_id)) or 0)

    companies = session.execute(
        select(
            func.count(func.distinct(Company.country)), func.count(func.distinct(Company.sector))
        ).where(Company.org_id == actor.org_id)
    ).one()
    return {
        "buyers": count(Company),
        "countries": int(companies[0]),
        "sectors": int(companies[1]),
        "invoices": count(Invoice),
        "payments": count(Payment),
    }


def run_demo(
    engine: Engine,
    *,
    seed: int = 42,
    buyers: int = 2000,
    as_of: date | None = None,
    out_dir: Path = Path("out"),
    progress: Progress | None = None,
    country_risk: Path | None = None,
) -> DemoOutcome:
    """`country_risk`: the OECD CSV to import first (default `default_country_risk_file()`);
    when it is absent, buyers are scored with a neutral country term and the outcome says so."""
    timings: dict[str, float] = {}
    slug = demo_slug(seed)
    loaded = None
    with unit_of_work(engine) as session:
        actor, _ = _demo_actor(session, slug)
        if not _has_ledger(session, actor):
            with _timed(timings, "generate"):
                portfolio = generate_portfolio(seed=seed, buyers=buyers, end=DEFAULT_END)
            with _timed(timings, "load"):
                loaded = load_portfolio(
                    session, actor=actor, portfolio=portfolio, progress=progress
                )
    day = as_of or DEFAULT_END
    with unit_of_work(engine) as session, _timed(timings, "country risk"):
        source = import_country_risk(
            session, actor=actor, path=country_risk or default_country_risk_file()
        )
    with unit_of_work(engine) as session, _timed(timings, "ageing"):
        reports = ageing_reports(
            session,
            actor=actor,
            as_of=day,
            groupings=("total", "country", "currency", "sector", "buyer"),
        )
        counts = _counts(session, actor)
    with unit_of_work(engine) as session, _timed(timings, "scoring"):
        scores, new_scores = score_and_store(session, actor=actor, as_of=day)
    with _timed(timings, "report"):
        path = _write_report(
            reports, counts, scores, out_dir=out_dir, seed=seed, country_risk=source
        )
    return DemoOutcome(
        org_slug=slug,
        as_of=day,
        loaded=loaded,
        ageing=reports["total"],
        by_country=reports["country"],
        by_currency=reports["currency"],
        by_sector=reports["sector"],
        by_buyer=reports["buyer"],
        counts=counts,
        scores=scores,
        new_scores=new_scores,
        report=path,
        country_risk=source,
        timings=timings,
    )


def raised_by_country(scores: list[ScoreResult]) -> list[ScoreResult]:
    """Buyers with the reason "country_risk" (their country's level raises the PD), riskiest first."""
    hit = [s for s in scores if any(r.code == "country_risk" for r in s.reasons)]
    return sorted(hit, key=lambda s: (-s.grade, -s.pd, s.name))


def country_reason_text(score: ScoreResult) -> str:
    return next(r.text_en for r in score.reasons if r.code == "country_risk")


def country_risk_summary(scores: list[ScoreResult], examples: int = 3) -> str:
    raised = raised_by_country(scores)
    if not raised:
        return "none"
    shown = "; ".join(f"{s.name}: {country_reason_text(s)}" for s in raised[:examples])
    return f"{len(raised):,} (e.g. {shown})"


def _write_report(
    reports: dict[str, AgeingReport],
    counts: dict[str, int],
    scores: list[ScoreResult],
    *,
    out_dir: Path,
    seed: int,
    country_risk: CountryRiskSource,
) -> Path:
    html = render_demo_report(
        seller=DEMO_SELLER.name,
        ageing=reports["total"],
        breakdowns=[
            ("Ageing by country", reports["country"]),
            ("Ageing by sector (NACE section)", reports["sector"]),
            ("Ageing by invoice currency", reports["currency"]),
        ],
        by_buyer=reports["buyer"],
        scores=scores,
        portfolio=[
            ("Buyers", f"{counts['buyers']:,}"),
            ("Countries", str(counts["countries"])),
            ("NACE sectors", str(counts["sectors"])),
            ("Invoices", f"{counts['invoices']:,}"),
            ("Payments", f"{counts['payments']:,}"),
            ("Generator seed", str(seed)),
            ("Country risk", country_risk.describe().removeprefix("country risk: ")),
            ("Buyers whose country raises the PD", country_risk_summary(scores)),
        ],
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = report_path(out_dir, reports["total"].as_of)
    path.write_text(html, encoding="utf-8")
    return path.resolve()
