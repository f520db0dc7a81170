from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from tradecredit.analytics.schemas import BUCKET_LABELS, BUCKETS
from tradecredit.cli.common import console, err_console, migrated_engine
from tradecredit.demo.job import (
    COUNTRY_RISK_ENV,
    DemoOutcome,
    country_reason_text,
    raised_by_country,
    run_demo,
)
from tradecredit.demo.report import riskiest
from tradecredit.kit.errors import TradecreditError
from tradecredit.web.render import days, money, pct


def demo_command(
    seed: int = typer.Option(42, "--seed", help="the same seed always builds the same portfolio"),
    buyers: int = typer.Option(2000, "--buyers", min=30, help="number of buyers"),
    as_of: str | None = typer.Option(None, "--as-of", help="YYYY-MM-DD (default: 2026-09-30)"),
    out: Path = typer.Option(Path("out"), "--out", help="folder for the HTML report"),
    country_risk: Path | None = typer.Option(
        None,
        "--country-risk",
        envvar=COUNTRY_RISK_ENV,
        dir_okay=False,
        help="OECD country risk CSV to import before scoring (default: "
        "../shared/data/oecd_country_risk/oecd_crc_2026.csv beside the project); "
        "absent: a neutral country term",
    ),
) -> None:
    """Build the demo portfolio (once) and run everything the product does for an as-of date."""
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        err_console.print(f"[bold red]error[/]: --as-of {as_of!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(code=2) from None
    try:
        outcome = _run_with_progress(
            seed=seed, buyers=buyers, as_of=day, out=out, country_risk=country_risk
        )
    except TradecreditError as error:
        err_console.print(f"[bold red]error[/] ({error.code}): {error.message}")
        raise typer.Exit(code=2) from None
    _print_summary(outcome)


def _run_with_progress(
    *, seed: int, buyers: int, as_of: date | None, out: Path, country_risk: Path | None
) -> DemoOutcome:
    engine = migrated_engine()
    columns = (
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(f"loading {step}", total=max(total, 1))
            bar.update(tasks[step], completed=done if total else 1)

        return run_demo(
            engine,
            seed=seed,
            buyers=buyers,
            as_of=as_of,
            out_dir=out,
            progress=progress,
            country_risk=country_risk,
        )


def _print_riskiest(outcome: DemoOutcome, limit: int = 5) -> None:
    table = Table(title="Riskiest buyers")
    for column in ("buyer", "grade", "PD", "first reason"):
        table.add_column(column)
    for buyer in riskiest(outcome.scores, outcome.by_buyer, limit=limit):
        table.add_row(
            buyer.label,
            str(buyer.grade),
            buyer.pd_percent,
            buyer.reasons[0] if buyer.reasons else "",
        )
    console.print(table)


def _print_country_risk(outcome: DemoOutcome, limit: int = 5) -> None:
    console.print(outcome.country_risk.describe())
    raised = raised_by_country(outcome.scores)
    if not raised:
        return
    table = Table(title=f"Country risk raises the PD of {len(raised):,} buyers (riskiest shown)")
    for column in ("buyer", "grade", "PD", "country reason"):
        table.add_column(column)
    for score in raised[:limit]:
        table.add_row(
            score.name, str(score.grade), f"{score.pd * 100:.2f}%", country_reason_text(score)
        )
    console.print(table)


def _print_summary(outcome: DemoOutcome) -> None:
    totals = outcome.ageing.totals
    if outcome.loaded is None:
        console.print(f"demo portfolio '{outcome.org_slug}' already loaded; reusing it")
    table = Table(title=f"Receivables as of {outcome.as_of} ({outcome.ageing.currency})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    counts = outcome.counts
    table.add_row(
        "buyers / countries / sectors",
        f"{counts['buyers']:,} / {counts['countries']} / {counts['sectors']}",
    )
    table.add_row("invoices / payments", f"{counts['invoices']:,} / {counts['payments']:,}")
    table.add_row("open balance", money(totals.total))
    for bucket in BUCKETS:
        table.add_row(f"  {BUCKET_LABELS[bucket]}", money(getattr(totals, bucket)))
    table.add_row("share over 120 days", pct(totals.share_over_120))
    table.add_row("DSO countback", days(outcome.ageing.dso.countback_days))
    standard = f"DSO standard ({outcome.ageing.dso.standard_period_days} d)"
    table.add_row(standard, days(outcome.ageing.dso.standard_days))
    fx = outcome.ageing.fx_rates
    table.add_row("FX rate date", str(max(r.rate_date for r in fx)) if fx else "no conversion")
    high_risk = sum(1 for score in outcome.scores if score.grade >= 8)
    table.add_row("buyers scored / new scores", f"{len(outcome.scores):,} / {outcome.new_scores:,}")
    table.add_row("grade 8-10 buyers", f"{high_risk:,}")
    console.print(table)
    _print_riskiest(outcome)
    _print_country_risk(outcome)
    timing = ", ".join(f"{step} {seconds:.1f}s" for step, seconds in outcome.timings.items())
    console.print(f"time: {timing}")
    console.print(f"report: {outcome.report}")
