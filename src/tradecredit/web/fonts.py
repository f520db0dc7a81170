"""The report font (Noto Sans SC) for both formats: where it is, and a subset for an HTML page.

The PDF embeds the font through fpdf2 (`font_file`). An HTML page cannot count on the reader's
machine having a Chinese font (CI and headless servers usually have none, so Chinese shows as
empty boxes), so a page that needs one carries its own: the font cut down with fontTools to the
characters the page uses, as WOFF (zlib, no brotli needed) in an `@font-face` data: URL.
"""

from __future__ import annotations

import base64
import io
import unicodedata
from functools import cache, lru_cache
from html.parser import HTMLParser
from pathlib import Path

from pylopdf_fonts_zh_cn import sans_path

FAMILY = "Tradecredit Noto Sans SC"
FALLBACKS = (
    "system-ui",
    "-apple-system",
    '"Segoe UI"',
    '"Noto Sans"',
    '"Noto Sans CJK SC"',
    '"PingFang SC"',
    '"Microsoft YaHei"',
    "sans-serif",
)
FONT_STACK = ", ".join((f'"{FAMILY}"', *FALLBACKS))
_NAME_IDS = (0, 1, 2, 3, 4, 5, 6, 13, 14)
"""Copyright, names, version, and the OFL licence description and URL."""
_DROPPED_TABLES = ("BASE", "VORG", "vhea", "vmtx")
"""Vertical writing and baseline tables: the page is set horizontally."""


@cache
def font_file() -> Path:
    path = Path(sans_path())
    if not path.is_file():
        raise FileNotFoundError(
            f"the report font is missing: {path} (reinstall pylopdf-fonts-zh-cn)"
        )
    return path


class _TextCollector(HTMLParser):
    """The text a reader sees: character data outside <style> and <script>, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def page_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts)


def is_non_latin(char: str) -> bool:
    """CJK, kana, Hangul, fullwidth forms and CJK punctuation, or a letter of a non-Latin script."""
    if ord(char) >= 0x2E80:
        return True
    return (
        char.isalpha()
        and ord(char) >= 0x0250
        and not unicodedata.name(char, "").startswith("LATIN")
    )


def needs_embedded_font(text: str) -> bool:
    return any(is_non_latin(char) for char in text)


def subset_woff(text: str) -> bytes:
    """The font cut down to the characters of `text`, as WOFF; the same text gives the same bytes."""
    return _subset_woff("".join(sorted(set(text))))


@lru_cache(maxsize=16)
def _subset_woff(characters: str) -> bytes:
    # fontTools' subsetter takes about 0.2 s to import: only pages with Chinese need it, so
    # every CLI command would otherwise pay it at start-up.
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.name_IDs = list(_NAME_IDS)
    options.drop_tables = [*options.drop_tables, *_DROPPED_TABLES]
    options.hinting = False
    font = TTFont(str(font_file()), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    font.flavor = "woff"
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=True)
    font.close()
    return buffer.getvalue()


def font_face_css(text: str) -> str:
    """An `@font-face` rule for `FAMILY` carrying the subset for `text` as a data: URL."""
    encoded = base64.b64encode(subset_woff(text)).decode("ascii")
    return (
        f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; font-weight: 400; '
        f'font-display: block; src: url("data:font/woff;base64,{encoded}") format("woff"); }}'
    )


def embedded_font_css(html: str, *, always: bool) -> str:
    """The `@font-face` rule a rendered page needs, or "" when its text is all Latin.

    `always` embeds the font even for an all-Latin page (a Chinese report: its words are meant
    to be set in the Chinese font).
    """
    text = page_text(html)
    if not (always or needs_embedded_font(text)):
        return ""
    return font_face_css(text)
