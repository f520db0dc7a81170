"""Company age in ledger and posted scoring, on SQLite and PostgreSQL: `companies.founded` is read
per organisation, raises a young buyer's PD with its reason and is part of the inputs hash."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine, update

from analytics.db_ledger import company
from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.scoring.inputs import load_buyer_inputs
from tradecredit.scoring.scores import (
    ScoreResult,
    score_and_store,
    score_portfolio,
    score_posted,
)

AS_OF = date(2026, 3, 31)


def set_founded(engine: Engine, actor: Actor, reg: str, founded: date | None) -> None:
    with unit_of_work(engine) as s:
        s.execute(
            update(Company)
            .where(Company.org_id == actor.org_id, Company.registration_number == reg)
            .values(founded=founded)
        )


def by_name(results: list[ScoreResult]) -> dict[str, ScoreResult]:
    return {r.name.removeprefix("Buyer "): r for r in results}


def test_founding_dates_are_read_per_organisation(
    engine: Engine, actor: Actor, other_actor: Actor
) -> None:
    with unit_of_work(engine) as s:
        for reg in ("YOUNG", "OLD", "UNKNOWN"):
            company(s, actor, reg)
        company(s, other_actor, "YOUNG")
    with unit_of_work(engine) as s:
        points_before = by_name(score_portfolio(s, actor=actor, as_of=AS_OF, model="points"))
    set_founded(engine, actor, "YOUNG", date(2025, 3, 1))
    set_founded(engine, actor, "OLD", date(1990, 6, 1))
    set_founded(engine, other_actor, "YOUNG", date(1950, 1, 1))
    with unit_of_work(engine) as s:
        mine = {b.name: b.founded for b in load_buyer_inputs(s, actor=actor, as_of=AS_OF)}
        theirs = [b.founded for b in load_buyer_inputs(s, actor=other_actor, as_of=AS_OF)]
        results = by_name(score_portfolio(s, actor=actor, as_of=AS_OF))
        points = by_name(score_portfolio(s, actor=actor, as_of=AS_OF, model="points"))
    assert mine == {
        "Buyer YOUNG": date(2025, 3, 1),
        "Buyer OLD": date(1990, 6, 1),
        "Buyer UNKNOWN": None,
    }
    assert theirs == [date(1950, 1, 1)]
    young, old, unknown = results["YOUNG"], results["OLD"], results["UNKNOWN"]
    assert young.pd > old.pd == unknown.pd
    age = [r for r in young.reasons if r.code == "company_age"]
    assert [(r.text_en, r.text_zh) for r in age] == [
        (
            "company age: founded 2025-03-01, 1 year at the as-of date",
            "成立时间：2025-03-01 成立，评估日时成立 1 年",
        )
    ]
    assert all(r.code != "company_age" for r in old.reasons + unknown.reasons)
    assert len({young.inputs_hash, old.inputs_hash, unknown.inputs_hash}) == 3
    # the points formula has no age term: its PDs and hashes ignore the founding date
    assert points["YOUNG"].pd == points["OLD"].pd == points["UNKNOWN"].pd
    assert {n: r.inputs_hash for n, r in points.items()} == {
        n: r.inputs_hash for n, r in points_before.items()
    }


def test_a_changed_founding_date_stores_a_new_score(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as s:
        company(s, actor, "A")
    with unit_of_work(engine) as s:
        _, first = score_and_store(s, actor=actor, as_of=AS_OF)
        _, again = score_and_store(s, actor=actor, as_of=AS_OF)
    set_founded(engine, actor, "A", date(2025, 1, 1))
    with unit_of_work(engine) as s:
        results, changed = score_and_store(s, actor=actor, as_of=AS_OF)
    assert (first, again, changed) == (1, 0, 1)
    assert [r.code for r in results[0].reasons].count("company_age") == 1


def test_posted_scores_take_an_optional_founding_date(engine: Engine, actor: Actor) -> None:
    def posted(founded: date | None) -> ScoreResult:
        with unit_of_work(engine) as s:
            return score_posted(
                s,
                actor=actor,
                as_of=AS_OF,
                sector=None,
                status="active",
                lines={},
                behaviour={},
                events=[],
                founded=founded,
            )

    young, old, unknown, future = (
        posted(d) for d in (date(2024, 4, 1), date(2000, 1, 1), None, date(2027, 1, 1))
    )
    assert young.pd > old.pd == unknown.pd == future.pd
    assert [r.text_en for r in young.reasons if r.code == "company_age"] == [
        "company age: founded 2024-04-01, 1 year at the as-of date"
    ]
    assert young.inputs_hash != unknown.inputs_hash


def test_the_api_takes_a_posted_founding_date(engine: Engine) -> None:
    from api.builders import client_for, make_tenant
    from tradecredit.api.app import create_app
    from tradecredit.organisations.roles import Role

    app = create_app(engine, migrate=False)
    tenant = make_tenant(engine, (Role.VIEWER,))
    client = client_for(app, tenant.keys[Role.VIEWER])
    body = {"as_of": "2026-03-31", "statement": {"total_assets": "1000", "equity": "300"}}
    young = client.post("/v1/scores", json=body | {"founded": "2025-03-01"})
    unknown = client.post("/v1/scores", json=body)
    assert (young.status_code, unknown.status_code) == (200, 200), young.text
    assert Decimal(young.json()["pd"]) > Decimal(unknown.json()["pd"])
    assert [r["text_zh"] for r in young.json()["reasons"] if r["code"] == "company_age"] == [
        "成立时间：2025-03-01 成立，评估日时成立 1 年"
    ]
    bad = client.post("/v1/scores", json=body | {"founded": "2025-02-30"})
    assert bad.status_code == 422
    assert "founded" in bad.text
