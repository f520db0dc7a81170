"""`tradecredit report company ID --format html|pdf --lang zh|en [--as-of DATE] [--out PATH]`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path

import typer

from tradecredit.cli.common import OrgOption, cli_session, console
from tradecredit.kit.clock import get_clock
from tradecredit.reports.html import render_html
from tradecredit.reports.labels import check_lang
from tradecredit.reports.service import build_credit_report, resolve_company

report_app = typer.Typer(no_args_is_help=True)


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


class ReportLang(StrEnum):
    EN = "en"
    ZH = "zh"


@report_app.command("company")
def company_report(
    company: str = typer.Argument(
        ..., help="the company's id (UUID) or REGISTRATION_NUMBER:COUNTRY, e.g. HRB1:DE"
    ),
    format: ReportFormat = typer.Option(ReportFormat.HTML, "--format", help="html or pdf"),
    lang: ReportLang = typer.Option(ReportLang.EN, "--lang", help="en (English) or zh (Chinese)"),
    as_of: datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"], help="report date, YYYY-MM-DD (default today)"
    ),
    out: Path | None = typer.Option(
        None, "--out", help="file to write (default credit-report-REGNO-COUNTRY-DATE-LANG.EXT)"
    ),
    org: str | None = OrgOption,
) -> None:
    """Write the credit report of one company: identity, financials and ratios, payment
    behaviour, events, country and sector risk, peers, grade, PD and reasons."""
    day = as_of.date() if as_of else get_clock().today()
    with cli_session(org) as (session, actor):
        found = resolve_company(session, actor=actor, reference=company)
        report = build_credit_report(session, actor=actor, company_id=found.id, as_of=day)
    target = out or Path(
        f"credit-report-{report.identity.registration_number}-{report.identity.country}-"
        f"{day.isoformat()}-{lang.value}.{format.value}"
    )
    if format is ReportFormat.PDF:
        from tradecredit.reports.pdf import render_pdf  # fpdf2 and fontTools: 0.2 s to import

        target.write_bytes(render_pdf(report, check_lang(lang.value)))
    else:
        target.write_text(render_html(report, check_lang(lang.value)), encoding="utf-8")
    console.print(
        f"credit report of {report.identity.name} as of {day.isoformat()} "
        f"({format.value}, {lang.value}) written to {target} ({target.stat().st_size:,} bytes)"
    )
