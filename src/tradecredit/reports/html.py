"""The credit report as one self-contained HTML page: inline SVG charts, no script.

A Chinese page, or any page with non-Latin text (a Chinese company name in an English report),
carries its own font: Noto Sans SC cut down to the page's characters (`web/fonts.py`), so it
reads the same on a machine without a Chinese font.
"""

from __future__ import annotations

from tradecredit.reports.labels import Lang
from tradecredit.reports.schemas import CreditReport
from tradecredit.reports.view import Section, report_view
from tradecredit.web.charts import optional_bar_chart, small_line_chart
from tradecredit.web.fonts import FONT_STACK, embedded_font_css
from tradecredit.web.render import render


def _charts(section: Section) -> dict[str, object]:
    bars = ""
    if section.bars is not None:
        series = section.bars
        bars = optional_bar_chart(series.labels, series.values, shown=series.shown)
    lines = [
        small_line_chart(series.title, series.labels, series.values, shown=series.shown)
        for series in section.lines
    ]
    return {"bars": bars, "lines": lines}


def render_html(report: CreditReport, lang: Lang) -> str:
    view = report_view(report, lang)
    context: dict[str, object] = {
        "view": view,
        "charts": {section.key: _charts(section) for section in view.sections},
        "lang": "zh-CN" if lang == "zh" else "en",
        "font_stack": FONT_STACK,
    }
    plain = render("credit_report.html.j2", font_face="", **context)
    font_face = embedded_font_css(plain, always=lang == "zh")
    if not font_face:
        return plain
    return render("credit_report.html.j2", font_face=font_face, **context)
