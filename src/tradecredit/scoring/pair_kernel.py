"""The numba kernel of `pair_tables.raw_score`: bin each used feature of a chunk of rows, then
add one table cell per table, chunks across threads. Arrays in, arrays out; see pair_tables.py
for the layout of the tables and for why the bins equal LightGBM's decisions."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

ZERO_THRESHOLD = float(np.float32(1e-35))
"""LightGBM's `kZeroThreshold` (1e-35f widened to double): inputs with |x| <= it are read as 0.0."""
CHUNK_ROWS = 1024
"""Rows binned together by one thread: the chunk's rows and bins stay in the core's L2 cache."""
LINEAR_UP_TO = 64
"""Thresholds up to which a feature is binned by counting (vectorised) instead of bisecting."""


@njit(inline="always", cache=True)
def _bin_column(
    matrix: np.ndarray,
    column: int,
    first: int,
    missing: float,
    thresholds: np.ndarray,
    start: int,
    count: int,
    reads: np.ndarray,
    bins: np.ndarray,
) -> None:
    """The bins of one feature over a chunk of rows: NaN (read as `missing` first, which may be
    NaN) -> count + 1, else the number of its thresholds below the value as LightGBM reads it
    (the zero band read as 0.0).

    All the chunk's rows advance together, so no step waits on a data-dependent branch and the
    CPU overlaps the rows' loads: up to `LINEAR_UP_TO` thresholds, a vectorised count of those
    below; beyond, a branch-free lower bound (Khuong & Morin) whose steps depend on the count."""
    rows = bins.size
    for row in range(rows):
        value = matrix[first + row, column]
        if value != value:
            value = missing
        reads[row] = 0.0 if abs(value) <= ZERO_THRESHOLD else value
    if count <= LINEAR_UP_TO:
        bins[:] = 0
        for index in range(start, start + count):
            threshold = thresholds[index]
            for row in range(rows):
                bins[row] += threshold < reads[row]
    else:
        bins[:] = start
        length = count
        while length > 1:
            half = length >> 1
            for row in range(rows):
                base = bins[row]
                bins[row] = base + half * (thresholds[base + half] < reads[row])
            length -= half
        for row in range(rows):
            base = bins[row]
            bins[row] = base - start + (thresholds[base] < reads[row])
    for row in range(rows):
        if reads[row] != reads[row]:
            bins[row] = count + 1


@njit(cache=True, fastmath=False)
def _score_chunk(
    matrix: np.ndarray,
    missing: np.ndarray,
    first: int,
    size: int,
    thresholds: np.ndarray,
    threshold_starts: np.ndarray,
    slot_features: np.ndarray,
    values: np.ndarray,
    table_starts: np.ndarray,
    table_first: np.ndarray,
    table_second: np.ndarray,
    table_strides: np.ndarray,
    bias: float,
    out: np.ndarray,
) -> None:
    """Rows first..first+size: bin every used feature, then add the tables row by row in table
    order (bias, table 0, table 1, ...: the same sum for a row whatever the chunking)."""
    bins = np.zeros((slot_features.size + 1, size), dtype=np.int64)
    reads = np.empty(size, dtype=np.float64)
    for slot in range(slot_features.size):
        feature = slot_features[slot]
        start = threshold_starts[feature]
        count = threshold_starts[feature + 1] - start
        _bin_column(
            matrix, feature, first, missing[feature], thresholds, start, count, reads, bins[slot]
        )
    for row in range(size):
        out[first + row] = bias
    for table in range(table_starts.size):
        offset = table_starts[table]
        stride = table_strides[table]
        across = bins[table_first[table]]
        down = bins[table_second[table]]
        for row in range(size):
            out[first + row] += values[offset + across[row] * stride + down[row]]


@njit(parallel=True, cache=True, fastmath=False)
def score(
    matrix: np.ndarray,
    missing: np.ndarray,
    thresholds: np.ndarray,
    threshold_starts: np.ndarray,
    slot_features: np.ndarray,
    values: np.ndarray,
    table_starts: np.ndarray,
    table_first: np.ndarray,
    table_second: np.ndarray,
    table_strides: np.ndarray,
    bias: float,
    out: np.ndarray,
) -> None:
    """The chunks of rows across numba's threads. (The chunk's work is a separate, serial
    function: numba's parallel passes then see one loop, which keeps compiling short.)"""
    rows = matrix.shape[0]
    for chunk in prange((rows + CHUNK_ROWS - 1) // CHUNK_ROWS):
        first = chunk * CHUNK_ROWS
        _score_chunk(
            matrix,
            missing,
            first,
            min(rows, first + CHUNK_ROWS) - first,
            thresholds,
            threshold_starts,
            slot_features,
            values,
            table_starts,
            table_first,
            table_second,
            table_strides,
            bias,
            out,
        )
