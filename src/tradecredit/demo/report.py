"""The demo job's HTML report: ageing, breakdowns, most overdue buyers, method notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from tradecredit import __version__
from tradecredit.analytics.schemas import BUCKET_LABELS, BUCKETS, AgeingReport, AgeingRow
from tradecredit.kit.clock import utcnow
from tradecredit.scoring.scores import ScoreResult
from tradecredit.web.charts import GRADE_COLOURS, bar_chart
from tradecredit.web.render import render


@dataclass(frozen=True)
class OverdueBuyer:
    label: str
    overdue: Decimal
    over_120: Decimal
    total: Decimal
    open_invoices: int


def overdue_share(row: AgeingRow) -> Decimal:
    if row.total == 0:
        return Decimal(0)
    return ((row.total - row.not_yet_due) / row.total).quantize(Decimal("0.0001"))


def most_overdue(by_buyer: AgeingReport, limit: int = 15) -> list[OverdueBuyer]:
    buyers = [
        OverdueBuyer(r.label, r.total - r.not_yet_due, r.over_120, r.total, r.open_invoices)
        for r in by_buyer.rows
        if r.total > r.not_yet_due
    ]
    return sorted(buyers, key=lambda b: (-b.overdue, b.label))[:limit]


@dataclass(frozen=True)
class RiskyBuyer:
    label: str
    grade: int
    pd_percent: str
    open_balance: Decimal | None
    reasons: list[str]


def riskiest(
    scores: list[ScoreResult], by_buyer: AgeingReport, limit: int = 15
) -> list[RiskyBuyer]:
    """Highest PD first; the open balance comes from the buyer ageing (None when nothing open)."""
    open_by_company = {row.key: row.total for row in by_buyer.rows}
    ranked = sorted(scores, key=lambda s: (-s.grade, -s.pd, s.name))[:limit]
    return [
        RiskyBuyer(
            label=s.name,
            grade=s.grade,
            pd_percent=f"{s.pd * 100:.2f}%",
            open_balance=open_by_company.get(str(s.company_id)),
            reasons=[r.text_en for r in s.reasons[:3]],
        )
        for s in ranked
    ]


def grade_counts(scores: list[ScoreResult]) -> list[tuple[int, int]]:
    counts = dict.fromkeys(range(1, 11), 0)
    for score in scores:
        counts[score.grade] += 1
    return sorted(counts.items())


def render_demo_report(
    *,
    seller: str,
    ageing: AgeingReport,
    breakdowns: list[tuple[str, AgeingReport]],
    by_buyer: AgeingReport,
    scores: list[ScoreResult],
    portfolio: list[tuple[str, str]],
) -> str:
    chart = bar_chart(
        [BUCKET_LABELS[b] for b in BUCKETS], [getattr(ageing.totals, b) for b in BUCKETS]
    )
    return render(
        "demo_report.html.j2",
        seller=seller,
        as_of=ageing.as_of,
        generated_at=utcnow().strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        ageing=ageing,
        overdue_share=overdue_share(ageing.totals),
        buckets=BUCKETS,
        bucket_labels=BUCKET_LABELS,
        bucket_chart=chart,
        breakdowns=breakdowns,
        row_limit=25,
        overdue_buyers=most_overdue(by_buyer),
        risky_buyers=riskiest(scores, by_buyer),
        grades=grade_counts(scores),
        grade_chart=bar_chart(
            [str(g) for g in range(1, 11)],
            [Decimal(n) for _, n in grade_counts(scores)],
            colours=GRADE_COLOURS,
            integers=True,
        ),
        model_version=scores[0].model_version if scores else None,
        portfolio=portfolio,
    )


def report_path(out_dir: Path, as_of: date) -> Path:
    return out_dir / f"receivables-report-{as_of.isoformat()}.html"
