"""Ledger scoring on SQLite and PostgreSQL: stored once, "0 new" on re-run, overlays, tenancy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from analytics.db_ledger import company, invoice, payment
from tradecredit.audit.models import AuditEvent
from tradecredit.companies.models import Company, CompanyEvent
from tradecredit.companies.schemas import StatementCreate
from tradecredit.companies.service import add_statement
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.kit.errors import NotFound, PermissionDenied
from tradecredit.organisations.roles import Role
from tradecredit.risk.sectors import sector_risk
from tradecredit.scoring.blend import blend_pd
from tradecredit.scoring.grades import grade_for_pd
from tradecredit.scoring.models import Score
from tradecredit.scoring.points import MODEL_VERSION, PRIOR_PD
from tradecredit.scoring.scores import (
    ScoreResult,
    company_score,
    model_version,
    score_and_store,
    score_portfolio,
)

AS_OF = date(2026, 3, 31)


def statement(s: Session, actor: Actor, reg: str, *, liabilities: str, on: date) -> None:
    add_statement(
        s,
        actor=actor,
        data=StatementCreate(
            registration_number=reg,
            country="DE",
            period_end=on,
            currency="EUR",
            total_assets=Decimal(1000),
            total_liabilities=Decimal(liabilities),
            current_assets=Decimal(400),
            current_liabilities=Decimal(300),
            net_income=Decimal(20),
            ebit=Decimal(50),
            interest_expense=Decimal(10),
        ),
    )


def portfolio(engine: Engine, actor: Actor) -> None:
    """SAFE (leverage 40%, pays on time), RISKY (leverage 93%, pays 40 days late), INSOLVENT
    (sound figures, insolvency filing), NOTHING (no statement, no invoices)."""
    with unit_of_work(engine) as s:
        for reg in ("SAFE", "RISKY", "INSOLVENT", "NOTHING"):
            company(s, actor, reg)
        statement(s, actor, "SAFE", liabilities="400", on=date(2025, 12, 31))
        statement(s, actor, "RISKY", liabilities="500", on=date(2024, 12, 31))
        statement(s, actor, "RISKY", liabilities="930", on=date(2025, 12, 31))
        statement(s, actor, "RISKY", liabilities="100", on=date(2026, 12, 31))
        statement(s, actor, "INSOLVENT", liabilities="400", on=date(2025, 12, 31))
        invoice(s, actor, "S-1", "SAFE", "100", issued=date(2025, 11, 1), due=date(2025, 12, 1))
        payment(s, actor, "SP-1", "SAFE", "100", date(2025, 12, 1))
        invoice(s, actor, "R-1", "RISKY", "100", issued=date(2025, 11, 1), due=date(2025, 12, 1))
        payment(s, actor, "RP-1", "RISKY", "100", date(2026, 1, 10))
        insolvent = s.scalars(
            select(Company).where(
                Company.org_id == actor.org_id, Company.registration_number == "INSOLVENT"
            )
        ).one()
        s.add(
            CompanyEvent(
                org_id=actor.org_id,
                company_id=insolvent.id,
                kind="insolvency_filing",
                event_date=date(2026, 2, 1),
                source="court register",
                severity=5,
            )
        )


def by_name(results: list[ScoreResult]) -> dict[str, ScoreResult]:
    return {r.name.removeprefix("Buyer "): r for r in results}


def test_scores_are_stored_once_then_zero_new(engine: Engine, actor: Actor) -> None:
    portfolio(engine, actor)
    with unit_of_work(engine) as s:
        results, new = score_and_store(s, actor=actor, as_of=AS_OF)
    assert (len(results), new) == (4, 4)
    with unit_of_work(engine) as s:
        again, new_again = score_and_store(s, actor=actor, as_of=AS_OF)
        stored = s.scalars(select(Score).where(Score.org_id == actor.org_id)).all()
        batches = s.scalar(
            select(func.count()).where(
                AuditEvent.org_id == actor.org_id, AuditEvent.action == "scores.stored"
            )
        )
    assert new_again == 0
    assert [r.inputs_hash for r in again] == [r.inputs_hash for r in results]
    assert len(stored) == 4
    assert batches == 1
    assert {type(row.pd) for row in stored} == {Decimal}
    assert {row.model_version for row in stored} == {model_version("default")}


def test_points_model_stays_selectable_and_is_stored_apart(engine: Engine, actor: Actor) -> None:
    portfolio(engine, actor)
    with unit_of_work(engine) as s:
        default_results, _ = score_and_store(s, actor=actor, as_of=AS_OF)
        points_results, new = score_and_store(s, actor=actor, as_of=AS_OF, model="points")
    assert new == 4
    assert {r.model_version for r in points_results} == {MODEL_VERSION}
    assert by_name(points_results)["NOTHING"].pd == PRIOR_PD
    assert by_name(points_results)["RISKY"].pd != by_name(default_results)["RISKY"].pd


def test_changed_inputs_store_a_new_row(engine: Engine, actor: Actor) -> None:
    portfolio(engine, actor)
    with unit_of_work(engine) as s:
        score_and_store(s, actor=actor, as_of=AS_OF)
    with unit_of_work(engine) as s:
        invoice(s, actor, "S-2", "SAFE", "500", issued=date(2025, 12, 1), due=date(2026, 1, 1))
    with unit_of_work(engine) as s:
        _, new = score_and_store(s, actor=actor, as_of=AS_OF)
    assert new >= 1


def test_grades_reasons_and_overlay(engine: Engine, actor: Actor) -> None:
    portfolio(engine, actor)
    with unit_of_work(engine) as s:
        results = by_name(score_portfolio(s, actor=actor, as_of=AS_OF))
    safe, risky = results["SAFE"], results["RISKY"]
    assert safe.pd < risky.pd
    assert safe.grade < risky.grade
    assert results["INSOLVENT"].grade == 10
    assert results["INSOLVENT"].reasons[0].code == "overlay_insolvency_filing"
    # no statement and no invoice: the prior PD, moved only by the sector (C25); no country risk
    # has been imported, so the country adds nothing and says so
    nothing = blend_pd(PRIOR_PD, {}, country_level=None, sector_level=sector_risk("C25").risk_level)
    assert results["NOTHING"].pd == nothing.pd
    assert results["NOTHING"].reasons[-1].code == "country_risk_unavailable"
    assert "country risk not available" in results["NOTHING"].reasons[-1].text_en
    leverage = next(r for r in risky.reasons if r.code == "factor_liabilities_to_assets")
    # latest statement on or before the as-of date (2025: 93%), section C median of 40/93/40
    assert leverage.text_en == "leverage: total liabilities are 93% of assets (sector median 40%)"
    assert "行业中位数 40%" in leverage.text_zh
    assert any(r.code == "factor_dbt_average" for r in risky.reasons)


def test_company_score_prefers_stored_and_computes_otherwise(engine: Engine, actor: Actor) -> None:
    portfolio(engine, actor)
    with unit_of_work(engine) as s:
        risky_id = s.scalar(
            select(Company.id).where(
                Company.org_id == actor.org_id, Company.registration_number == "RISKY"
            )
        )
        assert risky_id is not None
        fresh = company_score(s, actor=actor, company_id=risky_id, as_of=AS_OF)
        assert not fresh.stored
        assert s.scalar(select(func.count()).where(Score.org_id == actor.org_id)) == 0
        score_and_store(s, actor=actor, as_of=AS_OF)
        kept = company_score(s, actor=actor, company_id=risky_id, as_of=AS_OF)
    assert kept.stored
    assert (kept.result.pd, kept.result.grade, kept.result.reasons) == (
        fresh.result.pd,
        fresh.result.grade,
        fresh.result.reasons,
    )


def test_tenant_scoping(engine: Engine, actor: Actor, other_actor: Actor) -> None:
    portfolio(engine, actor)
    with unit_of_work(engine) as s:
        results, new = score_and_store(s, actor=other_actor, as_of=AS_OF)
        assert (results, new) == ([], 0)
        some_id = s.scalar(select(Company.id).where(Company.org_id == actor.org_id).limit(1))
        assert some_id is not None
        with pytest.raises(NotFound):
            company_score(s, actor=other_actor, company_id=some_id, as_of=AS_OF)


def test_a_viewer_may_read_but_not_store(engine: Engine, actor: Actor) -> None:
    portfolio(engine, actor)
    viewer = Actor(org_id=actor.org_id, name="test:viewer", role=Role.VIEWER)
    with unit_of_work(engine) as s:
        assert len(score_portfolio(s, actor=viewer, as_of=AS_OF)) == 4
        with pytest.raises(PermissionDenied):
            score_and_store(s, actor=viewer, as_of=AS_OF)


def test_score_command_stores_then_reports_zero_new(cli_database: str) -> None:
    from typer.testing import CliRunner

    from tradecredit.cli.common import cli_actor
    from tradecredit.cli.main import app
    from tradecredit.db.engine import engine_for

    runner = CliRunner()
    assert runner.invoke(app, ["org", "create", "acme", "--name", "Acme"]).exit_code == 0
    engine = engine_for(cli_database)
    with unit_of_work(engine) as s:
        actor = cli_actor(s, "acme")
    portfolio(engine, actor)
    first = runner.invoke(app, ["score", "--as-of", "2026-03-31", "--org", "acme"])
    assert first.exit_code == 0, first.output
    version = model_version("default")
    assert f"4 buyers scored as of 2026-03-31 with {version}: 4 new scores stored" in first.output
    assert "Grade distribution" in first.output
    riskiest = first.output[first.output.index("riskiest buyers") :]
    assert riskiest.index("Buyer INSOLVENT") < riskiest.index("Buyer RISKY")
    assert "insolvency filing on 2026-02-01" in riskiest
    again = runner.invoke(app, ["score", "--as-of", "2026-03-31"])
    assert again.exit_code == 0, again.output
    assert "0 new scores stored" in again.output
    points = runner.invoke(app, ["score", "--as-of", "2026-03-31", "--model", "points"])
    assert points.exit_code == 0, points.output
    assert f"with {model_version('points')}: 4 new scores stored" in points.output


def test_progress_bar_starts_only_above_the_threshold() -> None:
    from tradecredit.scoring import score_cli

    with score_cli._progress_bar() as advance:
        advance(100, score_cli.PROGRESS_FROM)
        assert not _bar_started(advance)
        advance(100, score_cli.PROGRESS_FROM + 1)
        assert _bar_started(advance)


def _bar_started(advance: object) -> bool:
    cells = advance.__closure__  # type: ignore[attr-defined]
    bar = next(cell.cell_contents for cell in cells if hasattr(cell.cell_contents, "live"))
    return bool(bar.live.is_started)


def test_api_company_score_and_posted_score(engine: Engine) -> None:
    from api.builders import client_for, make_tenant
    from tradecredit.api.app import create_app
    from tradecredit.organisations.service import system_actor

    app = create_app(engine, migrate=False)
    mine, theirs = make_tenant(engine, (Role.VIEWER,)), make_tenant(engine, (Role.ADMIN,))
    portfolio(engine, system_actor(mine.org_id, "test"))
    portfolio(engine, system_actor(theirs.org_id, "test"))
    with unit_of_work(engine) as s:
        risky, their_risky = (
            s.scalar(
                select(Company.id).where(
                    Company.org_id == org, Company.registration_number == "RISKY"
                )
            )
            for org in (mine.org_id, theirs.org_id)
        )
    client = client_for(app, mine.keys[Role.VIEWER])
    got = client.get(f"/v1/companies/{risky}/score", params={"as_of": "2026-03-31"})
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["company_id"], body["stored"], body["model_version"]) == (
        str(risky),
        False,
        model_version("default"),
    )
    assert isinstance(body["pd"], str)
    with unit_of_work(engine) as s:
        computed = company_score(
            s, actor=system_actor(mine.org_id, "test"), company_id=risky, as_of=AS_OF
        )
        unadjusted = company_score(
            s,
            actor=system_actor(mine.org_id, "test"),
            company_id=risky,
            as_of=AS_OF,
            base_rate=None,
        )
    assert Decimal(body["pd"]) == computed.result.pd
    # moved from the Polish training base rate (6.9%) to 1.5%, the PD falls
    assert unadjusted.result.pd > PRIOR_PD > computed.result.pd
    assert (
        client.get(f"/v1/companies/{their_risky}/score", params={"as_of": "2026-03-31"}).status_code
        == 404
    )
    posted = client.post(
        "/v1/scores",
        json={
            "as_of": "2026-03-31",
            "sector": "C25",
            "statement": {"total_assets": "1000.00", "total_liabilities": "930.00"},
            "behaviour": {"dbt_average": "0"},
            "events": [{"kind": "court_judgment", "event_date": "2025-06-01", "severity": 2}],
        },
    )
    assert posted.status_code == 200, posted.text
    answer = posted.json()
    # the grade is the worse of the PD's grade and the judgment's cap of 7
    pd_grade = grade_for_pd(Decimal(answer["pd"]))
    assert (answer["company_id"], answer["stored"], answer["grade"]) == (
        None,
        False,
        max(7, pd_grade),
    )
    codes = [r["code"] for r in answer["reasons"]]
    assert codes[0] == "overlay_court_judgment"
    leverage = answer["reasons"][codes.index("factor_liabilities_to_assets")]
    assert leverage["text_en"].endswith("93% of assets (sector median 40%)")
    floats = client.post(
        "/v1/scores", json={"as_of": "2026-03-31", "behaviour": {"dbt_average": 4.5}}
    )
    assert floats.status_code == 422
    with unit_of_work(engine) as s:
        assert s.scalar(select(func.count()).where(Score.org_id == mine.org_id)) == 0
