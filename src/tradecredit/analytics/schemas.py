"""Ageing and DSO results. Amounts are Decimal in the report currency; they serialise as strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from tradecredit.kit.fields import Amount

AgeingGrouping = Literal["total", "buyer", "country", "sector", "currency"]
BUCKETS: tuple[str, ...] = ("not_yet_due", "d1_30", "d31_60", "d61_90", "d91_120", "over_120")
BUCKET_LABELS: dict[str, str] = {
    "not_yet_due": "not yet due",
    "d1_30": "1-30",
    "d31_60": "31-60",
    "d61_90": "61-90",
    "d91_120": "91-120",
    "over_120": "over 120",
}


class AgeingRow(BaseModel):
    """One group's open balance split by days past due; the buckets add up exactly to `total`."""

    key: str = Field(
        description="group key: company id, country, NACE section, currency or 'total'"
    )
    label: str
    not_yet_due: Amount
    d1_30: Amount
    d31_60: Amount
    d61_90: Amount
    d91_120: Amount
    over_120: Amount
    total: Amount
    share_over_120: Decimal | None = Field(
        description="over_120 / total, 4 decimals; null when the total is zero"
    )
    open_invoices: int


class FxRateUsed(BaseModel):
    base_currency: str
    quote_currency: str
    rate: Decimal
    rate_date: date


class DsoFigures(BaseModel):
    countback_days: Decimal | None = Field(
        description="days of most recent sales that the open balance represents (countback)"
    )
    standard_days: Decimal | None = Field(
        description="open balance / sales of the period x days of the period"
    )
    standard_period_days: int
    method: str = Field(description="plain-words statement of both methods and their inputs")
    open_balance: Amount | None = Field(
        default=None, description="the open balance both figures divide, in the report currency"
    )
    period_sales: Amount | None = Field(
        default=None, description="sales invoiced in the standard period, in the report currency"
    )


class AgeingReport(BaseModel):
    as_of: date
    currency: str = Field(description="report currency every amount is expressed in")
    by: AgeingGrouping
    fx_rates: list[FxRateUsed] = Field(description="the dated rates used to convert; empty if none")
    rows: list[AgeingRow]
    totals: AgeingRow
    dso: DsoFigures
    fx_note: str = Field(
        default="",
        description="plain words: which currencies were converted at rates of which date",
    )
    rows_omitted: int = Field(
        default=0, description="groups left out of `rows` by a row limit; totals include them"
    )
