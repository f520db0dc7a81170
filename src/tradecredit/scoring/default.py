"""The default PD model that ships with the package, and the Polish training table it came from.

The model in `default_model/` was trained by `scripts/train_default_model.py` on the UCI "Polish
companies bankruptcy" data (`5year.arff`: ratios of a firm's last year, label = bankrupt within the
following year, the 12-month horizon a trade-credit PD needs). Only the Attr columns the standard
statement lines compute are kept (`DEFAULT_ATTRS`, from `polish_attributes.ATTR_CORRESPONDENCES`),
renamed to the library ratio names, so the model reads exactly what `compute_ratios` produces and
the ratios' economic directions become monotone constraints.

Left out on purpose: Attr29 (log of total assets) because the dataset's unit (thousands of PLN) is
not the statement's (minor units of any currency), so the same firm would get another size; and
Attr22 and Attr36, approximate duplicates of Attr7 (EBIT / total assets) and Attr9 (sales / total
assets), which already supply those two ratios exactly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.datasets import LabelledTable, labelled_table, read_table
from tradecredit.scoring.polish_attributes import ATTR_CORRESPONDENCES

if TYPE_CHECKING:
    from tradecredit.scoring.model import ScoringModel

DEFAULT_MODEL_PACKAGE_DIR = "default_model"
TRAINING_FILE = "5year.arff"
LABEL = "class"
NEUTRAL_VALUES = "neutral_values"
EXCLUDED_ATTRS: dict[str, str] = {
    "Attr29": "log of total assets in thousands of PLN; statements are in minor units of any "
    "currency, so the size would not be comparable",
    "Attr22": "approximate duplicate of Attr7 (EBIT / total assets), which is exact",
    "Attr36": "approximate duplicate of Attr9 (sales / total assets), which is exact",
}
DEFAULT_ATTRS: dict[str, str] = {
    item.attr: item.ratio for item in ATTR_CORRESPONDENCES if item.attr not in EXCLUDED_ATTRS
}
"""Attr column of the Polish data -> library ratio name, for the columns the model is trained on."""

DATA_LICENCE = "CC BY 4.0"
DATA_CREDIT = (
    "Tomczak, S. (2016). Polish companies bankruptcy data. UCI Machine Learning Repository. "
    "doi:10.24432/C5F600; Zieba, Tomczak & Tomczak (2016), Expert Systems with Applications "
    "58:93-101"
)
HORIZON_NOTE = (
    "1year.arff holds ratios of the first year of the forecast period with the status after five "
    "years; 5year.arff holds ratios of the fifth year with the status after one year. The default "
    "model estimates a 12-month PD, so it is trained on 5year.arff only: 1year's label looks five "
    "years ahead and would mix a longer horizon into the probabilities."
)


def polish_training_table(path: Path) -> LabelledTable:
    """The restricted training table: the `DEFAULT_ATTRS` columns renamed to ratio names."""
    if not path.is_file():
        raise InvalidInput(
            f"{path}: no such file; the default model is trained on the UCI Polish bankruptcy "
            "data (../shared/data/polish_bankruptcy/)"
        )
    frame = read_table(path)
    absent = [attr for attr in (*DEFAULT_ATTRS, LABEL) if attr not in frame.columns]
    if absent:
        raise InvalidInput(f"{path.name}: lacks the columns {absent}; not the Polish data file")
    restricted = frame.select(
        *[pl.col(attr).alias(ratio) for attr, ratio in DEFAULT_ATTRS.items()], pl.col(LABEL)
    )
    return labelled_table(restricted, label=LABEL, source=path.name)


def default_model_dir() -> Path:
    """Where the shipped artifact lives inside the installed package."""
    return Path(str(resources.files("tradecredit.scoring").joinpath(DEFAULT_MODEL_PACKAGE_DIR)))


@cache
def default_model() -> ScoringModel:
    """The shipped model, loaded once per process (its files are checked against the card).
    LightGBM is imported here, not at module import, so reading the constants stays light."""
    from tradecredit.scoring.artifact import load_model

    return load_model(default_model_dir())


@cache
def default_card() -> dict[str, Any]:
    from tradecredit.scoring.artifact import read_card

    return read_card(default_model_dir())


def default_model_version() -> str:
    """ "polish-lgbm-<8 hex of the boosters' SHA-256s>-<8 hex of the training data's SHA-256>": a
    model retrained on other data, or another model on the same data, gets another version, so
    its scores are stored apart from the old ones."""
    card = default_card()
    digest = str(card["training_data"]["data"]["sha256"])
    return f"polish-lgbm-{boosters_digest(card)[:8]}-{digest[:8]}"


def boosters_digest(card: dict[str, Any]) -> str:
    """SHA-256 over the boosters' own SHA-256s, in the card's order."""
    joined = "".join(str(entry["sha256"]) for entry in card["boosters"])
    return hashlib.sha256(joined.encode("ascii")).hexdigest()


TARGET_BASE_RATE = Decimal("0.015")
"""Default portfolio base rate for the prior correction: 1.5% a year, about the long-run average
annual default rate of all rated corporates in S&P Global Ratings' 2023 Annual Global Corporate
Default And Rating Transition Study (1981-2023; 0.15% in the best year, over 4% in 2009) and the
points formula's prior PD (the middle of grade 5)."""


