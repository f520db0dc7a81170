"""The credit report of a built company: every section against figures worked out by hand
(tests/reports/builders.py), in both languages, HTML and PDF."""

from __future__ import annotations

import io
import re
import uuid
from datetime import date
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from sqlalchemy import Engine

from reports.builders import AS_OF, Built
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.kit.errors import InvalidInput, NotFound
from tradecredit.reports.html import render_html
from tradecredit.reports.pdf import render_pdf
from tradecredit.reports.schemas import CreditReport
from tradecredit.reports.service import build_credit_report, resolve_company


def test_identity_statements_and_ratio_trends(report: CreditReport, built: Built) -> None:
    who = report.identity
    assert (who.name, who.registration_number, who.country) == (
        "Acme Metallwaren GmbH",
        "ACME",
        "DE",
    )
    assert (who.legal_form, who.sector, who.section, who.status) == (
        "GmbH",
        "C25.11",
        "C",
        "active",
    )
    assert who.section_name_en == "Manufacturing"
    assert (who.founded, who.age_years) == (date(2001, 5, 17), 24)
    assert who.parent is not None
    assert who.parent.name == "Acme Holding AG"
    assert [s.period_end.year for s in report.statements] == [2023, 2024, 2025]
    assert report.statements[-1].lines["total_liabilities"] == Decimal("600.00")
    assert report.statements[-1].lines["revenue"] == Decimal("2200.00")
    rows = {row.name: row for row in report.ratios}
    assert rows["liabilities_to_assets"].values == (
        Decimal("0.52"),
        Decimal("0.55"),
        Decimal("0.6"),
    )
    words = {
        name: (row.latest_trend.movement, row.latest_trend.verdict)
        for name, row in rows.items()
        if row.latest_trend
    }
    assert words["current_ratio"] == ("down", "worse")
    assert words["liabilities_to_assets"] == ("up", "worse")
    assert words["net_income_to_assets"] == ("flat", "neutral")
    assert words["asset_turnover"] == ("up", "neutral")


def test_behaviour_events_country_and_sector(report: CreditReport) -> None:
    b = report.behaviour
    assert b.paid_invoices == 2
    assert (b.dbt_average, b.dbt_recent, b.dbt_earlier, b.dbt_trend) == (30, 40, 20, 20)
    assert b.overdue_30_share == Decimal("0.5")
    quarters = {q.quarter_end: q for q in b.quarters}
    assert len(quarters) == 8
    assert min(quarters) == date(2024, 6, 30)
    assert max(quarters) == AS_OF
    assert quarters[date(2025, 6, 30)].dbt == 20
    assert quarters[date(2025, 12, 31)].dbt == 40
    assert quarters[date(2025, 9, 30)].dbt is None
    assert quarters[AS_OF].overdue_30_share == Decimal("0.5")
    assert [(e.kind, e.event_date) for e in report.events] == [
        ("payment_incident", date(2026, 1, 20)),
        ("court_judgment", date(2025, 11, 15)),
    ]
    assert report.country_risk is not None
    assert report.country_risk.not_classified
    assert report.country_risk.oecd_class is None
    assert report.country_risk.as_of == date(2026, 1, 30)
    assert report.sector_risk is not None
    assert report.sector_risk.section == "C"
    assert report.sector_risk.risk_level == 3


def test_peer_percentiles_and_grade(report: CreditReport) -> None:
    section, country = report.peers
    leverage = next(r for r in section.rows if r.ratio == "liabilities_to_assets")
    assert (section.group, leverage.peers, leverage.better_than) == ("C", 5, Decimal("0.6"))
    liquidity = next(r for r in section.rows if r.ratio == "current_ratio")
    assert liquidity.better_than == 0
    assert country.group == "DE"
    assert {(r.peers, r.better_than) for r in country.rows} == {(1, None)}
    grade = report.grade
    assert grade.grade >= 7, "a court judgment within 24 months caps the grade at 7"
    assert grade.reasons[0].code == "overlay_court_judgment"
    assert not grade.stored
    assert grade.band_upper is not None
    assert grade.band_lower is not None
    assert grade.band_lower < grade.pd <= grade.band_upper


