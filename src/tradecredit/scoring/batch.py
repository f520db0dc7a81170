"""Batch scoring: a frame of buyers' inputs in, their PD, grade and reasons out. Pure: no session.

Every ledger score goes through `score_frame` (a single buyer is a one-row frame), so there is one
implementation. Input columns (`INPUT_SCHEMA`; an absent optional column counts as all null):

- `company_id`, `status` (required), `section` (NACE section, for the sector medians);
- the factor values `points.FACTOR_NAMES` (Float64; null = missing): the default model's ratios
  and the payment behaviour figures;
- `country`, `country_level` (1-8), `sector`, `sector_level` (1-5): null level = not available;
- `founded` (Date; null = unknown): the company's age term of the blend;
- the overlay facts `overlays.FACT_SCHEMA` (`overlays.overlay_facts` builds them from events).

The PD is computed in floats over whole columns: the default model on the whole matrix (through
the compiled boosters when available), the prior correction and the blend in log-odds
(model="default"), or the points formula (model="points"). PDs are kept to 6 decimals, as
stored: a float PD within 1e-12 of a rounding tie (0.5 of the 6th decimal) is recomputed with
the exact Decimal rule (`blend.blend_pd` / `points.points_pd`), so the stored text is the exact
rule's, never a float artefact. Grades are a binary search of the grade table over the PDs as
integer millionths, then the overlays. Reasons (overlays, then what pushes the PD up) are built
only when asked for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
from scipy.special import expit

from tradecredit.audit.canonical import canonical_json
from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.blend import (
    BLEND_VERSION,
    COUNTRY_LEVELS,
    DEFAULT_WEIGHTS,
    SECTOR_LEVELS,
    BlendWeights,
    RiskLevels,
    age_log_odds,
    ages_in_years,
    behaviour_log_odds,
    blend_pd,
    blend_reasons,
    company_age,
    level_log_odds,
)
from tradecredit.scoring.default import (
    TARGET_BASE_RATE,
    base_rate_version,
    default_model_version,
    has_any_value,
    matrix_pds,
    model_frame,
    model_matrix,
    prior_shift,
    top_drivers,
)
from tradecredit.scoring.grades import GRADE_TABLE, GradeTable, grades_for_micro_pds
from tradecredit.scoring.overlays import (
    DEFAULT_OVERLAYS,
    FACT_SCHEMA,
    OverlayFacts,
    OverlayParameters,
    Reason,
    overlay_grades,
    overlay_reasons,
)
from tradecredit.scoring.points import (
    FACTOR_NAMES,
    MODEL_VERSION,
    PD_CAP,
    PD_FLOOR,
    PD_PLACES,
    PRIOR_PD,
    as_decimal,
    factor_contributions,
    points_log_odds,
    points_pd,
    reasons_from_contributions,
)

MODELS = ("default", "points")
PLACES = 6
TIE_TOLERANCE = 1e-6
"""In millionths: a float PD this close to a rounding tie is recomputed exactly. Float errors
here are below 1e-15 in the PD, i.e. 1e-9 millionths, so 1e-6 leaves a wide margin."""

INPUT_SCHEMA: dict[str, pl.DataType] = {
    "company_id": pl.String(),
    "status": pl.String(),
    "section": pl.String(),
    "country": pl.String(),
    "country_level": pl.Int8(),
    "sector": pl.String(),
    "sector_level": pl.Int8(),
    "founded": pl.Date(),
    **{name: pl.Float64() for name in FACTOR_NAMES},
    **FACT_SCHEMA,
}
REQUIRED = ("company_id", "status")
REASON_TYPE = pl.List(pl.Struct({"code": pl.String, "text_en": pl.String, "text_zh": pl.String}))

Medians = Mapping[str, Mapping[str, Decimal | None]]
"""NACE section -> factor -> median over the portfolio (None when no buyer has the figure)."""


@dataclass(frozen=True)
class ScoringSettings:
    """Which model and its parameters. `base_rate`: the portfolio base rate the default model's
    PDs are moved to (None: keep the training table's); it is part of the model version."""

    model: str = "default"
    base_rate: Decimal | None = TARGET_BASE_RATE
    weights: BlendWeights = DEFAULT_WEIGHTS
    overlays: OverlayParameters = DEFAULT_OVERLAYS
    grades: GradeTable = GRADE_TABLE
    top_k: int = 3

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise InvalidInput(f"unknown scoring model {self.model!r}; choose one of {MODELS}")


DEFAULT_SETTINGS = ScoringSettings()


def model_version(settings: ScoringSettings = DEFAULT_SETTINGS) -> str:
    """ "points-v1", or the default model's version (its training data), the base-rate
    correction and the blend: "polish-lgbm-<model8>-5dfeda2f+base-0.015+blend-v2"."""
    if settings.model == "points":
        return MODEL_VERSION
    return f"{default_model_version()}{base_rate_version(settings.base_rate)}+{BLEND_VERSION}"


def conform(inputs: pl.DataFrame) -> pl.DataFrame:
    """The inputs with every INPUT_SCHEMA column in its type (absent optional ones null)."""
    absent = [name for name in REQUIRED if name not in inputs.columns]
    if absent:
        raise InvalidInput(f"the scoring frame lacks the required columns {absent}")
    columns: list[pl.Expr | pl.Series] = []
    for name, dtype in INPUT_SCHEMA.items():
        if name not in inputs.columns:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
            continue
        try:
            columns.append(inputs[name].cast(dtype, strict=True))
        except pl.exceptions.PolarsError:
            raise InvalidInput(
                f"scoring frame column {name!r} ({inputs[name].dtype}) cannot be read as {dtype}"
            ) from None
    return inputs.select(columns) if inputs.height else pl.DataFrame(schema=INPUT_SCHEMA)


def section_medians(inputs: pl.DataFrame) -> pl.DataFrame:
    """Median of every factor per NACE section (nulls ignored): `section` + FACTOR_NAMES."""
    frame = conform(inputs).filter(pl.col("section").is_not_null())
    return frame.group_by("section").agg(pl.col(name).median() for name in FACTOR_NAMES)


def medians_by_section(medians: pl.DataFrame) -> dict[str, dict[str, Decimal | None]]:
    return {
        row["section"]: {name: as_decimal(row[name]) for name in FACTOR_NAMES}
        for row in medians.iter_rows(named=True)
    }


def _column(frame: pl.DataFrame, name: str) -> np.ndarray:
    return frame[name].cast(pl.Float64).fill_null(float("nan")).to_numpy()


def _row_values(columns: Mapping[str, np.ndarray], row: int) -> dict[str, Decimal | None]:
    return {name: as_decimal(float(columns[name][row])) for name in FACTOR_NAMES}


@dataclass
class _Computed:
    log_odds: np.ndarray
    exact: Callable[[int], Decimal]
    drivers: list[list[str]] = field(default_factory=list)


def _default_model(
    frame: pl.DataFrame,
    columns: Mapping[str, np.ndarray],
    s: ScoringSettings,
    *,
    as_of: date,
    reasons: bool,
) -> _Computed:
    known = has_any_value(columns)
    model_pd = matrix_pds(model_matrix(columns)) if frame.height else np.empty(0)
    floor, cap, prior = float(PD_FLOOR), float(PD_CAP), float(PRIOR_PD)
    financial = np.where(known, np.clip(model_pd, floor, cap), prior)
    shift = prior_shift(s.base_rate)
    country = _column(frame, "country_level")
    sector = _column(frame, "sector_level")
    ages = ages_in_years(frame["founded"], as_of)
    w = s.weights
    log_odds = (
        np.log(financial / (1 - financial))
        + np.where(known, float(shift), 0.0)
        + behaviour_log_odds(columns, w)
        + level_log_odds(country, COUNTRY_LEVELS, reference=w.country_reference, weight=w.country)
        + level_log_odds(sector, SECTOR_LEVELS, reference=w.sector_reference, weight=w.sector)
        + age_log_odds(ages, w)
    )

    def exact(row: int) -> Decimal:
        value = as_decimal(float(model_pd[row])) if known[row] else None
        fin = PRIOR_PD if value is None else min(max(value, PD_FLOOR), PD_CAP)
        return blend_pd(
            fin,
            _row_values(columns, row),
            country_level=None if np.isnan(country[row]) else int(country[row]),
            sector_level=None if np.isnan(sector[row]) else int(sector[row]),
            age_years=None if np.isnan(ages[row]) else int(ages[row]),
            weights=w,
            prior_shift=shift if known[row] else Decimal(0),
        ).pd

    drivers: list[list[str]] = []
    if reasons:
        features = model_frame(frame).filter(pl.Series(known))
        found = iter(top_drivers(features, top_k=s.top_k))
        drivers = [next(found) if has else [] for has in known.tolist()]
    return _Computed(log_odds, exact, drivers)


def _points_model(columns: Mapping[str, np.ndarray]) -> _Computed:
    def exact(row: int) -> Decimal:
        return points_pd(_row_values(columns, row)).pd

    return _Computed(points_log_odds(columns), exact)


def micro_pds(log_odds: np.ndarray, exact: Callable[[int], Decimal]) -> np.ndarray:
    """PDs in integer millionths: 1 / (1 + e^-x) within [PD_FLOOR, PD_CAP], rounded half to
    even; rows within TIE_TOLERANCE of a tie take the exact Decimal rule `exact(row)`."""
    pd_ = np.clip(expit(log_odds), float(PD_FLOOR), float(PD_CAP))
    scaled = pd_ * 10**PLACES
    micro = np.rint(scaled).astype(np.int64)
    near_tie = np.abs(scaled - np.floor(scaled) - 0.5) < TIE_TOLERANCE
    for row in np.flatnonzero(near_tie).tolist():
        micro[row] = int(exact(row).quantize(PD_PLACES).scaleb(PLACES))
    return micro


def pd_text(micro: pl.Expr) -> pl.Expr:
    """ "0.dddddd" from a PD in millionths below one (PD_CAP < 1): the digits of 10^6 + micro
    without the leading 1, three times faster than zero-padding."""
    return pl.concat_str(pl.lit("0."), (micro + 10**PLACES).cast(pl.String).str.slice(1))


def score_frame(
    inputs: pl.DataFrame,
    *,
    as_of: date,
    settings: ScoringSettings = DEFAULT_SETTINGS,
    medians: Medians | None = None,
    reasons: bool = True,
) -> pl.DataFrame:
    """One row per input row: `company_id`, `model_version`, `pd` (decimal text, 6 places),
    `pd_micro` (the PD in millionths), `grade` (1-10 after the overlays) and, with `reasons`,
    `reasons` (list of code, text_en, text_zh). `medians` (by section) are quoted in reasons;
    by default those of the input frame itself."""
    frame = conform(inputs)
    columns = {name: _column(frame, name) for name in FACTOR_NAMES}
    if settings.model == "default":
        computed = _default_model(frame, columns, settings, as_of=as_of, reasons=reasons)
    else:
        computed = _points_model(columns)
    micro = micro_pds(computed.log_odds, computed.exact)
    scored = frame.with_columns(
        pl.lit(model_version(settings)).alias("model_version"),
        pl.Series("pd_micro", micro, dtype=pl.Int64),
        pl.Series("grade", grades_for_micro_pds(micro, table=settings.grades), dtype=pl.Int8),
    ).with_columns(
        pd_text(pl.col("pd_micro")).alias("pd"),
        overlay_grades(
            pl.col("grade"), status=pl.col("status"), as_of=as_of, parameters=settings.overlays
        ).alias("grade"),
    )
    out = scored.select("company_id", "model_version", "pd", "pd_micro", "grade")
    if not reasons:
        return out
    by_section = medians if medians is not None else medians_by_section(section_medians(frame))
    rows = _reasons(frame, columns, computed.drivers, by_section, as_of=as_of, settings=settings)
    return out.with_columns(pl.Series("reasons", rows, dtype=REASON_TYPE))


def _reasons(
    frame: pl.DataFrame,
    columns: Mapping[str, np.ndarray],
    drivers: Sequence[Sequence[str]],
    medians: Medians,
    *,
    as_of: date,
    settings: ScoringSettings,
) -> list[list[dict[str, str]]]:
    """Per row: the overlays' reasons, then what pushes the PD up (exact Decimal ordering)."""
    names = ("status", "section", "country", "country_level", "sector", "sector_level", "founded")
    info = frame.select(*names, *FACT_SCHEMA).rows(named=True)
    rows = []
    for row, item in enumerate(info):
        facts = OverlayFacts(**{name: item[name] for name in FACT_SCHEMA})
        found = list(
            overlay_reasons(facts, status=item["status"], as_of=as_of, parameters=settings.overlays)
        )
        values = _row_values(columns, row)
        section = medians.get(item["section"] or "", {})
        if settings.model == "points":
            contributions = factor_contributions(values)
            found += reasons_from_contributions(
                contributions, values, section, top_k=settings.top_k
            )
        else:
            risk = RiskLevels(
                item["country"], item["country_level"], item["sector"], item["sector_level"]
            )
            age = company_age(item["founded"], as_of)
            found += blend_reasons(drivers[row], values, section, risk, settings.weights, age)
        rows.append([_reason_dict(reason) for reason in found])
    return rows


def _reason_dict(reason: Reason) -> dict[str, str]:
    return {"code": reason.code, "text_en": reason.text_en, "text_zh": reason.text_zh}


def inputs_hashes(
    inputs: pl.DataFrame,
    *,
    as_of: date,
    version: str,
    medians: Medians,
    events: Mapping[str, Sequence[tuple[str, date, int]]],
    values: Sequence[Mapping[str, Decimal | None]] | None = None,
) -> list[str]:
    """Per row, the SHA-256 (canonical JSON) of everything its stored score is computed from:
    model version, risk levels, date, company, status, founding date (only when known, so a
    frame without one, e.g. for the points formula, hashes as before it counted), factor values
    (`values` when given as Decimals, e.g. posted figures, else the frame's floats), its events up
    to `as_of` (`events` by company id) and its section's medians. Unchanged inputs, same hash."""
    frame = conform(inputs)
    columns = {name: _column(frame, name) for name in FACTOR_NAMES}
    if values is not None and len(values) != frame.height:
        raise InvalidInput(f"{len(values)} value rows for a frame of {frame.height}")
    hashes = []
    keys = ("company_id", "status", "section", "country", "country_level", "sector")
    for row, item in enumerate(frame.select(*keys, "sector_level", "founded").rows(named=True)):
        payload: dict[str, Any] = {
            "model_version": version,
            "risk": [item["country"], item["country_level"], item["sector"], item["sector_level"]],
            "as_of": as_of,
            "company_id": item["company_id"],
            "status": item["status"],
            "values": (
                {name: values[row].get(name) for name in FACTOR_NAMES}
                if values is not None
                else _row_values(columns, row)
            ),
            "events": sorted(
                [kind, day.isoformat(), severity]
                for kind, day, severity in events.get(item["company_id"], ())
                if day <= as_of
            ),
            "sector_medians": dict(medians.get(item["section"] or "", {})),
        }
        if item["founded"] is not None:
            payload["founded"] = item["founded"]
        hashes.append(hashlib.sha256(canonical_json(payload).encode()).hexdigest())
    return hashes
