"""Exposure answers: per buyer, per group, and the paged portfolio list."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from tradecredit.analytics.schemas import FxRateUsed
from tradecredit.kit.fields import Amount

ExposureGrouping = Literal["buyer", "group"]


class Amounts(BaseModel):
    open_invoices: Amount = Field(description="invoices open on as_of (disputed amounts included)")
    uninvoiced_orders: Amount = Field(description="ordered, neither delivered nor invoiced")
    uninvoiced_deliveries: Amount = Field(description="delivered, not yet invoiced")
    total: Amount
    fx_rate_date: date | None = Field(
        description="oldest FX rate date used for these amounts; null when nothing was converted"
    )


class BuyerExposureOut(Amounts):
    company_id: uuid.UUID
    registration_number: str
    country: str
    name: str


class GroupExposureOut(Amounts):
    group_id: uuid.UUID = Field(description="the group's ultimate parent company")
    registration_number: str
    country: str
    name: str
    members: int = Field(description="companies in the group, the parent included")


class Conversion(BaseModel):
    as_of: date
    currency: str
    fx_rates: list[FxRateUsed]
    fx_note: str


class CompanyExposure(Conversion):
    exposure: BuyerExposureOut


class GroupExposure(Conversion):
    group: GroupExposureOut
    members: list[BuyerExposureOut] = Field(description="each member's exposure, largest first")


class ExposureList(Conversion):
    """One page of rows, largest total first; `totals` covers every row, not just this page."""

    by: ExposureGrouping
    totals: Amounts
    items: list[BuyerExposureOut | GroupExposureOut]
    limit: int
    offset: int
    next_offset: int | None