def training_base_rate() -> Decimal:
    """The share of defaults in the default model's training table, read from its card."""
    rate = default_card()["training_data"]["data"]["positive_rate"]
    return Decimal(repr(float(rate)))


def _logit(p: Decimal) -> Decimal:
    return (p / (1 - p)).ln()


def prior_shift(target: Decimal | None) -> Decimal:
    """logit(target) - logit(training base rate): the log-odds that move a PD calibrated to the
    training table's base rate to a portfolio with base rate `target` (Elkan 2001; Saerens,
    Latinne & Decaestecker 2002). 0 when `target` is None (no correction)."""
    if target is None:
        return Decimal(0)
    if not Decimal(0) < target < Decimal(1):
        raise InvalidInput(f"a base rate must lie strictly between 0 and 1, got {target}")
    with localcontext() as context:
        context.prec = 28
        return _logit(target) - _logit(training_base_rate())


def base_rate_version(target: Decimal | None) -> str:
    """The model version part naming the correction ("" without one): `+base-0.015`."""
    return "" if target is None else f"+base-{target.normalize():f}"


def default_features() -> list[str]:
    return list(default_model().feature_names_)


def neutral_values() -> dict[str, float]:
    """Each feature's median over the training rows: what a missing ratio is scored as."""
    return {name: float(value) for name, value in default_card()[NEUTRAL_VALUES].items()}


def model_frame(ratios: pl.DataFrame) -> pl.DataFrame:
    """The model's feature columns from a `compute_ratios` frame, as Float64, a missing ratio
    replaced by its training median.

    Why not LightGBM's own missing-value branches: in the Polish data a missing ratio is a
    signal of that data set (a missing Attr27, no financial expenses, comes with a 31% bankruptcy
    rate against 7% overall), while here a ratio is missing because a line was not reported or its
    denominator is zero (a firm without debt has no interest cover). As in the points formula, a
    missing value sits at a neutral value and adds (almost) nothing.
    """
    names = default_features()
    absent = [name for name in names if name not in ratios.columns]
    if absent:
        raise InvalidInput(
            f"the ratio frame lacks {absent}; build it with compute_ratios from statement lines"
        )
    neutral = neutral_values()
    return ratios.select(
        pl.col(name).cast(pl.Float64).fill_nan(None).fill_null(neutral[name]) for name in names
    )


