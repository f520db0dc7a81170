"""The HTML credit report carries its own Chinese font: a subset of Noto Sans SC as a data: URL."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import replace

import pytest
from fontTools.ttLib import TTFont

from tradecredit.reports.html import render_html
from tradecredit.reports.schemas import CreditReport
from tradecredit.web import fonts
from tradecredit.web.fonts import FAMILY, font_file, is_non_latin, page_text

FONT_FACE = re.compile(
    r'@font-face \{ font-family: "(?P<family>[^"]+)";[^}]*'
    r'src: url\("data:font/woff;base64,(?P<data>[A-Za-z0-9+/=]+)"\) format\("woff"\); \}'
)
CHINESE_NAME = "上海精密机械有限公司"


def _embedded_fonts(html: str) -> list[tuple[str, TTFont]]:
    return [
        (match["family"], TTFont(io.BytesIO(base64.b64decode(match["data"], validate=True))))
        for match in FONT_FACE.finditer(html)
    ]


def _full_font_characters() -> set[str]:
    with TTFont(str(font_file()), lazy=True) as font:
        return {chr(code) for code in font.getBestCmap()}


def _with_name(report: CreditReport, name: str) -> CreditReport:
    return replace(report, identity=replace(report.identity, name=name))


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"], indirect=True)
def test_the_chinese_report_embeds_a_subset_covering_exactly_its_characters(
    report: CreditReport,
) -> None:
    html = render_html(report, "zh")
    fonts = _embedded_fonts(html)
    assert len(fonts) == 1
    family, font = fonts[0]
    assert family == FAMILY
    assert font.flavor == "woff"
    assert "CFF " in font

    text = page_text(html)
    chinese = {char for char in text if is_non_latin(char)}
    assert {"信", "用", "报", "告", "付", "款", "行", "为"} <= chinese
    covered = {chr(code) for code in font.getBestCmap()}
    assert chinese <= covered, f"missing from the subset: {sorted(chinese - covered)}"
    assert covered == set(text) & _full_font_characters()
    assert len(font.getGlyphOrder()) < 1_000


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_the_font_is_first_in_the_stack_for_text_and_chart_labels(report: CreditReport) -> None:
    html = render_html(report, "zh")
    rule = re.search(r"body, svg text \{ font-family: ([^;]+); \}", html)
    assert rule is not None
    stack = [name.strip().strip('"') for name in rule[1].split(",")]
    assert stack[0] == FAMILY
    assert stack[-1] == "sans-serif"
    assert "Noto Sans CJK SC" in stack


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_the_same_report_gives_the_same_bytes(report: CreditReport) -> None:
    first = render_html(report, "zh")
    fonts._subset_woff.cache_clear()
    assert render_html(report, "zh") == first
    with TTFont(str(font_file()), lazy=True) as source:
        created = source["head"].modified
    assert _embedded_fonts(first)[0][1]["head"].modified == created, "no save-time timestamp"
    assert render_html(_with_name(report, CHINESE_NAME), "en") == render_html(
        _with_name(report, CHINESE_NAME), "en"
    )


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_an_english_report_embeds_the_font_only_for_non_latin_text(report: CreditReport) -> None:
    latin = render_html(report, "en")
    assert "@font-face" not in latin
    assert "data:font/woff" not in latin

    chinese_name = render_html(_with_name(report, CHINESE_NAME), "en")
    assert CHINESE_NAME in page_text(chinese_name)
    fonts = _embedded_fonts(chinese_name)
    assert len(fonts) == 1
    covered = {chr(code) for code in fonts[0][1].getBestCmap()}
    assert set(CHINESE_NAME) <= covered
    assert {"信", "报"}.isdisjoint(covered), "only the page's own characters"


def test_page_text_is_what_a_reader_sees() -> None:
    html = (
        "<html><head><style>body { font-family: 宋体; }</style></head>"
        "<body><p>信用 &amp; <b>报告</b></p><svg><text>付款</text></svg></body></html>"
    )
    assert page_text(html) == "信用 & 报告付款"


@pytest.mark.parametrize(
    ("char", "non_latin"),
    [
        *[("A", False), ("é", False), ("ß", False), ("–", False), ("·", False), ("Ş", False)],
        *[("信", True), ("：", True), ("。", True), ("ア", True), ("한", True), ("Ж", True)],
    ],
)
def test_what_counts_as_non_latin(char: str, non_latin: bool) -> None:
    assert is_non_latin(char) is non_latin
