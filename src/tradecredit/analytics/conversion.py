"""Convert arrays of integer minor units into another currency, exactly, rounding half-even once.

A value becomes round_half_even(value * numerator / denominator) with the conversion's exact
rational factor (see `tradecredit.fx.rates`). The arithmetic runs in 64-bit integers when the
largest product cannot overflow them, in 128-bit integers (Polars) otherwise, and on Python's
unbounded integers when even that could overflow; all three give `Conversion.convert_minor`'s
result. Only non-zero values are computed: zero converts to zero.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from tradecredit.fx.rates import Conversion

_INT64_SAFE = 2**61
_INT128_SAFE = 2**125


def _half_even_int64(values: np.ndarray, numerator: int, denominator: int) -> np.ndarray:
    quotient, remainder = np.divmod(values * numerator, denominator)
    twice = remainder * 2
    up = (twice > denominator) | ((twice == denominator) & ((quotient & 1) == 1))
    result: np.ndarray = quotient + up
    return result


def _half_even_int128(values: np.ndarray, numerator: int, denominator: int) -> np.ndarray:
    num, den = pl.lit(numerator, dtype=pl.Int128), pl.lit(denominator, dtype=pl.Int128)
    product = pl.col("v").cast(pl.Int128) * num
    quotient = product // den
    twice = (product - quotient * den) * 2
    up = (twice > den) | ((twice == den) & ((quotient % 2) == 1))
    result = (quotient + up.cast(pl.Int128)).cast(pl.Int64, strict=True)
    return pl.DataFrame({"v": values}).select(result).to_series().to_numpy()


def _exact(values: np.ndarray, conversion: Conversion) -> np.ndarray:
    return np.array([conversion.convert_minor(int(v)) for v in values], dtype=np.int64)


def convert_minor_array(values: np.ndarray, conversion: Conversion) -> np.ndarray:
    """`values` (Int64 minor units of the source currency) in target minor units, exactly."""
    if conversion.is_identity or values.size == 0:
        return values
    result = np.zeros_like(values)
    nonzero = np.flatnonzero(values)
    picked = values[nonzero]
    largest = int(np.abs(picked).max()) if picked.size else 0
    factor = max(conversion.numerator, conversion.denominator)
    bound = 2 * (largest + 1) * factor
    if bound < _INT64_SAFE:
        converted = _half_even_int64(picked, conversion.numerator, conversion.denominator)
    elif bound < _INT128_SAFE:
        converted = _half_even_int128(picked, conversion.numerator, conversion.denominator)
    else:
        converted = _exact(picked, conversion)
    result[nonzero] = converted
    return result
