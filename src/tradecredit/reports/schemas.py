"""The credit report as data, independent of language and format.

`service.build_credit_report` fills a `CreditReport`; `html.py` and `pdf.py` render it in either
language. Each section is one field. A new section (the recommended limit, say) is a new
optional field here, filled by the service, and one renderer per format listed in the
`SECTIONS` order of view.py; the other sections do not change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from tradecredit.reports.figures import Trend
from tradecredit.risk.schemas import CountryRisk, SectorRisk
from tradecredit.scoring.overlays import Reason


@dataclass(frozen=True)
class Parent:
    name: str
    registration_number: str
    country: str


@dataclass(frozen=True)
class Identity:
    company_id: uuid.UUID
    name: str
    registration_number: str
    country: str
    legal_form: str | None
    sector: str
    section: str
    section_name_en: str
    founded: date | None
    age_years: int | None
    parent: Parent | None
    status: str


@dataclass(frozen=True)
class Statement:
    period_end: date
    currency: str
    lines: dict[str, Decimal | None]
    """Statement lines in major units of `currency`; None when not reported."""


@dataclass(frozen=True)
class RatioRow:
    name: str
    values: tuple[Decimal | None, ...]
    """One per statement, oldest first (as `CreditReport.statements`)."""
    trends: tuple[Trend | None, ...]
    """Per statement after the first: the change from the year before."""

    @property
    def latest_trend(self) -> Trend | None:
        return self.trends[-1] if self.trends else None


@dataclass(frozen=True)
class Quarter:
    quarter_end: date
    dbt: Decimal | None
    """Days beyond terms of the invoices paid within the quarter, amount-weighted."""
    overdue_30_share: Decimal | None
    """Open amount more than 30 days past due at quarter end / open amount."""


@dataclass(frozen=True)
class Behaviour:
    paid_invoices: int
    dbt_average: Decimal | None
    dbt_recent: Decimal | None
    dbt_earlier: Decimal | None
    dbt_trend: Decimal | None
    overdue_30_share: Decimal | None
    quarters: tuple[Quarter, ...]
    has_ledger: bool


@dataclass(frozen=True)
class Event:
    kind: str
    event_date: date
    source: str
    severity: int
    description: str | None


@dataclass(frozen=True)
class PeerRow:
    ratio: str
    value: Decimal | None
    peers: int
    better_than: Decimal | None
    """Share 0..1 of peers that are worse; None with too few peers or no own figure."""
    peer_median: Decimal | None


@dataclass(frozen=True)
class PeerGroup:
    by: str
    """"section" or "country"."""
    group: str | None
    min_peers: int
    rows: tuple[PeerRow, ...]


@dataclass(frozen=True)
class GradeSection:
    grade: int
    pd: Decimal
    band_lower: Decimal | None
    """None for grade 10, which no PD reaches (insolvency only)."""
    band_upper: Decimal | None
    band_label: str
    reasons: tuple[Reason, ...]
    model_version: str
    scored_as_of: date
    stored: bool


@dataclass(frozen=True)
class LimitConstraint:
    name: str
    """One of `limits.formula.CONSTRAINTS`."""
    amount: Decimal | None
    """In the section's currency; None when the constraint is not available or does not apply."""
    why_not: str | None
    """Why there is no amount: "not_available" (capacity, need) or "not_applicable"."""


@dataclass(frozen=True)
class CurrentLimit:
    amount: Decimal
    currency: str
    set_on: date
    valid_until: date
    review_on: date


@dataclass(frozen=True)
class LimitSection:
    """The recommended limit (`limits.recommend`) in the organisation's base currency, and the
    credit limit in force on the report date."""

    currency: str
    recommended: Decimal
    binding: str
    capacity_basis: str | None
    """Which capacity base is the smallest: "equity", "working_capital" or "revenue"."""
    constraints: tuple[LimitConstraint, ...]
    policy_version: int
    max_credit_grade: int
    grade: int
    history_months: int
    reasons: tuple[Reason, ...]
    current: CurrentLimit | None


@dataclass(frozen=True)
class CreditReport:
    as_of: date
    generated_at: datetime
    identity: Identity
    grade: GradeSection
    statements: tuple[Statement, ...]
    """Up to three, oldest first: the latest period ends on or before `as_of`."""
    ratios: tuple[RatioRow, ...]
    behaviour: Behaviour
    events: tuple[Event, ...]
    country_risk: CountryRisk | None
    """None when no OECD classification of the country is imported for `as_of`."""
    sector_risk: SectorRisk | None
    peers: tuple[PeerGroup, ...]
    limit: LimitSection
