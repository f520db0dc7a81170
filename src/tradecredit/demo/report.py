"""The demo job's HTML report: ageing, breakdowns, most overdue buyers, method notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from tradecredit import __version__
from tradecredit.analytics.schemas import BUCKET_LABELS, BUCKETS, AgeingReport, AgeingRow
from tradecredit.kit.clock import utcnow
from tradecredit.web.charts import bar_chart
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


def render_demo_report(
    *,
    seller: str,
    ageing: AgeingReport,
    breakdowns: list[tuple[str, AgeingReport]],
    by_buyer: AgeingReport,
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
        portfolio=portfolio,
    )


def report_path(out_dir: Path, as_of: date) -> Path:
    return out_dir / f"receivables-report-{as_of.isoformat()}.html"
