"""Overlays: what a model cannot learn from statements, applied to the grade after the PD.

- an insolvency filing on or before the as-of date, or the status "insolvent", forces grade 10;
- a court judgment within `judgment_months` (24) before the as-of date caps the grade at no better
  than `judgment_floor` (7): grade = max(grade, 7);
- a payment incident of severity >= `incident_min_severity` (4) within `incident_months` (12)
  caps the grade at no better than `incident_floor` (6).

Windows are (as_of - N months, as_of]: an event dated after the as-of date is not known yet. Each
overlay that applies becomes a reason, in English and Chinese, whether or not it changed the grade
(a judgment on a grade-8 buyer still explains the picture).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tradecredit.scoring.grades import INSOLVENT_GRADE


@dataclass(frozen=True)
class Reason:
    """One reason behind a grade: a stable code and the same sentence in English and Chinese."""

    code: str
    text_en: str
    text_zh: str


@dataclass(frozen=True)
class EventFact:
    """What the overlays read from a company event."""

    kind: str
    event_date: date
    severity: int


@dataclass(frozen=True)
class OverlayParameters:
    judgment_months: int = 24
    judgment_floor: int = 7
    incident_months: int = 12
    incident_min_severity: int = 4
    incident_floor: int = 6


DEFAULT_OVERLAYS = OverlayParameters()


@dataclass(frozen=True)
class Overlaid:
    grade: int
    reasons: tuple[Reason, ...]


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to that month's last day."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _latest(
    events: Iterable[EventFact], kind: str, since: date | None, as_of: date
) -> EventFact | None:
    hits = [
        event
        for event in events
        if event.kind == kind
        and event.event_date <= as_of
        and (since is None or event.event_date > since)
    ]
    return max(hits, key=lambda event: event.event_date, default=None)


def _insolvency(events: list[EventFact], status: str, as_of: date) -> Reason | None:
    filing = _latest(events, "insolvency_filing", None, as_of)
    if filing is not None:
        day = filing.event_date.isoformat()
        return Reason(
            "overlay_insolvency_filing",
            f"insolvency filing on {day}: grade forced to 10",
            f"{day} 已申请破产：评级强制为 10 级",
        )
    if status == "insolvent":
        return Reason(
            "overlay_status_insolvent",
            "company status is insolvent: grade forced to 10",
            "公司状态为破产：评级强制为 10 级",
        )
    return None


def _judgment(events: list[EventFact], as_of: date, p: OverlayParameters) -> Reason | None:
    since = months_before(as_of, p.judgment_months)
    judgment = _latest(events, "court_judgment", since, as_of)
    if judgment is None:
        return None
    day = judgment.event_date.isoformat()
    return Reason(
        "overlay_court_judgment",
        f"court judgment on {day} (within {p.judgment_months} months): "
        f"grade no better than {p.judgment_floor}",
        f"{day} 有法院判决（{p.judgment_months} 个月内）：评级不优于 {p.judgment_floor} 级",
    )


def _incident(events: list[EventFact], as_of: date, p: OverlayParameters) -> Reason | None:
    since = months_before(as_of, p.incident_months)
    severe = [event for event in events if event.severity >= p.incident_min_severity]
    incident = _latest(severe, "payment_incident", since, as_of)
    if incident is None:
        return None
    day = incident.event_date.isoformat()
    return Reason(
        "overlay_payment_incident",
        f"severe payment incident (severity {incident.severity}) on {day} "
        f"(within {p.incident_months} months): grade no better than {p.incident_floor}",
        f"{day} 发生严重付款事件（严重程度 {incident.severity}，{p.incident_months} 个月内）："
        f"评级不优于 {p.incident_floor} 级",
    )


def apply_overlays(
    grade: int,
    *,
    events: Iterable[EventFact],
    status: str,
    as_of: date,
    parameters: OverlayParameters = DEFAULT_OVERLAYS,
) -> Overlaid:
    """The grade after the overlays, with one reason per overlay that applies (most severe first)."""
    known = list(events)
    insolvency = _insolvency(known, status, as_of)
    if insolvency is not None:
        return Overlaid(INSOLVENT_GRADE, (insolvency,))
    reasons: list[Reason] = []
    judgment = _judgment(known, as_of, parameters)
    if judgment is not None:
        grade = max(grade, parameters.judgment_floor)
        reasons.append(judgment)
    incident = _incident(known, as_of, parameters)
    if incident is not None:
        grade = max(grade, parameters.incident_floor)
        reasons.append(incident)
    return Overlaid(grade, tuple(reasons))
