"""Business dates: parsing and half-open ranges [start, end)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tradecredit.kit.errors import InvalidInput


def parse_date(text: str, fmt: str | None = None) -> date:
    """Parse ISO 8601 (YYYY-MM-DD) or the given strptime format."""
    value = text.strip()
    try:
        if fmt:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a business date, no time
        return date.fromisoformat(value)
    except ValueError:
        expected = fmt or "YYYY-MM-DD"
        raise InvalidInput(f"unparseable date {text!r} (expected {expected})") from None


@dataclass(frozen=True, slots=True)
class DateRange:
    """Half-open: contains `start` and excludes `end`."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput(f"range ends ({self.end}) before it starts ({self.start})")

    def __contains__(self, day: date) -> bool:
        return self.start <= day < self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days


def days_between(earlier: date, later: date) -> int:
    return (later - earlier).days


def add_days(day: date, n: int) -> date:
    return day + timedelta(days=n)


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month_start(day: date) -> date:
    first = month_start(day)
    return month_start(first - timedelta(days=1))
