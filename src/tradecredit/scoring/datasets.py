"""Labelled tables for training: read CSV, Parquet or ARFF, check the label and the feature columns.

Every rejection names the file, the row (1-based data row, header not counted), the column, the value
and why. Missing values are empty cells, `?`, `NA` or a float NaN; they stay missing (the trees
handle them); infinite values are refused.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from tradecredit.kit.errors import InvalidInput
from tradecredit.scoring.arff import read_arff

CSV_MISSING = ["", "?", "NA"]
LABEL_WORDS = {"0": 0, "1": 1, "false": 0, "true": 1}
FINGERPRINT_VERSION = b"tradecredit-labelled-table-v1\n"


@dataclass(frozen=True)
class LabelledTable:
    """Numeric features (Float64, nulls where missing), a 0/1 default flag, optional row ids."""

    source: str
    label: str
    features: pl.DataFrame
    target: np.ndarray
    ids: pl.Series | None = None

    @property
    def feature_names(self) -> list[str]:
        return self.features.columns

    @property
    def rows(self) -> int:
        return self.features.height

    @property
    def positives(self) -> int:
        return int(self.target.sum())


def read_table(path: Path) -> pl.DataFrame:
    """A CSV, Parquet or ARFF file as a frame, float NaN read as missing."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".arff":
            frame = read_arff(path)
        elif suffix == ".csv":
            frame = pl.read_csv(path, null_values=CSV_MISSING, infer_schema_length=None)
        elif suffix in {".parquet", ".pq"}:
            frame = pl.read_parquet(path)
        else:
            raise InvalidInput(
                f"{path.name}: unknown file type {suffix!r}; use .csv, .parquet or .arff"
            )
    except (pl.exceptions.PolarsError, OSError) as error:
        raise InvalidInput(f"{path.name}: cannot be read: {error}") from None
    floats = [name for name, dtype in frame.schema.items() if dtype.is_float()]
    return frame.with_columns(pl.col(floats).fill_nan(None))


def _first_bad_row(flags: pl.Series) -> int:
    return int(flags.arg_true()[0])


def _label_values(frame: pl.DataFrame, label: str, source: str) -> np.ndarray:
    column = frame.get_column(label)
    if column.null_count():
        row = _first_bad_row(column.is_null())
        raise InvalidInput(
            f"{source}: row {row + 1}, column {label!r}: the default flag is missing; every row needs 0 or 1"
        )
    if column.dtype == pl.Boolean:
        return column.cast(pl.Int8).to_numpy()
    if column.dtype.is_numeric():
        bad = ~column.is_in([0, 1])
        mapped = column
    else:
        mapped = (
            column.cast(pl.String)
            .str.strip_chars()
            .str.to_lowercase()
            .replace_strict(LABEL_WORDS, default=None, return_dtype=pl.Int8)
        )
        bad = mapped.is_null()
    if bad.any():
        row = _first_bad_row(bad)
        raise InvalidInput(
            f"{source}: row {row + 1}, column {label!r}, value {column[row]!r}: "
            "a default flag must be 0 or 1 (or true/false)"
        )
    return mapped.cast(pl.Int8).to_numpy()


def _numeric_feature(column: pl.Series, source: str) -> pl.Series:
    if column.dtype == pl.Boolean or column.dtype.is_numeric() or column.dtype == pl.Null:
        numeric = column.cast(pl.Float64)
    elif column.dtype == pl.String:
        numeric = column.str.strip_chars().cast(pl.Float64, strict=False)
        bad = numeric.is_null() & column.is_not_null()
        if bad.any():
            row = _first_bad_row(bad)
            raise InvalidInput(
                f"{source}: row {row + 1}, column {column.name!r}, value {column[row]!r}: "
                "features must be numbers (missing: empty, ? or NA)"
            )
    else:
        raise InvalidInput(
            f"{source}: column {column.name!r} has type {column.dtype}; features must be numeric"
        )
    numeric = numeric.fill_nan(None)
    infinite = numeric.is_infinite().fill_null(False)
    if infinite.any():
        row = _first_bad_row(infinite)
        raise InvalidInput(
            f"{source}: row {row + 1}, column {column.name!r}, value {numeric[row]}: "
            "infinite values are not allowed; leave the cell missing instead"
        )
    return numeric


def labelled_table(
    frame: pl.DataFrame, *, label: str, source: str, id_column: str | None = None
) -> LabelledTable:
    """Split a frame into features, default flag and ids, checking every value."""
    for name, role in ((label, "label"), (id_column, "id")):
        if name is not None and name not in frame.columns:
            raise InvalidInput(
                f"{source}: no {role} column {name!r}; the columns are {frame.columns}"
            )
    if id_column == label:
        raise InvalidInput(f"{source}: the id column and the label column are both {label!r}")
    if frame.height == 0:
        raise InvalidInput(f"{source}: the table has no rows")
    target = _label_values(frame, label, source)
    feature_names = [name for name in frame.columns if name not in {label, id_column}]
    if not feature_names:
        raise InvalidInput(f"{source}: no feature columns besides the label and the id")
    features = pl.DataFrame([_numeric_feature(frame.get_column(n), source) for n in feature_names])
    ids = frame.get_column(id_column) if id_column is not None else None
    return LabelledTable(source=source, label=label, features=features, target=target, ids=ids)


def numeric_features(frame: pl.DataFrame, names: list[str], *, source: str) -> pl.DataFrame:
    """The named columns, checked and cast to Float64 as for training; for scoring a new table."""
    absent = [name for name in names if name not in frame.columns]
    if absent:
        raise InvalidInput(
            f"{source}: lacks {len(absent)} feature column(s) the model needs: {absent[:10]}",
            details={"missing_columns": absent},
        )
    return pl.DataFrame([_numeric_feature(frame.get_column(name), source) for name in names])


def load_labelled(path: Path, *, label: str, id_column: str | None = None) -> LabelledTable:
    return labelled_table(read_table(path), label=label, source=path.name, id_column=id_column)


def _canonical_column(values: pl.Series) -> bytes:
    array = values.cast(pl.Float64).fill_null(math.nan).to_numpy().astype("<f8", copy=True)
    array[np.isnan(array)] = math.nan
    return array.tobytes()


def fingerprint(table: LabelledTable) -> dict[str, Any]:
    """SHA-256 of the canonical table the model saw, with its shape and positive rate.

    Canonical form: a version line, then for the label and each feature in training order its UTF-8
    name, a NUL byte and its values as little-endian float64 in row order, missing as one NaN bit
    pattern. The same numbers give the same hash whatever the file format they came from; ids are
    not part of it.
    """
    digest = hashlib.sha256(FINGERPRINT_VERSION)
    columns = [pl.Series(table.label, table.target), *table.features.get_columns()]
    for column in columns:
        digest.update(column.name.encode("utf-8") + b"\0")
        digest.update(_canonical_column(column))
    return {
        "sha256": digest.hexdigest(),
        "rows": table.rows,
        "columns": len(table.feature_names),
        "positives": table.positives,
        "positive_rate": table.positives / table.rows,
    }