def test_html_in_english_and_chinese(report: CreditReport) -> None:
    english = render_html(report, "en")
    for text in (
        "Credit report: Acme Metallwaren GmbH",
        "Current ratio",
        "down, worse",
        "up, worse",
        "not classified by the OECD",
        "better than 60% of peers",
        "fewer than 5 peers: no percentile",
        "30.0 days",
        "+20.0 days (paying later than before)",
        "judgment for an unpaid trade debt",
        "2,200.00 EUR",
        "court judgment on 2025-11-15",
    ):
        assert text in english, text
    chinese = render_html(report, "zh")
    for text in (
        'lang="zh-CN"',
        "Acme Metallwaren GmbH 企业信用报告",
        "资产负债率",
        "流动比率",
        "违约概率",
        "信用等级",
        "平均逾期天数",
        "下降，恶化",
        "经合组织未予分类",
        "优于 60% 的同业",
        "同业少于 5 家",
        "法院判决",
        "制造业",
        "德国",
        "有法院判决",
    ):
        assert text in chinese, text
    assert "Current ratio" not in chinese
    assert english.count("<svg") == chinese.count("<svg") == 9


def _pdf_text(data: bytes) -> str:
    """The text of every page as PDFium (Chromium's PDF engine) extracts it, whitespace removed.
    (pypdf misreads this font's character codes after the first hundred; poppler and PDFium
    agree with each other.)"""
    document = pdfium.PdfDocument(data)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    return re.sub(r"\s+", "", text)


def test_chinese_pdf_has_text_and_an_embedded_subset_font(report: CreditReport) -> None:
    data = render_pdf(report, "zh")
    assert data.startswith(b"%PDF-")
    assert len(data) < 300_000, "the font must be embedded as a subset"
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 3
    text = _pdf_text(data)
    for label in (
        "企业信用报告",
        "资产负债率",
        "流动比率",
        "违约概率",
        "信用等级",
        "逾期天数",
        "经合组织未予分类",
    ):
        assert label in text, label
    assert "AcmeMetallwarenGmbH" in text
    resources = reader.pages[0]["/Resources"]
    assert isinstance(resources, DictionaryObject)
    fonts = resources["/Font"].get_object()
    assert isinstance(fonts, DictionaryObject)
    assert fonts, "the page uses a font"
    for reference in fonts.values():
        font = reference.get_object()
        assert re.fullmatch(r"/[A-Z]{6}\+NotoSansSC", font["/BaseFont"])
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile3" in descriptor, "the CFF outlines are embedded"
        assert descriptor["/FontFile3"].get_object().get_data(), "and not empty"


def test_english_pdf(report: CreditReport) -> None:
    text = _pdf_text(render_pdf(report, "en"))
    for label in ("Creditreport", "Currentratio", "betterthan60%ofpeers", "notclassifiedbytheOECD"):
        assert label in text, label


def test_no_classification_is_said_plainly(engine: Engine, actor: Actor, built: Built) -> None:
    with unit_of_work(engine) as session:
        report = build_credit_report(
            session,
            actor=actor,
            company_id=built.acme,
            as_of=AS_OF,
            country_source="none-" + uuid.uuid4().hex[:8],
        )
    assert report.country_risk is None
    assert "No OECD classification imported" in render_html(report, "en")
    assert "未导入该国的经合组织分类" in render_html(report, "zh")


def test_company_without_data(engine: Engine, actor: Actor, built: Built) -> None:
    with unit_of_work(engine) as session:
        nostat = resolve_company(session, actor=actor, reference="NOSTAT:DE")
        report = build_credit_report(session, actor=actor, company_id=nostat.id, as_of=AS_OF)
    assert report.statements == ()
    assert not report.behaviour.has_ledger
    assert report.events == ()
    html = render_html(report, "en")
    assert "No financial statement on or before the report date." in html
    assert "No invoice from this buyer in the ledger." in html
    assert "no figure for the company" in html
    assert render_pdf(report, "zh").startswith(b"%PDF-")


def test_unknown_foreign_and_malformed_companies(
    engine: Engine, actor: Actor, other_actor: Actor, built: Built
) -> None:
    with unit_of_work(engine) as session:
        with pytest.raises(NotFound):
            build_credit_report(session, actor=other_actor, company_id=built.acme, as_of=AS_OF)
        with pytest.raises(NotFound):
            resolve_company(session, actor=other_actor, reference="ACME:DE")
        with pytest.raises(NotFound):
            resolve_company(session, actor=actor, reference=str(uuid.uuid4()))
        with pytest.raises(InvalidInput, match="neither a company id"):
            resolve_company(session, actor=actor, reference="ACME")
        assert (
            resolve_company(session, actor=actor, reference=str(built.acme)).name
            == "Acme Metallwaren GmbH"
        )
