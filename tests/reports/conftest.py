"""A built portfolio and its credit report as of 2026-03-31, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine

from reports.builders import AS_OF, Built, build_portfolio, not_classified
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.reports.schemas import CreditReport
from tradecredit.reports.service import build_credit_report


@pytest.fixture
def built(engine: Engine, actor: Actor) -> Built:
    return build_portfolio(engine, actor)


@pytest.fixture
def report(engine: Engine, actor: Actor, built: Built) -> CreditReport:
    source = f"test-{uuid.uuid4().hex[:12]}"
    not_classified(engine, country="DE", source=source)
    with unit_of_work(engine) as session:
        return build_credit_report(
            session, actor=actor, company_id=built.acme, as_of=AS_OF, country_source=source
        )
