"""Day arithmetic on numpy arrays of proleptic ordinals (`date.toordinal()`): fast and exact."""

from __future__ import annotations

import calendar
from datetime import date

import numpy as np
import numpy.typing as npt

from tradecredit.demo.portfolio import EPOCH_ORDINAL

Days = npt.NDArray[np.int64]


def window_start(end: date, years: int) -> date:
    """The first day of the `years` years that end on `end` (inclusive)."""
    year = end.year - years
    day = min(end.day, calendar.monthrange(year, end.month)[1])
    return date.fromordinal(date(year, end.month, day).toordinal() + 1)


def weekday(days: Days) -> Days:
    """Monday 0 .. Sunday 6 (date(1, 1, 1) was a Monday)."""
    return (days - 1) % 7


def next_business_day(days: Days) -> Days:
    """Saturday and Sunday move to the Monday after: when a bank credits a payment."""
    wd = weekday(days)
    return days + np.where(wd == 5, 2, np.where(wd == 6, 1, 0))


def nearest_business_day(days: Days, *, last: int) -> Days:
    """Saturday moves to Friday, Sunday to Monday unless that passes `last`: when invoices go out."""
    wd = weekday(days)
    shifted = days + np.where(wd == 5, -1, np.where(wd == 6, 1, 0))
    return np.where(shifted > last, shifted - 3, shifted)


def month_key(days: Days) -> Days:
    """Months since January 1970 for each day."""
    as_dates = (np.asarray(days, dtype=np.int64) - EPOCH_ORDINAL).astype("datetime64[D]")
    return as_dates.astype("datetime64[M]").astype(np.int64)


def month_ends(first: date, last: date) -> list[date]:
    """Every month end from the one before `first` up to the one on or before `last`."""
    key = first.year * 12 + first.month - 2
    ends: list[date] = []
    while True:
        year, month = divmod(key, 12)
        end = date(year, month + 1, calendar.monthrange(year, month + 1)[1])
        if end > last:
            return ends
        ends.append(end)
        key += 1


def year_ends_before(cutoff: date, count: int) -> list[date]:
    """The last `count` 31 December dates strictly before `cutoff`, oldest first."""
    last_year = cutoff.year - 1
    return [date(year, 12, 31) for year in range(last_year - count + 1, last_year + 1)]
