"""Month-end FX rates against the euro: a random walk per currency, pegs held exactly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import polars as pl

from tradecredit.demo.daymath import Days, month_ends, month_key
from tradecredit.demo.reference import BASE_CURRENCY, FX_PATHS, PEGGED, fx_currencies


@dataclass(frozen=True)
class FxTable:
    """Rates (units of currency per euro) at consecutive month ends, the first before the window."""

    dates: list[date]
    rates: dict[str, npt.NDArray[np.float64]]

    def preceding_month_end(self, currency: str, days: Days) -> npt.NDArray[np.float64]:
        """For each day, the rate at the month end before that day's month (EUR: 1.0)."""
        if currency == BASE_CURRENCY:
            return np.ones(len(days))
        first = self.dates[0]
        index = month_key(days) - (first.year - 1970) * 12 - (first.month - 1) - 1
        return self.rates[currency][np.clip(index, 0, len(self.dates) - 1)]


def fx_table(rng: np.random.Generator, *, start: date, end: date) -> FxTable:
    dates = month_ends(start, end)
    rates: dict[str, npt.NDArray[np.float64]] = {}
    for currency, path in sorted(FX_PATHS.items()):
        steps = rng.normal(path.monthly_drift, path.monthly_vol, len(dates) - 1)
        rates[currency] = path.start * np.exp(np.concatenate([[0.0], np.cumsum(steps)]))
    for currency, (anchor, peg) in sorted(PEGGED.items()):
        rates[currency] = rates[anchor] * peg
    return FxTable(dates=dates, rates=rates)


def rate_text(rate: float) -> str:
    """Six significant figures at least, as central banks publish them (1.08450, 157.920)."""
    decimals = 6 if rate < 10 else 4
    return f"{rate:.{decimals}f}"


def fx_frame(table: FxTable) -> pl.DataFrame:
    rows = [
        (day, BASE_CURRENCY, currency, rate_text(float(table.rates[currency][i])))
        for currency in fx_currencies()
        for i, day in enumerate(table.dates)
    ]
    return pl.DataFrame(
        rows,
        schema={
            "rate_date": pl.Date,
            "base_currency": pl.String,
            "quote_currency": pl.String,
            "rate": pl.String,
        },
        orient="row",
    ).sort("rate_date", "quote_currency")
