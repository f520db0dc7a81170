"""The default model's fast path: its trees collapsed into lookup tables (`pair_tables`).

The shipped default model is pairwise (every root-to-leaf path on one feature or one pair of
features), so its raw score is a sum of 1-D and 2-D step functions. The first call in a process collapses it
into tables and checks them against LightGBM on a matrix that puts every split threshold, its
neighbouring floats, zeros, NaN, the zero band and infinities on every feature
(`pair_tables.check_matrix_for`); only tables within `TOLERANCE` of LightGBM's raw score are
used, for every batch size, so one arithmetic gives every score. A model that cannot collapse
(a path on three or more features) or differs is scored by LightGBM, with a warning.
`TRADECREDIT_MODEL_TABLES=off` forces LightGBM.
"""

from __future__ import annotations

import logging
import os

import numpy as np

from tradecredit.scoring.default import default_model
from tradecredit.scoring.pair_tables import (
    PairTables,
    check_matrix_for,
    collapse,
    raw_score,
    verify,
)

log = logging.getLogger(__name__)

TABLES_ENV = "TRADECREDIT_MODEL_TABLES"
TOLERANCE = 1e-9
"""Largest accepted |tables - LightGBM| raw score: float rounding of the summation order is
~1e-15; a PD is stored to 6 decimals, and rows near a rounding tie take the exact Decimal rule."""

_loaded: dict[str, PairTables | None] = {}
"""The verified tables of this process (None: unusable), once decided."""


def tables_enabled() -> bool:
    return os.environ.get(TABLES_ENV, "").lower() not in {"off", "0", "false", "no"}


def default_tables() -> PairTables | None:
    """The default model's verified tables, built on first use; None when it cannot collapse
    or the tables differ from LightGBM."""
    if "tables" in _loaded:
        return _loaded["tables"]
    model = default_model()
    tables = collapse(model.boosters_, model.booster_weights_)
    if tables is None:
        log.warning("the default model does not collapse into pair tables; using LightGBM")
    else:
        check = check_matrix_for(model.boosters_, model.n_features_in_)
        if not verify(tables, model.boosters_, model.booster_weights_, check, tolerance=TOLERANCE):
            tables = None
    _loaded["tables"] = tables
    return tables


def tables_raw_score(matrix: np.ndarray, *, missing: np.ndarray | None = None) -> np.ndarray | None:
    """The default model's raw score (as `ScoringModel.raw_score`) through its tables, a NaN in
    column f read as `missing[f]`; None when the tables are disabled or unusable."""
    if not tables_enabled():
        return None
    tables = default_tables()
    return None if tables is None else raw_score(tables, matrix, missing=missing)
