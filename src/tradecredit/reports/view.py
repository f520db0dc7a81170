"""The report in words of one language: sections of facts, tables, charts and notes.

Both formats render this one view, so the HTML and the PDF say the same thing. `SECTIONS` is the
order; a new section is one more builder there (and a field in `schemas.CreditReport`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from tradecredit.reports import labels
from tradecredit.reports.figures import KEY_RATIOS, format_ratio
from tradecredit.reports.labels import Lang, text
from tradecredit.reports.schemas import (
    CreditReport,
    CurrentLimit,
    LimitConstraint,
    LimitSection,
    PeerGroup,
    PeerRow,
)
from tradecredit.web.render import money_in

Tone = str
""""better", "worse" or "" (no colour)."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    tones: list[Tone] = field(default_factory=list)
    """Per row, the tone of its last cell ("" for none); empty: no tones."""
    numeric: bool = True
    """Columns after the first hold figures (aligned right); False: text, aligned left."""
    widths: tuple[float, ...] = ()
    """Relative column widths for the PDF; empty: the first column wider, the rest equal."""


@dataclass(frozen=True)
class Series:
    title: str
    labels: list[str]
    values: list[Decimal | None]
    shown: Callable[[Decimal | None], str]


@dataclass
class Section:
    key: str
    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    bullets_title: str = ""
    notes: list[str] = field(default_factory=list)
    lines: list[Series] = field(default_factory=list)
    """Small line charts (ratio trends)."""
    bars: Series | None = None
    """One bar chart (days beyond terms by quarter)."""


@dataclass(frozen=True)
class ReportView:
    lang: Lang
    title: str
    subtitle: str
    sections: list[Section]


def _pct(value: Decimal | None, lang: Lang) -> str:
    return text("missing", lang) if value is None else f"{value * 100:.1f}%"


def _days(value: Decimal | None, lang: Lang, *, signed: bool = False) -> str:
    if value is None:
        return text("missing", lang)
    number = f"{value:+.1f}" if signed else f"{value:.1f}"
    return f"{number} {text('days_unit', lang)}"


def _pd(value: Decimal) -> str:
    return f"{value * 100:.2f}%"


def identity(report: CreditReport, lang: Lang) -> Section:
    who = report.identity
    missing = text("missing", lang)
    parent = missing
    if who.parent is not None:
        parent = f"{who.parent.name} ({who.parent.registration_number}, {who.parent.country})"
    age = missing if who.age_years is None else f"{who.age_years} {text('years', lang)}"
    sector = f"{who.sector} · {who.section} {labels.section_name(who.section, who.section_name_en, lang)}"
    facts = [
        (text("name", lang), who.name),
        (text("registration_number", lang), who.registration_number),
        (text("country", lang), f"{labels.country_name(who.country, lang)} ({who.country})"),
        (text("legal_form", lang), who.legal_form or missing),
        (text("sector", lang), sector),
        (text("founded", lang), who.founded.isoformat() if who.founded else missing),
        (text("age", lang), age),
        (text("group_parent", lang), parent),
        (text("status", lang), labels.status(who.status, lang)),
        (text("company_id", lang), str(who.company_id)),
    ]
    return Section("identity", text("identity", lang), facts=facts)


def grade(report: CreditReport, lang: Lang) -> Section:
    g = report.grade
    if g.band_upper is None or g.band_lower is None:
        band = text("insolvency_only", lang)
    else:
        band = f"{_pd(g.band_lower)} – {_pd(g.band_upper)}"
    label = labels.grade_label(g.band_label, lang)
    scored = text("score_stored" if g.stored else "score_computed", lang)
    reasons = [r.text_en if lang == "en" else r.text_zh for r in g.reasons]
    return Section(
        "grade",
        text("score", lang),
        facts=[
            (text("grade", lang), f"{g.grade} ({label})"),
            (text("pd", lang), _pd(g.pd)),
            (text("pd_band", lang), band),
            (text("model_version", lang), f"{g.model_version}; {scored} {g.scored_as_of}"),
        ],
        bullets=reasons or [text("no_reasons", lang)],
        bullets_title=text("reasons", lang),
        notes=[text("grade_scale", lang)],
    )


def _constraint_note(limit: LimitSection, row: LimitConstraint, lang: Lang) -> str:
    if row.amount is None:
        words = text(f"why_{row.name}", lang)
        return words.format(
            grade=limit.grade, max=limit.max_credit_grade, months=limit.history_months
        )
    notes = [text("binds", lang)] if row.name == limit.binding else []
    if row.name == "capacity" and limit.capacity_basis is not None:
        basis = text(f"basis_{limit.capacity_basis}", lang)
        notes.append(text("capacity_basis", lang).format(basis=basis))
    return ("; " if lang == "en" else "；").join(notes)