def model_matrix(columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """The model's features as a column-major Float64 matrix from columns where NaN is missing
    (each column one contiguous copy; the table scorer reads column by column). NaN stays: pass
    the matrix to `matrix_pds`, which reads a missing ratio as its training median."""
    names = default_features()
    rows = len(columns[names[0]]) if names else 0
    matrix = np.empty((rows, len(names)), dtype=np.float64, order="F")
    for index, name in enumerate(names):
        matrix[:, index] = columns[name]
    return matrix


def has_any_value(columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """Per row: does it hold at least one of the model's ratios (else it has no model PD)?
    Over columns where NaN is missing."""
    missing = [np.isnan(columns[name]) for name in default_features()]
    return ~np.logical_and.reduce(missing) if missing else np.zeros(0, dtype=bool)


def default_pd(ratios: pl.DataFrame) -> pl.Series:
    """The default model's PD for each row of a `compute_ratios` frame, as a Float64 column "pd"."""
    if ratios.height == 0:
        return pl.Series("pd", [], dtype=pl.Float64)
    values = default_model().predict_pd(model_frame(ratios))
    return pl.Series("pd", np.asarray(values, dtype=np.float64))


def model_pds(features: pl.DataFrame) -> np.ndarray:
    """The calibrated PD of each row of a `model_frame`, through the model's verified lookup
    tables (accelerate.py), else LightGBM; the two agree to float rounding."""
    return matrix_pds(features.to_numpy().astype(np.float64, copy=False))


def matrix_pds(matrix: np.ndarray) -> np.ndarray:
    """`model_pds` of a features matrix in the model's column order, a NaN read as the
    feature's training median (as `model_frame` fills it)."""
    from tradecredit.scoring.accelerate import tables_raw_score

    model = default_model()
    neutral = neutral_vector()
    raw = tables_raw_score(matrix, missing=neutral)
    if raw is None:
        filled = np.where(np.isnan(matrix), neutral, matrix)
        return np.asarray(model.predict_pd(filled), dtype=np.float64)
    return np.asarray(model.calibration_.apply(raw), dtype=np.float64)


@cache
def neutral_vector() -> np.ndarray:
    """`neutral_values` in the model's feature order."""
    neutral = neutral_values()
    vector = np.array([neutral[name] for name in default_features()], dtype=np.float64)
    vector.flags.writeable = False
    return vector


def top_drivers(features: pl.DataFrame, *, top_k: int = 3) -> list[list[str]]:
    """Per row, up to `top_k` features with a positive TreeSHAP contribution, strongest first
    (ties in feature order), as `ScoringModel.reason_codes` ranks them."""
    if features.height == 0:
        return []
    model = default_model()
    contributions = model.contributions(features.to_numpy())[:, :-1]
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :top_k]
    chosen = np.take_along_axis(contributions, order, axis=1)
    names = model.feature_names_
    return [
        [names[index] for index, value in zip(row, values, strict=True) if value > 0]
        for row, values in zip(order.tolist(), chosen.tolist(), strict=True)
    ]


@dataclass(frozen=True)
class FinancialAssessment:
    """The default model's view of one buyer: its PD (None without any ratio) and the features
    pushing it up most, as (ratio name, log-odds contribution), strongest first."""

    pd: float | None
    drivers: tuple[tuple[str, float], ...]


def assess_ratios(ratios: pl.DataFrame, *, top_k: int = 3) -> list[FinancialAssessment]:
    """PD and drivers per row of a ratio frame. A row with none of the model's ratios (no
    statement) gets pd None: the model never scored such a row in training, so its PD is not
    read from the trees' missing-value branches."""
    if ratios.height == 0:
        return []
    names = default_features()
    known = ratios.select(pl.any_horizontal(pl.col(names).fill_nan(None).is_not_null()))
    features = model_frame(ratios)
    model = default_model()
    pds = model.predict_pd(features)
    codes = model.reason_codes(features, top_k=top_k)
    return [
        FinancialAssessment(
            pd=float(pd_) if has_ratio else None,
            drivers=tuple((code.feature, code.contribution) for code in row_codes)
            if has_ratio
            else (),
        )
        for pd_, row_codes, has_ratio in zip(pds, codes, known.to_series().to_list(), strict=True)
    ]


def as_float(value: Decimal | None) -> float | None:
    """A feature value (a ratio, never an amount) as the model's float; `points.as_decimal`
    gives back the same Decimal for values read from a float."""
    return None if value is None else float(value)


def assess_values(rows: Sequence[Mapping[str, Decimal | None]]) -> list[FinancialAssessment]:
    """`assess_ratios` for buyers' ratio values (name -> Decimal or None), in one LightGBM call.
    The ratios are model features, not amounts, so they go to LightGBM as floats."""
    names = default_features()
    frame = pl.DataFrame(
        {name: [as_float(row.get(name)) for row in rows] for name in names},
        schema=dict.fromkeys(names, pl.Float64),
    )
    return assess_ratios(frame)
