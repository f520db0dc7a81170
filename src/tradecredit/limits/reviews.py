"""Limits due for review on a date, each with why.

A current limit is due when its expiry or its risk-cadence review date (from the grade at the
decision and the policy's cadence, fixed when it was set) falls on or before the date, or when
new information has arrived since it was set: a stored score with a worse grade, a company event,
or a financial statement (each recorded after the limit, and dated on or before the date)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradecredit.companies.models import Company, CompanyEvent, FinancialStatement
from tradecredit.context import Actor
from tradecredit.limits.models import CreditLimit
from tradecredit.organisations.roles import Permission
from tradecredit.scoring.models import Score
from tradecredit.scoring.overlays import Reason


@dataclass(frozen=True)
class DueReview:
    limit: CreditLimit
    name: str
    why: tuple[Reason, ...]


def _expiry(limit: CreditLimit, as_of: date) -> list[Reason]:
    found = []
    if limit.valid_until <= as_of:
        day = limit.valid_until.isoformat()
        found.append(Reason("LIMIT_EXPIRES", f"The limit expires on {day}", f"限额于 {day} 到期"))
    if limit.review_on <= as_of and limit.review_on < limit.valid_until:
        day = limit.review_on.isoformat()
        found.append(
            Reason(
                "REVIEW_DUE",
                f"Scheduled review by risk cadence (grade {limit.grade}) due on {day}",
                f"按风险周期（评级 {limit.grade}）应于 {day} 复核",
            )
        )
    return found


ScoreNews = tuple[datetime, int, date]
EventNews = tuple[datetime, str, date, int]
StatementNews = tuple[datetime, date]


@dataclass(frozen=True)
class News:
    scores: dict[uuid.UUID, list[ScoreNews]]
    events: dict[uuid.UUID, list[EventNews]]
    statements: dict[uuid.UUID, list[StatementNews]]


def _news(
    session: Session, actor: Actor, ids: list[uuid.UUID], since: datetime, as_of: date
) -> News:
    """Scores, events and statements of these buyers recorded after `since`, dated by `as_of`."""
    org = actor.org_id
    news = News(defaultdict(list), defaultdict(list), defaultdict(list))
    score_rows = session.execute(
        select(Score.company_id, Score.created_at, Score.grade, Score.as_of).where(
            Score.org_id == org,
            Score.company_id.in_(ids),
            Score.created_at > since,
            Score.as_of <= as_of,
        )
    )
    for company_id, created, grade, day in score_rows:
        news.scores[company_id].append((created, grade, day))
    event = CompanyEvent
    event_rows = session.execute(
        select(event.company_id, event.created_at, event.kind, event.event_date, event.severity)
        .where(
            event.org_id == org,
            event.company_id.in_(ids),
            event.created_at > since,
            event.event_date <= as_of,
        )
        .order_by(event.event_date, event.kind)
    )
    for company_id, created, kind, day, severity in event_rows:
        news.events[company_id].append((created, kind, day, severity))
    fs = FinancialStatement
    statement_rows = session.execute(
        select(fs.company_id, fs.created_at, fs.period_end)
        .where(
            fs.org_id == org,
            fs.company_id.in_(ids),
            fs.created_at > since,
            fs.period_end <= as_of,
        )
        .order_by(fs.period_end)
    )
    for company_id, created, period_end in statement_rows:
        news.statements[company_id].append((created, period_end))
    return news


def _worse_scores(limit: CreditLimit, rows: list[ScoreNews]) -> list[Reason]:
    if limit.grade is None:
        return []
    worse = [
        (day, grade)
        for created, grade, day in rows
        if created > limit.created_at and grade > limit.grade
    ]
    if not worse:
        return []
    day, grade = max(worse)
    return [
        Reason(
            "GRADE_WORSENED",
            f"Grade worsened from {limit.grade} to {grade} (score as of {day}) since the decision",
            f"自决定以来评级由 {limit.grade} 降至 {grade}（{day} 的评分）",
        )
    ]


def _events(limit: CreditLimit, rows: list[EventNews]) -> list[Reason]:
    return [
        Reason(
            "NEW_EVENT",
            f"New company event since the decision: {kind} on {day} (severity {severity})",
            f"自决定以来的新公司事件：{day} {kind}（严重程度 {severity}）",
        )
        for created, kind, day, severity in rows
        if created > limit.created_at
    ]


def _statements(limit: CreditLimit, rows: list[StatementNews]) -> list[Reason]:
    return [
        Reason(
            "NEW_STATEMENT",
            f"New financial statement since the decision (period end {day})",
            f"自决定以来有新的财务报表（期末 {day}）",
        )
        for created, day in rows
        if created > limit.created_at
    ]


def _new_information(limit: CreditLimit, news: News) -> list[Reason]:
    company = limit.company_id
    return (
        _worse_scores(limit, news.scores.get(company, []))
        + _events(limit, news.events.get(company, []))
        + _statements(limit, news.statements.get(company, []))
    )


def due_for_review(session: Session, *, actor: Actor, as_of: date) -> list[DueReview]:
    """Every current limit due for review on `as_of`, soonest review date first."""
    actor.require(Permission.READ)
    rows = session.execute(
        select(CreditLimit, Company.name)
        .join(Company, Company.id == CreditLimit.company_id)
        .where(CreditLimit.org_id == actor.org_id, CreditLimit.active.is_(True))
        .order_by(CreditLimit.review_on, Company.name, CreditLimit.id)
    ).all()
    if not rows:
        return []
    ids = sorted({limit.company_id for limit, _ in rows})
    since = min(limit.created_at for limit, _ in rows)
    news = _news(session, actor, ids, since, as_of)
    due = []
    for limit, name in rows:
        why = _expiry(limit, as_of) + _new_information(limit, news)
        if why:
            due.append(DueReview(limit, name, tuple(why)))
    return due