def _current_limit(current: CurrentLimit, as_of: date, lang: Lang) -> list[tuple[str, str]]:
    valid = current.valid_until.isoformat()
    if current.valid_until < as_of:
        valid = f"{valid} ({text('expired', lang)})"
    return [
        (text("current_limit", lang), money_in(current.amount, current.currency)),
        (text("set_on", lang), current.set_on.isoformat()),
        (text("valid_until", lang), valid),
        (text("review_on", lang), current.review_on.isoformat()),
    ]


def credit_limit(report: CreditReport, lang: Lang) -> Section:
    limit = report.limit
    version = str(limit.policy_version)
    if limit.policy_version == 0:
        defaults = text("policy_defaults", lang)
        version = f"0 ({defaults})" if lang == "en" else f"0（{defaults}）"
    section = Section("limit", text("limit", lang))
    section.facts = [
        (text("recommended_limit", lang), money_in(limit.recommended, limit.currency)),
        (text("binding_constraint", lang), text(f"constraint_{limit.binding}", lang)),
        (text("policy_version", lang), version),
    ]
    rows = [
        [
            text(f"constraint_{row.name}", lang),
            money_in(row.amount, limit.currency),
            _constraint_note(limit, row, lang),
        ]
        for row in limit.constraints
    ]
    header = [text("constraint", lang), text("amount", lang), text("note", lang)]
    section.tables.append(Table(header, rows, numeric=False, widths=(1.4, 1.0, 2.6)))
    if limit.current is None:
        section.notes.append(text("no_current_limit", lang))
    else:
        section.facts += _current_limit(limit.current, report.as_of, lang)
    section.bullets = [r.text_en if lang == "en" else r.text_zh for r in limit.reasons]
    section.bullets_title = text("limit_reasons", lang)
    section.notes.append(text("limit_note", lang))
    return section


def financials(report: CreditReport, lang: Lang) -> Section:
    section = Section("financials", text("financials", lang))
    if not report.statements:
        section.notes.append(text("no_statements", lang))
        return section
    header = [text("period_end", lang), *(s.period_end.isoformat() for s in report.statements)]
    rows = [[text("currency", lang), *(s.currency for s in report.statements)]]
    for line in labels.LINE_LABELS:
        rows.append(
            [
                labels.line_label(line, lang),
                *(money_in(s.lines[line], s.currency) for s in report.statements),
            ]
        )
    section.tables.append(Table(header, rows))
    return section


def _ratio_shown(name: str, lang: Lang) -> Callable[[Decimal | None], str]:
    return lambda value: format_ratio(name, value, lang)


def ratios(report: CreditReport, lang: Lang) -> Section:
    section = Section("ratios", text("ratios", lang))
    if not report.statements:
        section.notes.append(text("no_statements", lang))
        return section
    years = [s.period_end.isoformat() for s in report.statements]
    rows: list[list[str]] = []
    tones: list[Tone] = []
    for row in report.ratios:
        trend = row.latest_trend
        rows.append(
            [
                labels.ratio_label(row.name, lang),
                *(format_ratio(row.name, v, lang) for v in row.values),
                text("missing", lang) if trend is None else trend.words(lang),
            ]
        )
        tones.append("" if trend is None or trend.verdict == "neutral" else trend.verdict)
    header = [text("ratio", lang), *years, text("trend", lang)]
    widths = (2.4, *([1.0] * len(years)), 1.9)
    section.tables.append(Table(header, rows, tones, widths=widths))
    by_name = {row.name: row for row in report.ratios}
    for name in KEY_RATIOS:
        section.lines.append(
            Series(
                labels.ratio_label(name, lang),
                [year[:4] for year in years],
                list(by_name[name].values),
                _ratio_shown(name, lang),
            )
        )
    section.notes.append(text("trend_note", lang))
    return section


def _trend_words(value: Decimal | None, lang: Lang) -> str:
    if value is None:
        return text("missing", lang)
    key = "paying_later" if value > 0 else "paying_earlier" if value < 0 else "paying_same"
    return f"{_days(value, lang, signed=True)} ({text(key, lang)})"


def behaviour(report: CreditReport, lang: Lang) -> Section:
    b = report.behaviour
    section = Section("behaviour", text("behaviour", lang))
    if not b.has_ledger:
        section.notes.append(text("no_ledger", lang))
        return section
    section.facts = [
        (text("dbt_average", lang), _days(b.dbt_average, lang)),
        (text("dbt_recent", lang), _days(b.dbt_recent, lang)),
        (text("dbt_earlier", lang), _days(b.dbt_earlier, lang)),
        (text("dbt_trend", lang), _trend_words(b.dbt_trend, lang)),
        (text("overdue_30_share", lang), _pct(b.overdue_30_share, lang)),
        (text("paid_invoices", lang), f"{b.paid_invoices:,}"),
    ]
    quarters = [f"{q.quarter_end.year} Q{(q.quarter_end.month + 2) // 3}" for q in b.quarters]
    section.bars = Series(
        text("dbt_in_quarter", lang),
        quarters,
        [q.dbt for q in b.quarters],
        lambda v: _days(v, lang),
    )
    section.tables.append(
        Table(
            [
                text("quarter", lang),
                text("dbt_in_quarter", lang),
                text("overdue_at_quarter_end", lang),
            ],
            [
                [label, _days(q.dbt, lang), _pct(q.overdue_30_share, lang)]
                for label, q in zip(quarters, b.quarters, strict=True)
            ],
        )
    )
    section.notes.append(text("behaviour_source", lang))
    return section


