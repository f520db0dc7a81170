"""One clock for the whole process, injectable in tests. Always timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().date()


class FixedClock:
    """A clock that stands still until told to move; for tests and reproducible runs."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_utc(at)

    def now(self) -> datetime:
        return self._at

    def today(self) -> date:
        return self._at.date()

    def advance(self, delta: timedelta) -> None:
        self._at = self._at + delta


def ensure_utc(moment: datetime) -> datetime:
    """Refuse naive datetimes; convert aware ones to UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: timestamps must be timezone-aware")
    return moment.astimezone(UTC)


_clock: Clock = SystemClock()


def get_clock() -> Clock:
    return _clock


def set_clock(clock: Clock) -> Clock:
    """Install a clock process-wide and return the previous one (so tests can restore it)."""
    global _clock
    previous, _clock = _clock, clock
    return previous


def utcnow() -> datetime:
    return _clock.now()
