"""In a real headless Chromium the Chinese report draws its text with the embedded font.

The machine running this needs no Chinese font (CI has none): without the embedded face Chromium
would draw every Chinese character as the same empty box. A script appended to a copy of the
page (the report itself has none) waits for the fonts and writes what it finds into the DOM,
which `--dump-dom` returns. What it checks, and why each is robust:

- the embedded face is in `document.fonts` with status "loaded": Chromium loads a CSS font face
  only when some text on the page is drawn with it, and marks it "error" if the data does not
  decode, so "loaded" without any script asking means the page's own text used it;
- `document.fonts.check` is true for Chinese text in the family (every face it needs is ready;
  on its own this proves little, since it is also true when no face of the family exists);
- a measured width equals the width computed from the embedded font's own advance widths
  (fontTools, hmtx) to a fraction of a pixel at 100px: the browser shaped that string with this
  font, whatever fonts the machine has. The string mixes the page's ideographs with a Latin name
  whose proportional advances no other font shares;
- each Chinese character drawn on a canvas in the family gives a different bitmap: real glyphs.
  Tofu boxes are identical for every character, which is what the same characters in a family
  that does not exist give on a machine without a Chinese font (asserted only there).
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont

from tradecredit.reports.html import render_html
from tradecredit.reports.schemas import CreditReport
from tradecredit.web.fonts import FAMILY, page_text
from web.test_report_in_browser import _chromium, _run

MISSING_FAMILY = "tradecredit-no-such-font"
LATIN_SAMPLE = " Acme Metallwaren GmbH"
PROBE = """
<pre id="probe"></pre>
<script>
(async () => {
  await new Promise((ready) => document.readyState === "complete"
    ? ready() : addEventListener("load", ready));
  await document.fonts.ready;
  const faces = [...document.fonts].map((face) => ({family: face.family, status: face.status}));
  const sample = __SAMPLE__;
  const ideographs = __IDEOGRAPHS__;
  const width = (family) => {
    const span = document.createElement("span");
    span.style.cssText = "position:absolute;white-space:pre;font-kerning:none;"
      + "font-variant-ligatures:none;letter-spacing:0;font-size:100px;font-family:" + family;
    span.textContent = sample;
    document.body.appendChild(span);
    const measured = span.getBoundingClientRect().width;
    span.remove();
    return measured;
  };
  const bitmaps = (family) => {
    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 64;
    const context = canvas.getContext("2d", {willReadFrequently: true});
    context.font = "48px " + family;
    return ideographs.map((char) => {
      context.clearRect(0, 0, 64, 64);
      context.fillText(char, 4, 52);
      return Array.from(context.getImageData(0, 0, 64, 64).data, (v) => v > 127 ? 1 : 0).join("");
    });
  };
  const embedded = '"__FAMILY__"';
  const missing = '"__MISSING__"';
  document.getElementById("probe").textContent = JSON.stringify({
    faces,
    check: document.fonts.check("16px " + embedded, "信用"),
    width: width(embedded),
    missing_width: width(missing),
    distinct: new Set(bitmaps(embedded)).size,
    missing_distinct: new Set(bitmaps(missing)).size,
    inked: bitmaps(embedded).every((bits) => bits.includes("1")),
  });
})();
</script>
"""


def _embedded_font(page_html: str) -> TTFont:
    found = re.search(r'url\("data:font/woff;base64,([A-Za-z0-9+/=]+)"\)', page_html)
    assert found is not None
    return TTFont(io.BytesIO(base64.b64decode(found[1])))


def _expected_width(font: TTFont, text: str, size: float) -> float:
    cmap, metrics = font.getBestCmap(), font["hmtx"]
    units = sum(metrics[cmap[ord(char)]][0] for char in text)
    return units / font["head"].unitsPerEm * size


def _probe(
    browser: str, page_html: str, sample: str, ideographs: list[str], folder: Path
) -> dict[str, Any]:
    script = (
        PROBE.replace("__SAMPLE__", json.dumps(sample))
        .replace("__IDEOGRAPHS__", json.dumps(ideographs))
        .replace("__FAMILY__", FAMILY)
        .replace("__MISSING__", MISSING_FAMILY)
    )
    page = folder / "probed.html"
    page.write_text(page_html.replace("</body>", script + "</body>"), encoding="utf-8")
    dom = _run(
        browser,
        folder / "profile",
        "--virtual-time-budget=10000",
        "--dump-dom",
        page.as_uri(),
    ).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.DOTALL)
    assert found is not None
    assert found[1], "the probe script did not finish"
    result: dict[str, Any] = json.loads(html.unescape(found[1]))
    return result


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_chromium_draws_the_chinese_report_with_the_embedded_font(
    report: CreditReport, tmp_path: Path
) -> None:
    browser = _chromium()
    page = render_html(report, "zh")
    ideographs = sorted({char for char in page_text(page) if "\u4e00" <= char <= "\u9fff"})[:12]
    sample = "".join(ideographs) + LATIN_SAMPLE
    font = _embedded_font(page)

    probe = _probe(browser, page, sample, ideographs, tmp_path)

    assert probe["faces"] == [{"family": FAMILY, "status": "loaded"}]
    assert probe["check"] is True
    assert probe["width"] == pytest.approx(_expected_width(font, sample, 100), abs=0.5)
    assert probe["inked"] is True
    assert probe["distinct"] == len(ideographs)
    if probe["missing_distinct"] == 1:
        assert probe["missing_width"] != pytest.approx(probe["width"], abs=0.5)
