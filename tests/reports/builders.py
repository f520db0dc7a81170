"""A small portfolio whose credit report is known by hand.

ACME (DE, C25.11) has four statements (2022-2025) and one after the report date; ledger and
events around the report date 2026-03-31. Five FR peers in section C with leverage 30%, 50%,
70%, 80%, 90%; one DE peer (the group parent, section K) so the country group is too small.

Hand-computed figures (as of 2026-03-31):
- statements shown: 2023, 2024, 2025 (2022 is a fourth year back, 2026 after the date);
- current ratio 1.40 (2024) -> 1.10 (2025): down, worse; leverage 55% -> 60%: up, worse;
  return on assets 2.0% -> 2.0%: flat; asset turnover 2.00 -> 2.20: up, neither;
- leverage within section C: peers 30, 50, 70, 80, 90%; ACME 60% is better than the three with
  70, 80 and 90%: 3 of 5 = 60%; current ratio 1.10 against five peers at 1.33: better than 0%;
- within DE: one peer (HOLD): too few peers;
- paid invoices: I1 1,000 paid 20 days late (in 2025 Q2), I2 1,000 paid 40 days late (2025 Q4):
  average 30 days, recent (last 6 months) 40, earlier 20, trend +20; open I3 500 overdue 55
  days and I4 500 not yet due: 50% overdue > 30 days.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from analytics.db_ledger import invoice, payment
from tradecredit.companies.models import CompanyEvent
from tradecredit.companies.schemas import CompanyCreate, StatementCreate
from tradecredit.companies.service import add_statement, create_company
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.risk.models import CountryRiskClass

AS_OF = date(2026, 3, 31)
PEER_LEVERAGE = ("300", "500", "700", "800", "900")


@dataclass(frozen=True)
class Built:
    acme: uuid.UUID
    hold: uuid.UUID


def _company(s: Session, actor: Actor, reg: str, **fields: object) -> uuid.UUID:
    data = {"registration_number": reg, "country": "DE", "name": f"Buyer {reg}", "sector": "C25"}
    return create_company(s, actor=actor, data=CompanyCreate(**(data | fields))).id


def _statement(
    s: Session, actor: Actor, reg: str, on: date, *, country: str = "DE", **lines: str
) -> None:
    base = {
        "total_assets": "1000",
        "total_liabilities": "500",
        "current_assets": "400",
        "current_liabilities": "300",
        "net_income": "20",
        "ebit": "50",
        "interest_expense": "10",
        "revenue": "2000",
        "equity": "500",
        "inventory": "100",
        "cash": "50",
        "receivables": "200",
        "retained_earnings": "100",
        "operating_cash_flow": "60",
    }
    amounts = {k: Decimal(v) for k, v in (base | lines).items()}
    data = StatementCreate(
        registration_number=reg, country=country, period_end=on, currency="EUR", **amounts
    )
    add_statement(s, actor=actor, data=data)


def _event(
    s: Session, actor: Actor, company_id: uuid.UUID, kind: str, on: date, **kw: object
) -> None:
    s.add(CompanyEvent(org_id=actor.org_id, company_id=company_id, kind=kind, event_date=on, **kw))


def build_portfolio(engine: Engine, actor: Actor) -> Built:
    with unit_of_work(engine) as s:
        hold = _company(s, actor, "HOLD", name="Acme Holding AG", sector="K64.2")
        acme = _company(
            s,
            actor,
            "ACME",
            name="Acme Metallwaren GmbH",
            sector="C25.11",
            legal_form="GmbH",
            founded=date(2001, 5, 17),
            group_parent_registration_number="HOLD",
            group_parent_country="DE",
        )
        _company(s, actor, "NOSTAT", sector="C25")
        _statement(s, actor, "HOLD", date(2025, 12, 31))
        _statement(s, actor, "ACME", date(2022, 12, 31), total_liabilities="100")
        _statement(s, actor, "ACME", date(2023, 12, 31), total_liabilities="520")
        _statement(
            s, actor, "ACME", date(2024, 12, 31), total_liabilities="550", current_assets="420"
        )
        _statement(
            s,
            actor,
            "ACME",
            date(2025, 12, 31),
            total_liabilities="600",
            current_assets="330",
            revenue="2200",
        )
        _statement(s, actor, "ACME", date(2026, 12, 31), total_liabilities="100")
        for n, liabilities in enumerate(PEER_LEVERAGE):
            _company(s, actor, f"P{n}", country="FR", sector="C10")
            _statement(
                s, actor, f"P{n}", date(2025, 12, 31), country="FR", total_liabilities=liabilities
            )
        invoice(s, actor, "I1", "ACME", "1000", issued=date(2025, 5, 1), due=date(2025, 5, 31))
        payment(s, actor, "P-1", "ACME", "1000", date(2025, 6, 20))
        invoice(s, actor, "I2", "ACME", "1000", issued=date(2025, 8, 1), due=date(2025, 8, 31))
        payment(s, actor, "P-2", "ACME", "1000", date(2025, 10, 10))
        invoice(s, actor, "I3", "ACME", "500", issued=date(2026, 1, 5), due=date(2026, 2, 4))
        invoice(s, actor, "I4", "ACME", "500", issued=date(2026, 3, 1), due=date(2026, 3, 31))
        invoice(s, actor, "I5", "ACME", "700", issued=date(2026, 4, 2), due=date(2026, 5, 2))
        _event(
            s,
            actor,
            acme,
            "court_judgment",
            date(2025, 11, 15),
            source="court register",
            severity=3,
            description="judgment for an unpaid trade debt",
        )
        _event(s, actor, acme, "payment_incident", date(2026, 1, 20), source="supplier", severity=2)
        _event(s, actor, acme, "rating_change", date(2026, 5, 1), source="agency", severity=1)
        return Built(acme=acme, hold=hold)


def not_classified(engine: Engine, *, country: str, source: str) -> None:
    """The OECD's "-" for `country`, in force from 2026-01-30, under the test's own source."""
    with unit_of_work(engine) as s:
        s.add(
            CountryRiskClass(
                country=country,
                as_of=date(2026, 1, 30),
                oecd_class=None,
                not_classified=True,
                source=source,
            )
        )
