"""The credit report as a PDF (fpdf2), drawn from the same view as the HTML.

Text is set in Noto Sans SC (SIL Open Font License 1.1), shipped by the `pylopdf-fonts-zh-cn`
package, a pyproject dependency. It covers Latin and Simplified Chinese, so both languages use
one font. fpdf2 embeds it as a subset (only the glyphs used, CFF outlines as FontFile3), which
keeps a report around 100 KB instead of the font's 8 MB. Charts are drawn with fpdf2's own lines
and rectangles.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout, WrapMode, XPos, YPos

from tradecredit.reports.labels import Lang
from tradecredit.reports.schemas import CreditReport
from tradecredit.reports.view import ReportView, Section, Series, Table, report_view
from tradecredit.web.fonts import font_file

FONT = "NotoSansSC"
INK = (29, 36, 51)
MUTED = (91, 100, 117)
ACCENT = (31, 95, 191)
LINE = (223, 227, 234)
TONES = {"better": (46, 125, 50), "worse": (166, 27, 41)}


class _Document(FPDF):
    def __init__(self, view: ReportView) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.view = view
        self.wrap = WrapMode.CHAR if view.lang == "zh" else WrapMode.WORD
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=15)
        self.add_font(FONT, fname=str(font_file()))
        self.set_title(view.title)
        self.set_lang("zh-CN" if view.lang == "zh" else "en")
        self.set_creator("tradecredit")
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, size=7)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.view.title} · {self.page_no()}/{{nb}}", align="C")

    def text_block(
        self, content: str, *, size: float = 9, colour: tuple[int, int, int] = INK
    ) -> None:
        self.set_font(FONT, size=size)
        self.set_text_color(*colour)
        self.multi_cell(
            0, size * 0.5, content, wrapmode=self.wrap, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )


def _heading(pdf: _Document, title: str) -> None:
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT, size=13)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*LINE)
    pdf.set_line_width(0.5)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)


def _table(pdf: _Document, table: Table, *, headings: bool = True) -> None:
    columns = len(table.header)
    widths = table.widths or ((2.2, *([1.0] * (columns - 1))) if columns > 2 else (1.0, 1.6))
    numeric = headings and table.numeric
    pdf.set_font(FONT, size=8)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*LINE)
    pdf.set_line_width(0.2)
    with pdf.table(
        col_widths=widths,
        text_align=("LEFT", *(["RIGHT"] * (columns - 1))) if numeric else "LEFT",
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        headings_style=FontFace(emphasis="", color=MUTED, size_pt=7.5),
        first_row_as_headings=headings,
        line_height=4.6,
        wrapmode=pdf.wrap,
        padding=(0.6, 1.2),
    ) as grid:
        if headings:
            grid.row(table.header)
        for index, cells in enumerate(table.rows):
            tone = table.tones[index] if table.tones else ""
            row = grid.row()
            for position, cell in enumerate(cells):
                last = position == len(cells) - 1
                style = FontFace(color=TONES[tone]) if last and tone else None
                row.cell(cell, style=style)
    pdf.ln(2)


def _facts(pdf: _Document, facts: Sequence[tuple[str, str]]) -> None:
    _table(pdf, Table(["", ""], [[label, value] for label, value in facts]), headings=False)


def _bar_chart(pdf: _Document, series: Series, *, height: float = 42) -> None:
    if pdf.will_page_break(height + 10):
        pdf.add_page()
    pdf.text_block(series.title, size=8, colour=MUTED)
    left, top = pdf.l_margin, pdf.get_y() + 5
    width = pdf.w - pdf.l_margin - pdf.r_margin
    plot = height - 12
    known = [v for v in series.values if v is not None]
    peak = max(known, default=Decimal(0)) or Decimal(1)
    slot = width / max(len(series.values), 1)
    pdf.set_font(FONT, size=7)
    for i, (label, value) in enumerate(zip(series.labels, series.values, strict=True)):
        x = left + i * slot + slot * 0.2
        bar = 0.0 if value is None else float(value / peak) * plot
        base = top + plot
        if value is not None and bar > 0:
            pdf.set_fill_color(*ACCENT)
            pdf.rect(x, base - bar, slot * 0.6, bar, style="F")
        pdf.set_text_color(*INK)
        pdf.text(x, base - bar - 1.2, series.shown(value))
        pdf.set_text_color(*MUTED)
        pdf.text(x, base + 4, label)
    pdf.set_draw_color(*LINE)
    pdf.line(left, top + plot, left + width, top + plot)
    pdf.set_fill_color(255)
    pdf.set_y(top + height)


def _line_chart(pdf: _Document, series: Series, x: float, y: float, w: float, h: float) -> None:
    pdf.set_font(FONT, size=7.5)
    pdf.set_text_color(*INK)
    pdf.text(x, y + 3, series.title)
    known = [v for v in series.values if v is not None]
    low, high = min(known, default=Decimal(0)), max(known, default=Decimal(1))
    top, bottom = y + 9, y + h - 6
    step = (w - 16) / max(len(series.values) - 1, 1)

    def point(i: int, value: Decimal) -> tuple[float, float]:
        share = float((value - low) / (high - low)) if high != low else 0.5
        return x + 8 + i * step, bottom - share * (bottom - top)

    pdf.set_draw_color(*LINE)
    pdf.set_line_width(0.2)
    pdf.line(x + 2, bottom, x + w - 2, bottom)
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.6)
    for i in range(1, len(series.values)):
        previous, current = series.values[i - 1], series.values[i]
        if previous is not None and current is not None:
            pdf.line(*point(i - 1, previous), *point(i, current))
    pdf.set_font(FONT, size=6.5)
    pdf.set_fill_color(*ACCENT)
    for i, (label, value) in enumerate(zip(series.labels, series.values, strict=True)):
        px = x + 8 + i * step
        if value is not None:
            _, py = point(i, value)
            pdf.ellipse(px - 0.9, py - 0.9, 1.8, 1.8, style="F")
            pdf.set_text_color(*INK)
            pdf.text(px - 4, py - 1.8, series.shown(value))
        pdf.set_text_color(*MUTED)
        pdf.text(px - 2.5, y + h - 1.5, label)


def _small_multiples(pdf: _Document, charts: Sequence[Series]) -> None:
    per_row, h = 4, 30
    w = (pdf.w - pdf.l_margin - pdf.r_margin) / per_row
    for start in range(0, len(charts), per_row):
        if pdf.will_page_break(h + 2):
            pdf.add_page()
        y = pdf.get_y()
        for offset, series in enumerate(charts[start : start + per_row]):
            _line_chart(pdf, series, pdf.l_margin + offset * w, y, w - 3, h)
        pdf.set_y(y + h + 2)
    pdf.set_fill_color(255)


def _section(pdf: _Document, section: Section) -> None:
    _heading(pdf, section.title)
    if section.facts:
        _facts(pdf, section.facts)
    if section.bullets_title:
        pdf.text_block(section.bullets_title, size=8.5, colour=MUTED)
    for item in section.bullets:
        pdf.text_block(f"• {item}")
    if section.bullets:
        pdf.ln(1)
    if section.bars is not None:
        _bar_chart(pdf, section.bars)
    for table in section.tables:
        _table(pdf, table)
    if section.lines:
        _small_multiples(pdf, section.lines)
    for note in section.notes:
        pdf.text_block(note, size=7.5, colour=MUTED)


def render_pdf(report: CreditReport, lang: Lang) -> bytes:
    view = report_view(report, lang)
    pdf = _Document(view)
    pdf.add_page()
    pdf.set_font(FONT, size=18)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 9, view.title, wrapmode=pdf.wrap, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.text_block(view.subtitle, size=8.5, colour=MUTED)
    for section in view.sections:
        _section(pdf, section)
    return bytes(pdf.output())
