"""The HTML report in a real headless Chromium: it renders, and what a reader sees is right."""

from __future__ import annotations

import shutil
import subprocess
import warnings
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tradecredit.demo.job import run_demo
from tradecredit.web.render import money

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "!! Chromium NOT FOUND: browser tests SKIPPED (apt-get install chromium) !!"
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    return found


def _run(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_the_demo_report_renders_in_chromium(engine: Engine, tmp_path: Path) -> None:
    browser = _chromium()
    outcome = run_demo(engine, seed=2024, buyers=80, out_dir=tmp_path)
    url = outcome.report.as_uri()

    dom = _run(browser, tmp_path / "profile-dom", "--dump-dom", url).stdout
    assert "Receivables report" in dom
    assert money(outcome.ageing.totals.total) in dom
    assert dom.count("<svg") == 2
    assert dom.count("<rect") == 6 + 10
    assert "Riskiest buyers" in dom

    picture = tmp_path / "report.png"
    _run(
        browser, tmp_path / "profile-png", "--window-size=1200,1600", f"--screenshot={picture}", url
    )
    header = picture.read_bytes()[:8]
    assert header == b"\x89PNG\r\n\x1a\n"
    assert picture.stat().st_size > 20_000
