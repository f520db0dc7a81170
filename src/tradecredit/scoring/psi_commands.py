"""`tradecredit model psi`: population stability of two tables, or of stored grades on two dates.

Two uses:

- two files (`--expected`, `--actual`): the PSI of each numeric column they share (or of each
  feature a model needs, with `--model`), plus the PSI of the model's PD on both tables;
- two scoring dates (`--base-as-of`, `--as-of`): the PSI of the grade distribution of the scores
  stored for the organisation on those dates (grades are the bins), for one model version.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecredit.cli.common import console
from tradecredit.context import Actor
from tradecredit.kit.errors import InvalidInput, NotFound
from tradecredit.organisations.roles import Permission
from tradecredit.scoring.datasets import numeric_features, read_table
from tradecredit.scoring.grades import INSOLVENT_GRADE
from tradecredit.scoring.models import Score
from tradecredit.scoring.psi import (
    DEFAULT_BINS,
    PopulationStability,
    StabilityThresholds,
    population_stability,
    stability_from_counts,
)

PD_COLUMN = "model PD"


@dataclass(frozen=True)
class ColumnStability:
    column: str
    stability: PopulationStability


def _numeric(frame: pl.DataFrame) -> set[str]:
    return {
        name
        for name, dtype in frame.schema.items()
        if dtype.is_numeric() or dtype in (pl.Boolean, pl.Null)
    }


def common_numeric_columns(
    expected: pl.DataFrame, actual: pl.DataFrame, *, names: tuple[str, str]
) -> list[str]:
    """Numeric columns present in both tables, in the expected table's order."""
    shared = _numeric(expected) & _numeric(actual)
    if not shared:
        raise InvalidInput(
            f"{names[0]} and {names[1]} share no numeric column: {names[0]} has "
            f"{expected.columns[:20]}, {names[1]} has {actual.columns[:20]}"
        )
    return [name for name in expected.columns if name in shared]


def _column_stability(
    column: str,
    expected: pl.Series,
    actual: pl.Series,
    *,
    bins: int,
    thresholds: StabilityThresholds,
) -> ColumnStability:
    try:
        stability = population_stability(expected, actual, bins=bins, thresholds=thresholds)
    except InvalidInput as error:
        raise InvalidInput(f"column {column!r}: {error.message}") from None
    return ColumnStability(column, stability)


def file_stability(
    expected_path: Path,
    actual_path: Path,
    *,
    model_dir: Path | None,
    bins: int = DEFAULT_BINS,
    thresholds: StabilityThresholds | None = None,
) -> list[ColumnStability]:
    """PSI per column (the model's features with a model, else every shared numeric column),
    then, with a model, the PSI of its PD; the actual table is compared with the expected one."""
    limits = thresholds or StabilityThresholds()
    expected, actual = read_table(expected_path), read_table(actual_path)
    names = (expected_path.name, actual_path.name)
    if model_dir is None:
        columns = common_numeric_columns(expected, actual, names=names)
        return [
            _column_stability(c, expected[c], actual[c], bins=bins, thresholds=limits)
            for c in columns
        ]
    from tradecredit.scoring.artifact import load_any_model

    model = load_any_model(model_dir)
    expected_features = numeric_features(expected, model.feature_names_, source=names[0])
    actual_features = numeric_features(actual, model.feature_names_, source=names[1])
    results = [
        _column_stability(c, expected_features[c], actual_features[c], bins=bins, thresholds=limits)
        for c in model.feature_names_
    ]
    pds = (model.predict_pd(expected_features), model.predict_pd(actual_features))
    results.append(
        _column_stability(
            PD_COLUMN, pl.Series(pds[0]), pl.Series(pds[1]), bins=bins, thresholds=limits
        )
    )
    return results


def _grade_counts(session: Session, actor: Actor, as_of: date, model_version: str) -> list[int]:
    """Rows per grade 1-10 on `as_of`: each buyer's latest stored score of that model version."""
    latest = (
        select(Score.company_id, func.max(Score.created_at).label("created_at"))
        .where(
            Score.org_id == actor.org_id,
            Score.as_of == as_of,
            Score.model_version == model_version,
        )
        .group_by(Score.company_id)
        .subquery()
    )
    rows = session.execute(
        select(Score.company_id, func.max(Score.grade))
        .join(
            latest,
            (Score.company_id == latest.c.company_id) & (Score.created_at == latest.c.created_at),
        )
        .where(
            Score.org_id == actor.org_id,
            Score.as_of == as_of,
            Score.model_version == model_version,
        )
        .group_by(Score.company_id)
    ).all()
    counts = [0] * INSOLVENT_GRADE
    for _company, grade in rows:
        counts[int(grade) - 1] += 1
    return counts


