"""Company events: every failing buyer files for insolvency, usually after warning signs.

Payment incidents and court judgments precede most failures; risky survivors collect some too,
so that events carry signal without giving the answer away.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from tradecredit.demo.buyers import DETERIORATING, Buyers, Ints
from tradecredit.demo.daymath import Days
from tradecredit.demo.portfolio import to_dates

SOURCE = "demo"
INSOLVENCY = "insolvency_filing"
PAYMENT_INCIDENT = "payment_incident"
JUDGMENT = "court_judgment"
DESCRIPTIONS = {
    INSOLVENCY: "insolvency proceedings opened",
    PAYMENT_INCIDENT: "payment default reported by a supplier",
    JUDGMENT: "judgment for an unpaid trade debt",
}


def events_frame(
    rng: np.random.Generator, buyers: Buyers, *, start: date, end: date
) -> pl.DataFrame:
    parts = [
        _failures(rng, buyers),
        _warnings_before_failure(rng, buyers),
        _survivor_signals(rng, buyers, start=start, end=end),
    ]
    buyer = np.concatenate([p[0] for p in parts])
    kind = [k for p in parts for k in p[1]]
    day = np.concatenate([p[2] for p in parts])
    severity = np.concatenate([p[3] for p in parts])
    frame = pl.DataFrame(
        {
            "buyer": buyer,
            "registration_number": [buyers.registration_numbers[b] for b in buyer],
            "country": [buyers.countries[b] for b in buyer],
            "kind": kind,
            "event_date": to_dates(day),
            "source": [SOURCE] * len(buyer),
            "severity": severity,
            "description": [DESCRIPTIONS[k] for k in kind],
        },
        schema_overrides={
            "registration_number": pl.String,
            "country": pl.String,
            "kind": pl.String,
            "source": pl.String,
            "description": pl.String,
        },
    )
    frame = frame.filter(pl.col("event_date") <= end)
    frame = frame.unique(subset=["buyer", "kind", "event_date"], keep="first", maintain_order=True)
    return frame.sort("event_date", "registration_number", "kind").drop("buyer")


Part = tuple[Ints, list[str], Days, Ints]


def _failures(rng: np.random.Generator, buyers: Buyers) -> Part:
    failed = np.flatnonzero(buyers.defaulted)
    return (
        failed,
        [INSOLVENCY] * len(failed),
        buyers.default_day[failed],
        np.full(len(failed), 5, dtype=np.int64),
    )


def _warnings_before_failure(rng: np.random.Generator, buyers: Buyers) -> Part:
    failed = np.flatnonzero(buyers.defaulted)
    incidents = np.repeat(failed, rng.integers(1, 4, len(failed)))
    incident_days = buyers.default_day[incidents] - rng.integers(30, 331, len(incidents))
    judged = failed[rng.random(len(failed)) < 0.5]
    judgment_days = buyers.default_day[judged] - rng.integers(20, 241, len(judged))
    return (
        np.concatenate([incidents, judged]),
        [PAYMENT_INCIDENT] * len(incidents) + [JUDGMENT] * len(judged),
        np.concatenate([incident_days, judgment_days]),
        np.concatenate(
            [rng.integers(3, 5, len(incidents)), np.full(len(judged), 4, dtype=np.int64)]
        ),
    )


def _survivor_signals(rng: np.random.Generator, buyers: Buyers, *, start: date, end: date) -> Part:
    first, last = start.toordinal(), end.toordinal()
    alive = ~buyers.defaulted
    n = buyers.n
    risky = np.flatnonzero(alive & (buyers.risk > 1.2) & (rng.random(n) < 0.35))
    worsening = np.flatnonzero(alive & (buyers.profile == DETERIORATING) & (rng.random(n) < 0.5))
    judged = np.flatnonzero(alive & (buyers.risk > 1.5) & (rng.random(n) < 0.08))
    buyer = np.concatenate([risky, worsening, judged])
    day = np.concatenate(
        [
            rng.integers(first, last + 1, len(risky)),
            rng.integers(last - 364, last + 1, len(worsening)),
            rng.integers(first, last + 1, len(judged)),
        ]
    )
    severity = np.concatenate(
        [
            rng.integers(2, 4, len(risky)),
            np.full(len(worsening), 3, dtype=np.int64),
            np.full(len(judged), 3, dtype=np.int64),
        ]
    )
    kinds = [PAYMENT_INCIDENT] * (len(risky) + len(worsening)) + [JUDGMENT] * len(judged)
    return buyer, kinds, day, severity
