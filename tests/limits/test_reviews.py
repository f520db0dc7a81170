"""Limits due for review: expiry, risk cadence, and new information since the decision."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from limits.builders import AS_OF, STRONG, add_buyer, add_statement, establish, store_score
from tradecredit.companies.models import CompanyEvent
from tradecredit.context import Actor
from tradecredit.kit.clock import FixedClock
from tradecredit.limits.decisions import NewRequest, request_limit
from tradecredit.limits.reviews import due_for_review


def granted(session: Session, actor: Actor, reg: str, grade: int) -> object:
    company_id = add_buyer(session, actor, reg, grade=grade, statement=STRONG)
    establish(session, actor, reg)
    request = request_limit(
        session,
        actor=actor,
        data=NewRequest(
            company_id=company_id, amount=Decimal("20000"), currency="EUR", as_of=AS_OF
        ),
    )
    assert request.status == "approved"
    return company_id


def why(session: Session, actor: Actor, day: date) -> dict[str, list[str]]:
    return {
        due.name: [reason.code for reason in due.why]
        for due in due_for_review(session, actor=actor, as_of=day)
    }


def test_review_dates_follow_the_risk_cadence_and_the_expiry(
    session: Session, actor: Actor, clock: FixedClock
) -> None:
    granted(session, actor, "HIGH", grade=7)
    granted(session, actor, "MED", grade=5)
    granted(session, actor, "LOW", grade=2)
    assert why(session, actor, date(2026, 4, 29)) == {}
    assert why(session, actor, date(2026, 4, 30)) == {"Buyer HIGH": ["REVIEW_DUE"]}
    assert why(session, actor, date(2026, 6, 30)) == {
        "Buyer HIGH": ["REVIEW_DUE"],
        "Buyer MED": ["REVIEW_DUE"],
    }
    at_expiry = why(session, actor, date(2027, 3, 31))
    assert at_expiry["Buyer LOW"] == ["LIMIT_EXPIRES"], "low risk: reviewed at expiry"
    assert at_expiry["Buyer HIGH"] == ["LIMIT_EXPIRES", "REVIEW_DUE"], "still not reviewed"


def test_new_information_since_the_decision_flags_the_limit(
    session: Session, actor: Actor, clock: FixedClock
) -> None:
    worse = granted(session, actor, "WORSE", grade=2)
    better = granted(session, actor, "BETTER", grade=4)
    event = granted(session, actor, "EVENT", grade=2)
    granted(session, actor, "STMT", grade=2)
    granted(session, actor, "QUIET", grade=2)
    clock.advance(timedelta(days=10))
    store_score(session, actor, worse, grade=6, pd="0.03", on=date(2026, 4, 10))  # type: ignore[arg-type]
    store_score(session, actor, better, grade=3, pd="0.004", on=date(2026, 4, 10))  # type: ignore[arg-type]
    session.add(
        CompanyEvent(
            org_id=actor.org_id,
            company_id=event,
            kind="court_judgment",
            event_date=date(2026, 4, 8),
            source="court register",
            severity=4,
        )
    )
    add_statement(session, actor, "STMT", STRONG, period_end=date(2026, 3, 31))
    session.flush()
    found = why(session, actor, date(2026, 4, 15))
    assert found == {
        "Buyer WORSE": ["GRADE_WORSENED"],
        "Buyer EVENT": ["NEW_EVENT"],
        "Buyer STMT": ["NEW_STATEMENT"],
    }
    reasons = {
        due.name: due.why[0].text_en
        for due in due_for_review(session, actor=actor, as_of=date(2026, 4, 15))
    }
    assert "from 2 to 6" in reasons["Buyer WORSE"]
    assert "court_judgment on 2026-04-08" in reasons["Buyer EVENT"]
    assert why(session, actor, date(2026, 4, 5)) == {"Buyer STMT": ["NEW_STATEMENT"]}, (
        "information dated after the review date is not known yet"
    )
