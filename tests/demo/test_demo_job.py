from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from tradecredit.analytics.schemas import BUCKETS
from tradecredit.cli.main import app
from tradecredit.demo.job import run_demo
from tradecredit.web.render import money


def test_the_demo_job_loads_once_ages_and_writes_a_report(engine: Engine, tmp_path: Path) -> None:
    first = run_demo(engine, seed=1001, buyers=60, out_dir=tmp_path)
    assert first.loaded is not None
    assert first.counts["buyers"] == 60
    totals = first.ageing.totals
    assert sum(getattr(totals, b) for b in BUCKETS) == totals.total > 0
    for breakdown in (first.by_country, first.by_currency, first.by_sector, first.by_buyer):
        assert breakdown.totals.total == totals.total
        assert sum(row.total for row in breakdown.rows) == totals.total

    html = first.report.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert money(totals.total) in html
    assert "Ageing by country" in html
    assert "<svg" in html
    assert len(first.scores) == 60
    assert first.new_scores == 60
    assert "Riskiest buyers" in html
    assert all(1 <= s.grade <= 10 for s in first.scores)

    again = run_demo(engine, seed=1001, buyers=60, out_dir=tmp_path)
    assert again.loaded is None
    assert again.ageing == first.ageing
    assert again.new_scores == 0


def test_demo_command_prints_a_summary_and_the_report_path(
    cli_database: str, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    result = CliRunner().invoke(app, ["demo", "--buyers", "40", "--seed", "7", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "open balance" in result.output
    assert "DSO countback" in result.output
    reported = re.search(r"report: (\S+\.html)", result.output)
    assert reported is not None
    assert Path(reported.group(1)).is_file()


def test_demo_command_rejects_a_bad_date(cli_database: str) -> None:
    result = CliRunner().invoke(app, ["demo", "--as-of", "30/09/2026"])
    assert result.exit_code == 2
    assert "not a date" in result.output
