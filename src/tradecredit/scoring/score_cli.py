"""`tradecredit score --as-of DATE`: score every buyer, store the new scores, show the picture."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tradecredit.cli.common import OrgOption, cli_session, console, err_console
from tradecredit.scoring.grades import GRADE_TABLE, INSOLVENT_GRADE
from tradecredit.scoring.scores import ScoreResult, model_version, score_and_store

PROGRESS_FROM = 1000
"""Buyers above which a progress bar is shown."""


def grade_distribution(results: list[ScoreResult]) -> Table:
    counts = Counter(result.grade for result in results)
    table = Table(title="Grade distribution", title_justify="left")
    for column in ("grade", "PD band", "label", "buyers", "share"):
        table.add_column(column, justify="right" if column in ("buyers", "share") else "left")
    bands = [
        (b.grade, f"{b.lower_exclusive}-{b.upper_inclusive}", b.label) for b in GRADE_TABLE.bands()
    ]
    for grade, band, label in [*bands, (INSOLVENT_GRADE, "insolvency", "insolvent")]:
        share = f"{counts[grade] / len(results):.1%}" if results else "–"
        table.add_row(str(grade), band, label, f"{counts[grade]:,}", share)
    return table


def riskiest(results: list[ScoreResult], top: int = 10) -> Table:
    ranked = sorted(results, key=lambda r: (-r.grade, -r.pd, r.name))[:top]
    table = Table(title=f"The {len(ranked)} riskiest buyers", title_justify="left")
    for column in ("buyer", "grade", "PD", "first reason"):
        table.add_column(column, justify="right" if column in ("grade", "PD") else "left")
    for r in ranked:
        reason = r.reasons[0].text_en if r.reasons else "–"
        table.add_row(r.name, str(r.grade), f"{r.pd * 100:.2f}%", reason)
    return table


@contextmanager
def _progress_bar() -> Iterator[Callable[[int, int], None]]:
    """A bar on stderr, started only once more than PROGRESS_FROM buyers turn out to be scored."""
    columns = (TextColumn("scoring"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    bar = Progress(*columns, console=err_console)
    task = bar.add_task("scoring", total=None, start=False)

    def advance(done: int, total: int) -> None:
        if total <= PROGRESS_FROM or not (done % 100 == 0 or done == total):
            return
        if not bar.live.is_started:
            bar.start()
            bar.start_task(task)
        bar.update(task, completed=done, total=total)

    try:
        yield advance
    finally:
        if bar.live.is_started:
            bar.stop()


class ScoringModelChoice(StrEnum):
    DEFAULT = "default"
    POINTS = "points"


def score_command(
    as_of: datetime = typer.Option(
        ..., "--as-of", formats=["%Y-%m-%d"], help="scoring date, YYYY-MM-DD"
    ),
    model: ScoringModelChoice = typer.Option(
        ScoringModelChoice.DEFAULT,
        "--model",
        help="default: the shipped LightGBM model blended with behaviour, country and sector "
        "risk; points: the transparent points formula",
    ),
    org: str | None = OrgOption,
) -> None:
    """Score every buyer (PD, grade 1-10, reasons) and store the scores whose inputs are new."""
    with cli_session(org) as (session, actor), _progress_bar() as progress:
        results, new = score_and_store(
            session, actor=actor, as_of=as_of.date(), progress=progress, model=model.value
        )
    console.print(
        f"{len(results):,} buyers scored as of {as_of.date().isoformat()} with "
        f"{model_version(model.value)}: {new:,} new scores stored"
    )
    console.print(grade_distribution(results))
    console.print(riskiest(results))