def _versions_on(session: Session, actor: Actor, as_of: date) -> set[str]:
    return set(
        session.scalars(
            select(Score.model_version)
            .where(Score.org_id == actor.org_id, Score.as_of == as_of)
            .distinct()
        )
    )


def _chosen_version(
    session: Session, actor: Actor, base_as_of: date, as_of: date, model_version: str | None
) -> str:
    on_base, on_current = (
        _versions_on(session, actor, base_as_of),
        _versions_on(session, actor, as_of),
    )
    for day, versions in ((base_as_of, on_base), (as_of, on_current)):
        if not versions:
            raise NotFound(
                f"no stored scores as of {day.isoformat()} for this organisation; run "
                f"`tradecredit score --as-of {day.isoformat()}` first"
            )
        if model_version is not None and model_version not in versions:
            raise NotFound(
                f"no stored scores of model version {model_version!r} as of {day.isoformat()}; "
                f"that date has {sorted(versions)}"
            )
    if model_version is not None:
        return model_version
    shared = sorted(on_base & on_current)
    if len(shared) == 1:
        return shared[0]
    if not shared:
        raise InvalidInput(
            f"the two dates share no model version: {base_as_of.isoformat()} has "
            f"{sorted(on_base)}, {as_of.isoformat()} has {sorted(on_current)}"
        )
    raise InvalidInput(f"both dates hold scores of several model versions {shared}; choose one")


def grade_stability(
    session: Session,
    *,
    actor: Actor,
    base_as_of: date,
    as_of: date,
    model_version: str | None = None,
    thresholds: StabilityThresholds | None = None,
) -> tuple[str, PopulationStability]:
    """The model version compared and the PSI of its grade distribution on `as_of` against
    `base_as_of`, over the organisation's stored scores (each buyer's latest score per date)."""
    actor.require(Permission.READ)
    if base_as_of == as_of:
        raise InvalidInput(f"--base-as-of and --as-of are both {as_of.isoformat()}; pick two dates")
    version = _chosen_version(session, actor, base_as_of, as_of, model_version)
    stability = stability_from_counts(
        [str(grade) for grade in range(1, INSOLVENT_GRADE + 1)],
        _grade_counts(session, actor, base_as_of, version),
        _grade_counts(session, actor, as_of, version),
        thresholds=thresholds or StabilityThresholds(),
    )
    return version, stability


def _json_bins(stability: PopulationStability) -> list[dict[str, Any]]:
    """The per-bin table with infinite edges as "-inf" / "inf" (JSON has no infinity)."""
    rows = stability.bins.to_dicts()
    for row in rows:
        for edge in ("lower", "upper"):
            value = row[edge]
            if value is not None and math.isinf(value):
                row[edge] = "-inf" if value < 0 else "inf"
    return rows


def stability_document(results: list[ColumnStability]) -> dict[str, Any]:
    return {
        "columns": [
            {
                "column": r.column,
                "psi": r.stability.psi,
                "reading": r.stability.reading,
                "expected_rows": r.stability.expected_rows,
                "actual_rows": r.stability.actual_rows,
                "bins": _json_bins(r.stability),
            }
            for r in results
        ]
    }


def grade_document(
    version: str, base_as_of: date, as_of: date, stability: PopulationStability
) -> dict[str, Any]:
    return {
        "model_version": version,
        "base_as_of": base_as_of.isoformat(),
        "as_of": as_of.isoformat(),
        "psi": stability.psi,
        "reading": stability.reading,
        "bins": _json_bins(stability),
    }


def print_columns(results: list[ColumnStability], title: str) -> None:
    table = Table("column", "PSI", "reading", "largest bin term", title=title, title_justify="left")
    for result in sorted(results, key=lambda r: -r.stability.psi):
        bins = result.stability.bins
        worst = bins.row(int(bins["contribution"].arg_max() or 0), named=True)
        table.add_row(
            result.column,
            f"{result.stability.psi:.4f}",
            result.stability.reading,
            f"{worst['bin']}: {worst['contribution']:.4f}",
        )
    console.print(table)


def print_grades(stability: PopulationStability, title: str) -> None:
    table = Table("grade", "base rows", "base share", "rows", "share", "PSI term", title=title)
    for row in stability.bins.iter_rows(named=True):
        table.add_row(
            row["bin"],
            f"{row['expected_rows']:,}",
            f"{row['expected_share']:.1%}",
            f"{row['actual_rows']:,}",
            f"{row['actual_share']:.1%}",
            f"{row['contribution']:.4f}",
        )
    console.print(table)
    console.print(f"PSI {stability.psi:.4f}: {stability.reading}")


def write_document(document: dict[str, Any], out: Path) -> None:
    if out.suffix.lower() != ".json":
        raise InvalidInput(f"{out.name}: the PSI report is written as a .json file")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    console.print(f"wrote {out}")
