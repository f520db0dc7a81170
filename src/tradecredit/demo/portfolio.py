"""The generated portfolio: one seller and Polars frames laid out like the import templates.

Money columns hold decimal strings in major units ("1234.50"), exactly as an import file would;
they are produced from integer minor units with integer arithmetic, never through a float.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import numpy.typing as npt
import polars as pl

from tradecredit.kit.currencies import exponent
from tradecredit.kit.errors import InvalidInput

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

FRAME_NAMES: tuple[str, ...] = (
    "companies",
    "statements",
    "accounts",
    "invoices",
    "payments",
    "credit_notes",
    "disputes",
    "events",
    "fx_rates",
    "truth",
)


@dataclass(frozen=True, slots=True)
class Seller:
    """The organisation whose receivables the demo is: a mid-size German machinery exporter."""

    name: str
    registration_number: str
    country: str
    sector: str
    base_currency: str
    language: str


DEMO_SELLER = Seller(
    name="Rheinfeld Präzisionstechnik GmbH",
    registration_number="HRB 245817",
    country="DE",
    sector="C28",
    base_currency="EUR",
    language="de",
)


@dataclass(frozen=True)
class Portfolio:
    """Everything the demo loads, plus `truth`: each buyer's hidden profile, risk and fate."""

    seed: int
    start: date
    end: date
    seller: Seller
    companies: pl.DataFrame
    statements: pl.DataFrame
    accounts: pl.DataFrame
    invoices: pl.DataFrame
    payments: pl.DataFrame
    credit_notes: pl.DataFrame
    disputes: pl.DataFrame
    events: pl.DataFrame
    fx_rates: pl.DataFrame
    truth: pl.DataFrame

    def frames(self) -> dict[str, pl.DataFrame]:
        return {name: getattr(self, name) for name in FRAME_NAMES}

    @cached_property
    def _hashes(self) -> dict[str, str]:
        return {name: frame_sha256(getattr(self, name)) for name in FRAME_NAMES}

    def content_sha256(self, name: str) -> str:
        """SHA-256 of one frame (see `frame_sha256`); computed once per portfolio."""
        return self._hashes[name]

    def fingerprint(self) -> str:
        """One hash over every frame: equal fingerprints mean equal content."""
        digest = hashlib.sha256()
        for name in FRAME_NAMES:
            digest.update(f"{name}={self.content_sha256(name)}\n".encode())
        return digest.hexdigest()


def frame_sha256(frame: pl.DataFrame) -> str:
    """SHA-256 of the frame written as CSV (header included): stable for the same content."""
    return hashlib.sha256(frame.write_csv().encode("utf-8")).hexdigest()


def to_dates(ordinals: npt.NDArray[np.int64]) -> pl.Series:
    """Proleptic ordinals (date.toordinal) to a Polars Date series."""
    days = np.asarray(ordinals, dtype=np.int64) - EPOCH_ORDINAL
    return pl.Series(days.astype(np.int32)).cast(pl.Date)


def major_text(minor: pl.Expr, currency: pl.Expr, currencies: list[str]) -> pl.Expr:
    """Integer minor units to a decimal string with the currency's exponent ("-12.05", "1500")."""
    exponents = {c: exponent(c) for c in sorted(currencies)}
    code_exponent = currency.replace_strict(exponents, return_dtype=pl.Int64)
    sign = pl.when(minor < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    magnitude = minor.abs()
    branches = []
    for digits in sorted(set(exponents.values())):
        whole = sign + (magnitude // 10**digits).cast(pl.String)
        if digits:
            whole = whole + "." + (magnitude % 10**digits).cast(pl.String).str.zfill(digits)
        branches.append(pl.when(code_exponent == digits).then(whole))
    return pl.coalesce(branches)


def with_major_text(
    frame: pl.DataFrame, columns: dict[str, str], *, currency: str = "currency"
) -> pl.DataFrame:
    """Replace integer minor-unit columns (old name -> new name) by their decimal strings."""
    codes = frame.get_column(currency).unique().drop_nulls().to_list()
    if not codes:
        return frame.with_columns(
            pl.lit(None, dtype=pl.String).alias(new) for new in columns.values()
        ).drop([old for old, new in columns.items() if old != new])
    converted = [
        major_text(pl.col(old), pl.col(currency), codes).alias(new) for old, new in columns.items()
    ]
    dropped = [old for old, new in columns.items() if old != new]
    return frame.with_columns(converted).drop(dropped)


def minor_units(frame: pl.DataFrame, column: str, *, currency: str = "currency") -> pl.Series:
    """Decimal-string amounts back to integer minor units, exactly; a malformed value raises.

    The text must carry exactly the currency's number of decimals: the series is parsed by
    dropping the decimal point, then rendered back and compared, so nothing is rounded.
    """
    codes = frame.get_column(currency).unique().drop_nulls().to_list()
    text = pl.col(column)
    parsed = frame.select(
        text.str.replace(".", "", literal=True).cast(pl.Int64, strict=False).alias("minor"),
        text.alias("text"),
        pl.col(currency).alias("currency"),
    )
    if not codes:
        return parsed.get_column("minor")
    checked = parsed.with_columns(
        major_text(pl.col("minor"), pl.col("currency"), codes).alias("rendered")
    )
    bad = checked.with_row_index("row").filter(
        pl.col("text").is_not_null()
        & (pl.col("rendered").is_null() | (pl.col("rendered") != pl.col("text")))
    )
    if bad.height:
        first = bad.row(0, named=True)
        raise InvalidInput(
            f"column {column!r} row {first['row']}: {first['text']!r} is not an exact "
            f"{first['currency']} amount (expected {exponent(first['currency'])} decimals)"
        )
    return checked.get_column("minor")
