"""Deterministic ledgers for the ageing benchmark, cached as Parquet under bench/_data/.

n invoices over n/10 buyers in three currencies (EUR 60 %, USD 25 %, GBP 15 % of buyers; 5 % of
invoices in another currency than the buyer's), issued over the two years before the as-of date
(about 2 % after it, which the report must ignore). Older invoices are more often paid; about
10 % of the rest are partly paid; 3 % carry a credit note, some on already paid invoices (open
amount floored at 0). Some allocations and credit notes are dated after the as-of date.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl

from tradecredit.fx.rates import DatedRate

AS_OF = date(2026, 9, 30)
CURRENCIES = ("EUR", "USD", "GBP")
REPORT_CURRENCY = "EUR"
CURRENCY_TYPE = pl.Enum(sorted(CURRENCIES))
"""Currencies as a categorical (Enum) column, as `load_snapshot` produces them."""
RATES = (
    DatedRate("EUR", "USD", Decimal("1.0850"), date(2026, 9, 29)),
    DatedRate("EUR", "GBP", Decimal("0.8450"), date(2026, 9, 29)),
    DatedRate("EUR", "USD", Decimal("1.0790"), date(2026, 9, 1)),
    DatedRate("EUR", "USD", Decimal("1.2000"), date(2026, 10, 2)),
)
"""The table the report sees: the rate dated after the as-of date must be ignored."""
COUNTRIES = ("DE", "FR", "IT", "ES", "NL", "PL", "GB", "US", "CN", "BE")
SECTORS = ("C25", "C10", "G46.7", "F41", "H49", "J62", "C20", "G47")
FRAMES = ("invoices", "allocations", "credit_notes", "companies")


def _dates(offsets: np.ndarray) -> pl.Series:
    return pl.Series(np.datetime64(AS_OF.isoformat(), "D") + offsets.astype("timedelta64[D]"))


def _companies(rng: np.random.Generator, buyers: int) -> tuple[pl.DataFrame, np.ndarray]:
    currency = rng.choice(len(CURRENCIES), size=buyers, p=[0.6, 0.25, 0.15])
    frame = pl.DataFrame(
        {
            "id": np.arange(buyers, dtype=np.int64),
            "name": pl.select(pl.format("Buyer {}", pl.int_range(buyers))).to_series(),
            "country": np.array(COUNTRIES)[rng.integers(0, len(COUNTRIES), buyers)],
            "sector": np.array(SECTORS)[rng.integers(0, len(SECTORS), buyers)],
        }
    )
    return frame, currency


def _invoices(rng: np.random.Generator, n: int, buyer_currency: np.ndarray) -> pl.DataFrame:
    company = rng.integers(0, len(buyer_currency), n)
    currency = np.where(
        rng.random(n) < 0.05, rng.integers(0, len(CURRENCIES), n), buyer_currency[company]
    )
    issue = rng.integers(-730, 15, n)
    terms = rng.choice(np.array([30, 45, 60, 90]), n)
    return pl.DataFrame(
        {
            "company": company.astype(np.int64),
            "currency": pl.Series(np.array(CURRENCIES)[currency]).cast(CURRENCY_TYPE),
            "amount_minor": rng.integers(1_000, 2_000_000, n, dtype=np.int64),
            "issue_date": _dates(issue),
            "due_date": _dates(issue + terms),
            "_issue": issue,
            "_terms": terms,
        }
    )


def _allocations(rng: np.random.Generator, invoices: pl.DataFrame) -> pl.DataFrame:
    issue, terms = invoices["_issue"].to_numpy(), invoices["_terms"].to_numpy()
    amount = invoices["amount_minor"].to_numpy()
    n = len(amount)
    delay = rng.integers(-10, 150, n)
    paid_on = issue + terms + delay
    u = rng.random(n)
    full = u < np.clip(-issue / 200, 0.05, 0.97)
    partial = ~full & (u < np.clip(-issue / 200, 0.05, 0.97) + 0.1)
    share = rng.integers(1, 10, n)
    paid = np.where(full, amount, amount * share // 10)
    keep = (full | partial) & (paid > 0)
    return pl.DataFrame(
        {
            "invoice": np.flatnonzero(keep).astype(np.int64),
            "amount_minor": paid[keep],
            "applied_on": _dates(paid_on[keep]),
        }
    )


def _credit_notes(rng: np.random.Generator, invoices: pl.DataFrame) -> pl.DataFrame:
    n = invoices.height
    keep = rng.random(n) < 0.03
    amount = invoices["amount_minor"].to_numpy()[keep]
    return pl.DataFrame(
        {
            "invoice": np.flatnonzero(keep).astype(np.int64),
            "amount_minor": amount * rng.integers(1, 11, len(amount)) // 10,
            "issue_date": _dates(
                invoices["_issue"].to_numpy()[keep] + rng.integers(0, 90, len(amount))
            ),
        }
    ).filter(pl.col("amount_minor") > 0)


def generate(n: int, seed: int) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    companies, buyer_currency = _companies(rng, max(n // 10, 1))
    invoices = _invoices(rng, n, buyer_currency)
    frames = {
        "allocations": _allocations(rng, invoices),
        "credit_notes": _credit_notes(rng, invoices),
        "invoices": invoices.drop("_issue", "_terms"),
        "companies": companies,
    }
    return frames


def data_dir(base: Path, n: int, seed: int) -> Path:
    return base / f"ageing-v3-n{n}-seed{seed}"


def ensure_data(base: Path, n: int, seed: int) -> Path:
    """Generate and cache the ledger unless it is already there."""
    folder = data_dir(base, n, seed)
    if all((folder / f"{name}.parquet").exists() for name in FRAMES):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in generate(n, seed).items():
        frame.write_parquet(folder / f"{name}.parquet")
    return folder


def load(folder: Path) -> dict[str, pl.DataFrame]:
    """Each frame contiguous in memory, as a database loader builds it."""
    return {name: pl.read_parquet(folder / f"{name}.parquet").rechunk() for name in FRAMES}
