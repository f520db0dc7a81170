from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from tradecredit.analytics.schemas import BUCKETS
from tradecredit.cli.main import app
from tradecredit.db.engine import make_engine
from tradecredit.db.migrate import upgrade
from tradecredit.demo.job import (
    COUNTRY_RISK_ENV,
    COUNTRY_RISK_FILE,
    country_reason_text,
    default_country_risk_file,
    raised_by_country,
    run_demo,
)
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


def test_the_demo_imports_country_risk_and_shows_where_it_raises_the_pd(
    tmp_path: Path, shared_data: Path
) -> None:
    """On a database of its own: the OECD classes it imports are platform data, which would
    otherwise move the country term of every later test's buyers on the shared engine."""
    oecd = shared_data / COUNTRY_RISK_FILE
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh)
    outcome = run_demo(fresh, seed=1001, buyers=60, out_dir=tmp_path, country_risk=oecd)
    fresh.dispose()
    assert outcome.country_risk.imported is not None
    assert outcome.country_risk.imported.countries > 100
    codes = [{r.code for r in s.reasons} for s in outcome.scores]
    assert not any("country_risk_unavailable" in c for c in codes)
    raised = raised_by_country(outcome.scores)
    assert raised, "the demo portfolio has buyers in riskier countries"
    text = country_reason_text(raised[0])
    assert re.fullmatch(r"country risk: [A-Z]{2} is at level [5-8] of 8", text)
    html = outcome.report.read_text(encoding="utf-8")
    assert "Buyers whose country raises the PD" in html
    assert text in html


def test_without_the_file_the_demo_says_so_and_scores_country_neutral(tmp_path: Path) -> None:
    """On a database of its own: country risk is platform data, which other tests import."""
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh)
    absent = tmp_path / "no-such" / "oecd.csv"
    outcome = run_demo(fresh, seed=1001, buyers=60, out_dir=tmp_path, country_risk=absent)
    fresh.dispose()
    assert outcome.country_risk.imported is None
    assert "no OECD file at" in outcome.country_risk.describe()
    assert all(s.reasons[-1].code == "country_risk_unavailable" for s in outcome.scores)
    assert raised_by_country(outcome.scores) == []


def test_the_country_risk_file_defaults_beside_the_project_or_to_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(COUNTRY_RISK_ENV, raising=False)
    default = default_country_risk_file()
    assert default.parts[-4:] == ("shared", "data", "oecd_country_risk", "oecd_crc_2026.csv")
    project = Path(__file__).resolve().parents[2]
    assert default == project.parent / "shared" / "data" / COUNTRY_RISK_FILE
    monkeypatch.setenv(COUNTRY_RISK_ENV, str(tmp_path / "x.csv"))
    assert default_country_risk_file() == tmp_path / "x.csv"


def test_demo_command_reports_missing_country_risk(cli_database: str, tmp_path: Path) -> None:
    missing = tmp_path / "absent.csv"
    result = CliRunner().invoke(
        app,
        [
            "demo",
            "--buyers",
            "40",
            "--seed",
            "7",
            "--out",
            str(tmp_path),
            "--country-risk",
            str(missing),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "no OECD file at" in result.output
