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

import polars as pl

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


@dataclass(frozen=True)
class OverlayFacts:
    """What the overlays need from a buyer's events as of a date: the latest insolvency filing,
    the latest court judgment and the latest severe payment incident (with its severity) dated on
    or before it. Windows are checked against these dates, so one fact per kind is enough."""

    insolvency_filed_on: date | None = None
    judgment_on: date | None = None
    incident_on: date | None = None
    incident_severity: int | None = None


NO_FACTS = OverlayFacts()
FACT_SCHEMA: dict[str, pl.DataType] = {
    "insolvency_filed_on": pl.Date(),
    "judgment_on": pl.Date(),
    "incident_on": pl.Date(),
    "incident_severity": pl.Int64(),
}
EVENT_SCHEMA: dict[str, pl.DataType] = {
    "company_id": pl.String(),
    "kind": pl.String(),
    "event_date": pl.Date(),
    "severity": pl.Int64(),
}


def overlay_facts(
    events: pl.DataFrame, *, as_of: date, parameters: OverlayParameters = DEFAULT_OVERLAYS
) -> pl.DataFrame:
    """One row per company with an event on or before `as_of`: `company_id` and FACT_SCHEMA.
    Of several severe incidents on the latest day, the most severe one is quoted."""
    known = events.filter(pl.col("event_date") <= as_of)
    severe = pl.col("severity") >= parameters.incident_min_severity

    def latest(condition: pl.Expr) -> pl.Expr:
        return pl.col("event_date").filter(condition).max()

    incidents = (pl.col("kind") == "payment_incident") & severe
    return known.group_by("company_id").agg(
        latest(pl.col("kind") == "insolvency_filing").alias("insolvency_filed_on"),
        latest(pl.col("kind") == "court_judgment").alias("judgment_on"),
        latest(incidents).alias("incident_on"),
        pl.col("severity")
        .filter(incidents & (pl.col("event_date") == latest(incidents)))
        .max()
        .cast(pl.Int64)
        .alias("incident_severity"),
    )


def facts_of(
    events: Iterable[EventFact], *, as_of: date, parameters: OverlayParameters
) -> OverlayFacts:
    """`overlay_facts` for one buyer's events."""
    rows = [(e.kind, e.event_date, e.severity) for e in events]
    frame = pl.DataFrame([("", *row) for row in rows], schema=EVENT_SCHEMA, orient="row")
    facts = overlay_facts(frame, as_of=as_of, parameters=parameters)
    return OverlayFacts(**facts.drop("company_id").row(0, named=True)) if facts.height else NO_FACTS


def overlay_windows(as_of: date, parameters: OverlayParameters) -> tuple[date, date]:
    """The day before each window opens (judgment, incident): a fact counts when it is later."""
    return (
        months_before(as_of, parameters.judgment_months),
        months_before(as_of, parameters.incident_months),
    )


def overlay_grades(
    grades: pl.Expr,
    *,
    status: pl.Expr,
    as_of: date,
    parameters: OverlayParameters = DEFAULT_OVERLAYS,
) -> pl.Expr:
    """The grade after the overlays, over a frame with FACT_SCHEMA columns."""
    judgment_since, incident_since = overlay_windows(as_of, parameters)
    filed = pl.col("insolvency_filed_on").is_not_null() & (pl.col("insolvency_filed_on") <= as_of)
    judged = (
        pl.col("judgment_on").is_between(judgment_since, as_of, closed="right").fill_null(False)
    )
    incident = (
        pl.col("incident_on").is_between(incident_since, as_of, closed="right").fill_null(False)
    )
    capped = (
        pl.when(judged)
        .then(pl.max_horizontal(grades, pl.lit(parameters.judgment_floor)))
        .otherwise(grades)
    )
    capped = (
        pl.when(incident)
        .then(pl.max_horizontal(capped, pl.lit(parameters.incident_floor)))
        .otherwise(capped)
    )
    return (
        pl.when(filed | (status == "insolvent"))
        .then(pl.lit(INSOLVENT_GRADE))
        .otherwise(capped)
        .cast(pl.Int8)
    )


def _insolvency(facts: OverlayFacts, status: str, as_of: date) -> Reason | None:
    filed = facts.insolvency_filed_on
    if filed is not None and filed <= as_of:
        day = filed.isoformat()
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


def _judgment(facts: OverlayFacts, as_of: date, p: OverlayParameters) -> Reason | None:
    since, _ = overlay_windows(as_of, p)
    judged = facts.judgment_on
    if judged is None or not since < judged <= as_of:
        return None
    day = judged.isoformat()
    return Reason(
        "overlay_court_judgment",
        f"court judgment on {day} (within {p.judgment_months} months): "
        f"grade no better than {p.judgment_floor}",
        f"{day} 有法院判决（{p.judgment_months} 个月内）：评级不优于 {p.judgment_floor} 级",
    )


def _incident(facts: OverlayFacts, as_of: date, p: OverlayParameters) -> Reason | None:
    _, since = overlay_windows(as_of, p)
    day_of = facts.incident_on
    if day_of is None or not since < day_of <= as_of:
        return None
    day = day_of.isoformat()
    severity = facts.incident_severity
    return Reason(
        "overlay_payment_incident",
        f"severe payment incident (severity {severity}) on {day} "
        f"(within {p.incident_months} months): grade no better than {p.incident_floor}",
        f"{day} 发生严重付款事件（严重程度 {severity}，{p.incident_months} 个月内）："
        f"评级不优于 {p.incident_floor} 级",
    )


def overlay_reasons(
    facts: OverlayFacts,
    *,
    status: str,
    as_of: date,
    parameters: OverlayParameters = DEFAULT_OVERLAYS,
) -> tuple[Reason, ...]:
    """One reason per overlay that applies, most severe first (insolvency alone when it does)."""
    insolvency = _insolvency(facts, status, as_of)
    if insolvency is not None:
        return (insolvency,)
    found = (_judgment(facts, as_of, parameters), _incident(facts, as_of, parameters))
    return tuple(reason for reason in found if reason is not None)


def apply_overlays(
    grade: int,
    *,
    events: Iterable[EventFact],
    status: str,
    as_of: date,
    parameters: OverlayParameters = DEFAULT_OVERLAYS,
) -> Overlaid:
    """The grade after the overlays, with one reason per overlay that applies (most severe first)."""
    facts = facts_of(events, as_of=as_of, parameters=parameters)
    frame = pl.DataFrame(
        [{"grade": grade, "status": status, **facts.__dict__}],
        schema={"grade": pl.Int64(), "status": pl.String(), **FACT_SCHEMA},
    )
    overlaid = frame.select(
        overlay_grades(pl.col("grade"), status=pl.col("status"), as_of=as_of, parameters=parameters)
    ).item()
    reasons = overlay_reasons(facts, status=status, as_of=as_of, parameters=parameters)
    return Overlaid(int(overlaid), reasons)