def events(report: CreditReport, lang: Lang) -> Section:
    section = Section("events", text("events", lang))
    if not report.events:
        section.notes.append(text("no_events", lang))
        return section
    header = [
        text(key, lang)
        for key in (
            "event_date",
            "event_kind",
            "event_severity",
            "event_source",
            "event_description",
        )
    ]
    rows = [
        [
            e.event_date.isoformat(),
            labels.event_kind(e.kind, lang),
            str(e.severity),
            e.source,
            e.description or text("missing", lang),
        ]
        for e in report.events
    ]
    section.tables.append(Table(header, rows, numeric=False, widths=(1.0, 1.2, 0.8, 1.2, 2.2)))
    return section


def risk(report: CreditReport, lang: Lang) -> Section:
    section = Section("risk", text("risk", lang))
    country = report.country_risk
    if country is None:
        section.facts.append((text("country_risk", lang), text("no_country_risk", lang)))
    else:
        oecd = text("not_classified", lang) if country.not_classified else str(country.oecd_class)
        section.facts += [
            (text("oecd_class", lang), oecd),
            (text("classification_date", lang), country.as_of.isoformat()),
            (text("platform_level", lang), str(country.risk_level)),
            (text("source", lang), country.source),
        ]
        if country.not_classified:
            section.notes.append(text("not_classified_note", lang))
    sector = report.sector_risk
    if sector is None:
        section.facts.append((text("sector_risk", lang), text("no_sector_risk", lang)))
        return section
    section.facts += [
        (text("sector_level", lang), f"{sector.risk_level} / 5 ({sector.matched})"),
        (text("review", lang), text(f"review_{sector.review}", lang)),
        (text("rationale", lang), sector.rationale),
    ]
    section.bullets = list(sector.indicators)
    section.bullets_title = f"{text('indicators', lang)} {text('indicators_note', lang)}"
    return section


def _position(row: PeerRow, group: PeerGroup, lang: Lang) -> str:
    if row.value is None:
        return text("no_value", lang)
    if row.better_than is None or row.peers < group.min_peers:
        return text("too_few_peers", lang).format(n=group.min_peers)
    return text("better_than", lang).format(p=f"{row.better_than * 100:.0f}%")


def _group_name(report: CreditReport, group: PeerGroup, lang: Lang) -> str:
    if group.group is None:
        return text("missing", lang)
    if group.by == "country":
        return labels.country_name(group.group, lang)
    english = report.identity.section_name_en
    return f"{group.group} {labels.section_name(group.group, english, lang)}"


def peers(report: CreditReport, lang: Lang) -> Section:
    section = Section("peers", text("peers", lang))
    for group in report.peers:
        heading = text("peers_by_section" if group.by == "section" else "peers_by_country", lang)
        header = [
            f"{heading}: {_group_name(report, group, lang)}",
            text("value", lang),
            text("peer_median", lang),
            text("peer_count", lang),
            text("percentile", lang),
        ]
        rows = [
            [
                labels.ratio_label(row.ratio, lang),
                format_ratio(row.ratio, row.value, lang),
                format_ratio(row.ratio, row.peer_median, lang),
                str(row.peers),
                _position(row, group, lang),
            ]
            for row in group.rows
        ]
        section.tables.append(Table(header, rows, widths=(2.0, 0.8, 0.8, 0.6, 1.9)))
    section.notes.append(text("peers_note", lang))
    return section


SECTIONS: tuple[Callable[[CreditReport, Lang], Section], ...] = (
    identity,
    grade,
    credit_limit,
    financials,
    ratios,
    behaviour,
    events,
    risk,
    peers,
)


def report_view(report: CreditReport, lang: Lang) -> ReportView:
    who = report.identity
    subtitle = (
        f"{text('as_of', lang)} {report.as_of.isoformat()} · {who.registration_number} · "
        f"{who.country} · {text('generated', lang)} {report.generated_at:%Y-%m-%d %H:%M} UTC · "
        "tradecredit"
    )
    title = (
        f"{text('title', lang)}: {who.name}"
        if lang == "en"
        else f"{who.name} {text('title', lang)}"
    )
    return ReportView(
        lang=lang,
        title=title,
        subtitle=subtitle,
        sections=[build(report, lang) for build in SECTIONS],
    )
