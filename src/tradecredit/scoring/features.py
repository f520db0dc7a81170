"""From a frame to the model's matrix, and from feature names to monotone constraints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.ratios import MONOTONE_DIRECTIONS


def feature_matrix(frame: pl.DataFrame, names: Sequence[str]) -> np.ndarray:
    """The named columns as a float64 matrix in that order, missing values as NaN.

    Columns the model does not know are ignored; a column it needs and does not find is an error.
    """
    absent = [name for name in names if name not in frame.columns]
    if absent:
        raise InvalidInput(
            f"the table lacks {len(absent)} feature column(s) the model was trained on: {absent[:10]}",
            details={"missing_columns": absent},
        )
    selected = frame.select(pl.col(name).cast(pl.Float64).fill_nan(None) for name in names)
    return selected.to_numpy(allow_copy=True).astype(np.float64, copy=False)


def as_matrix(features: pl.DataFrame | np.ndarray) -> tuple[list[str], np.ndarray]:
    """Names and matrix of a training input: a Polars frame keeps its names, an array gets x0, x1..."""
    if isinstance(features, pl.DataFrame):
        return list(features.columns), feature_matrix(features, features.columns)
    matrix = np.asarray(features, dtype=np.float64)
    if matrix.ndim != 2:
        raise InvalidInput(f"features must be a 2-D table, got an array of shape {matrix.shape}")
    return [f"x{index}" for index in range(matrix.shape[1])], matrix


def monotone_constraints(
    names: Sequence[str], directions: Mapping[str, int] = MONOTONE_DIRECTIONS
) -> list[int]:
    """LightGBM's constraint per feature: the ratio library's direction for a known name, else 0
    (and 0 for the ratios the library leaves unconstrained, `ratios.UNCONSTRAINED_RATIOS`).

    Only a column named exactly as a library ratio has a known meaning; every other column (whatever
    it may look like) is left free.
    """
    return [directions.get(name, 0) for name in names]
