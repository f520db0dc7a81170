"""The credit limit section: the limit engine's recommendation with every constraint, the binding
one, the policy version and the current limit, in both languages, HTML and PDF."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pypdfium2 as pdfium
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from limits.builders import STRONG, add_buyer, establish
from reports.builders import AS_OF, Built
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.kit.clock import FixedClock
from tradecredit.kit.money import from_minor
from tradecredit.limits.decisions import NewRequest, request_limit
from tradecredit.limits.formula import CONSTRAINTS
from tradecredit.limits.policy import CAPACITY_SCALE, CreditPolicy
from tradecredit.limits.policy_store import set_policy
from tradecredit.limits.recommend import recommend
from tradecredit.reports.html import render_html
from tradecredit.reports.pdf import render_pdf
from tradecredit.reports.schemas import CreditReport
from tradecredit.reports.service import build_credit_report, resolve_company
from tradecredit.reports.view import report_view


def _pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    return re.sub(r"\s+", "", "".join(page.get_textpage().get_text_range() for page in document))


def _limit_facts(report: CreditReport, lang: str) -> dict[str, str]:
    view = report_view(report, "en" if lang == "en" else "zh")
    (section,) = [s for s in view.sections if s.key == "limit"]
    return dict(section.facts)


def test_the_section_shows_what_the_limit_engine_recommends(
    engine: Engine, actor: Actor, built: Built, report: CreditReport
) -> None:
    with unit_of_work(engine) as session:
        found = recommend(session, actor=actor, as_of=AS_OF, company_ids=[built.acme])
    row = found.row(built.acme)
    limit = report.limit
    assert limit.currency == found.currency == "EUR"
    assert limit.recommended == from_minor(int(str(row["recommended_minor"])), "EUR")
    assert limit.binding == row["binding"]
    assert limit.policy_version == found.policy.version == 0
    assert [c.name for c in limit.constraints] == list(CONSTRAINTS)
    for constraint in limit.constraints:
        minor = row[f"{constraint.name}_minor"]
        expected = None if minor is None else from_minor(int(str(minor)), "EUR")
        assert constraint.amount == expected, constraint.name
    by_name = {c.name: c for c in limit.constraints}
    assert limit.grade is not None
    assert limit.grade >= 7, "a court judgment caps the grade at 7"
    share = Decimal("0.20") * CAPACITY_SCALE[limit.grade - 1]
    expected_capacity = (share * 30).quantize(Decimal("0.01"))
    assert by_name["capacity"].amount == expected_capacity, "grade share x working capital 30"
    assert limit.capacity_basis == "working_capital"
    assert by_name["need"].amount == Decimal("369.86"), "3,000 invoiced x (30 + 15) / 365"
    assert by_name["progressive"].amount == Decimal("5000.00"), "10 months, a late payment"
    assert by_name["no_financials"].why_not == "not_applicable"
    assert (limit.recommended, limit.binding) == (Decimal("0.00"), "capacity")
    assert limit.reasons[0].code == f"LIMIT_BOUND_BY_{limit.binding.upper()}"
    assert limit.current is None
    english = render_html(report, "en")
    assert "Credit limit" in english
    assert f"Recommended limit {limit.recommended:,.2f} EUR" in english
    assert "does not apply: financial capacity is available" in english
    assert "No credit limit set on this buyer on or before the report date." in english
    chinese = render_html(report, "zh")
    for words in ("信用限额", "建议信用限额", "财务能力", "需求", "风险偏好", "约束条件"):
        assert words in chinese, words
    assert "Recommended limit" not in chinese
    assert _limit_facts(report, "zh")["起决定作用的约束条件"] == "财务能力"
    assert "起决定作用；最小基数：营运资本" in chinese
    assert _limit_facts(report, "zh")["信用政策版本"] == "0（默认参数）"
    assert _limit_facts(report, "en")["Binding constraint"] == "Financial capacity"
    pdf = _pdf_text(render_pdf(report, "zh"))
    for words in ("信用限额", "建议信用限额", "约束条件", "财务能力"):
        assert words in pdf, words
    assert "Creditlimit" in _pdf_text(render_pdf(report, "en"))


def test_a_company_without_statements_has_no_capacity(
    engine: Engine, actor: Actor, built: Built
) -> None:
    with unit_of_work(engine) as session:
        nostat = resolve_company(session, actor=actor, reference="NOSTAT:DE")
        report = build_credit_report(session, actor=actor, company_id=nostat.id, as_of=AS_OF)
    by_name = {c.name: c for c in report.limit.constraints}
    assert by_name["capacity"].amount is None
    assert by_name["capacity"].why_not == "not_available"
    assert by_name["need"].why_not == "not_available", "NOSTAT has no invoices"
    assert by_name["no_financials"].amount == Decimal("5000.00"), "the policy default applies"
    assert by_name["progressive"].amount == Decimal("5000.00"), "a new buyer starts at 5,000"
    assert report.limit.recommended == Decimal("5000.00")
    assert report.limit.binding == "no_financials", "ties: the order of CONSTRAINTS"
    english = render_html(report, "en")
    assert "not available: no financial statement with equity, working capital or revenue" in (
        english
    )
    assert "not available: no sales in the last 12 months and none posted" in english
    chinese = render_html(report, "zh")
    assert "无法计算：报告基准日及之前没有包含所有者权益、营运资本或营业收入的财务报表" in chinese
    assert _limit_facts(report, "zh")["起决定作用的约束条件"] == "无财务报表限额"
    assert "无法计算" in _pdf_text(render_pdf(report, "zh"))


def test_a_granted_limit_shows_as_the_current_limit(
    session: Session, actor: Actor, clock: FixedClock
) -> None:
    company_id = add_buyer(session, actor, "LIM", grade=4, pd="0.008", statement=STRONG)
    establish(session, actor, "LIM")
    set_policy(session, actor=actor, policy=CreditPolicy(max_expected_loss=Decimal("6000")))
    request = request_limit(
        session,
        actor=actor,
        data=NewRequest(
            company_id=company_id, amount=Decimal("20000"), currency="EUR", as_of=AS_OF
        ),
    )
    assert request.status == "approved"
    report = build_credit_report(session, actor=actor, company_id=company_id, as_of=AS_OF)
    limit = report.limit
    by_name = {c.name: c.amount for c in limit.constraints}
    assert by_name["capacity"] == Decimal("160000.00"), "min(8% x 2M, 16% x 1M, 6.4% x 10M)"
    assert by_name["appetite"] == Decimal("1666666.66"), "6,000 / (0.8% x 0.45), rounded down"
    assert by_name["need"] is None, "nothing invoiced in the last 12 months"
    assert by_name["progressive"] is None, "established: 14 months of history"
    assert (limit.recommended, limit.binding, limit.capacity_basis) == (
        Decimal("160000.00"),
        "capacity",
        "equity",
    ), "all three bases give 160,000: ties go to equity"
    assert limit.policy_version == 1
    assert limit.current is not None
    assert (limit.current.amount, limit.current.currency) == (Decimal("20000.00"), "EUR")
    assert limit.current.valid_until == date(2027, 3, 31)
    assert limit.current.review_on == date(2026, 6, 30), "grade 4: reviewed quarterly"
    english = _limit_facts(report, "en")
    assert english["Recommended limit"] == "160,000.00 EUR"
    assert english["Binding constraint"] == "Financial capacity"
    assert english["Credit policy version"] == "1"
    assert (english["Current limit"], english["Valid until"], english["Review date"]) == (
        "20,000.00 EUR",
        "2027-03-31",
        "2026-06-30",
    )
    chinese = _limit_facts(report, "zh")
    assert chinese["建议信用限额"] == "160,000.00 EUR"
    assert chinese["起决定作用的约束条件"] == "财务能力"
    assert (chinese["当前限额"], chinese["有效期至"], chinese["复核日期"]) == (
        "20,000.00 EUR",
        "2027-03-31",
        "2026-06-30",
    )
    html = render_html(report, "en")
    assert "does not apply: established buyer (14 months of history)" in html
    assert "binds; smallest base: equity" in html
    pdf = _pdf_text(render_pdf(report, "zh"))
    for words in ("当前限额", "有效期至", "复核日期", "2027-03-31", "160,000.00EUR"):
        assert words in pdf, words
    before = build_credit_report(
        session, actor=actor, company_id=company_id, as_of=date(2026, 3, 30)
    )
    assert before.limit.current is None, "the limit was set after that date"
