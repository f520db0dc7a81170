"""The credit report HTML in a real headless Chromium: it renders, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradecredit.reports.html import render_html
from tradecredit.reports.labels import Lang
from tradecredit.reports.schemas import CreditReport
from web.test_report_in_browser import _chromium, _run


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_credit_report_renders_in_chromium(report: CreditReport, tmp_path: Path) -> None:
    browser = _chromium()
    pages: tuple[tuple[Lang, str], ...] = (("en", "Payment behaviour"), ("zh", "付款行为"))
    for lang, expected in pages:
        page = tmp_path / f"report-{lang}.html"
        page.write_text(render_html(report, lang), encoding="utf-8")
        dom = _run(browser, tmp_path / f"profile-dom-{lang}", "--dump-dom", page.as_uri()).stdout
        assert expected in dom
        assert "Acme Metallwaren GmbH" in dom
        assert dom.count("<svg") == 9
        assert dom.count("<rect") == 2, "two quarters with paid invoices, two bars"
        picture = tmp_path / f"report-{lang}.png"
        _run(
            browser,
            tmp_path / f"profile-png-{lang}",
            "--window-size=1200,2400",
            f"--screenshot={picture}",
            page.as_uri(),
        )
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert picture.stat().st_size > 20_000
