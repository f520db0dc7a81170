"""Invoices: a Poisson stream per buyer over its active window, sizes around the buyer's mean.

Sizes are drawn in euros as floats and rounded at once to integer minor units of the invoicing
currency (at the previous month-end rate); VAT, for domestic German buyers only, is then worked
out in integers. Numbers run per calendar year in issue-date order: INV-2024-000123.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from tradecredit.demo.buyers import Buyers, Ints
from tradecredit.demo.daymath import Days, nearest_business_day
from tradecredit.demo.fx import FxTable
from tradecredit.demo.portfolio import to_dates, with_major_text
from tradecredit.kit.currencies import exponent

DOMESTIC_COUNTRY = "DE"
DOMESTIC_VAT_PERCENT = 19
LAST_DELIVERY_BEFORE_FILING = 15
"""Days before its insolvency filing after which a failing buyer receives no more invoices."""
ORDER_REFERENCE_SHARE = 0.8
DELIVERY_DATE_SHARE = 0.85


@dataclass(frozen=True)
class Invoices:
    """Invoice arrays in issue-date order, and the template frame built from them."""

    buyer: Ints
    issue: Days
    due: Days
    amount: Ints
    currency: list[str]
    frame: pl.DataFrame

    @property
    def n(self) -> int:
        return len(self.buyer)


def draw_invoices(rng: np.random.Generator, buyers: Buyers, fx: FxTable, *, end: date) -> Invoices:
    last = end.toordinal()
    stop = np.where(
        buyers.defaulted,
        buyers.default_day - rng.integers(0, LAST_DELIVERY_BEFORE_FILING + 1, buyers.n),
        last,
    )
    active_years = (stop - buyers.onboard_day + 1) / 365.25
    counts = rng.poisson(buyers.invoices_per_year * active_years)
    buyer = np.repeat(np.arange(buyers.n), counts)
    span = (stop - buyers.onboard_day + 1)[buyer]
    issue = buyers.onboard_day[buyer] + np.floor(rng.random(len(buyer)) * span).astype(np.int64)
    issue = np.clip(nearest_business_day(issue, last=last), buyers.onboard_day[buyer], stop[buyer])
    order = np.lexsort((buyer, issue))
    buyer, issue = buyer[order], issue[order]
    due = issue + buyers.terms[buyer]
    net, currency = _net_amounts(rng, buyers, fx, buyer, issue)
    domestic = np.array([buyers.countries[b] == DOMESTIC_COUNTRY for b in buyer], dtype=bool)
    vat = np.where(domestic, net * DOMESTIC_VAT_PERCENT // 100, 0)
    amount = net + vat
    frame = _frame(rng, buyers, buyer, issue, due, amount, np.where(domestic, vat, -1), currency)
    return Invoices(
        buyer=buyer, issue=issue, due=due, amount=amount, currency=currency, frame=frame
    )


def _net_amounts(
    rng: np.random.Generator, buyers: Buyers, fx: FxTable, buyer: Ints, issue: Days
) -> tuple[Ints, list[str]]:
    mean_eur = buyers.volume_eur / buyers.invoices_per_year
    size_eur = mean_eur[buyer] * np.exp(rng.normal(-0.125, 0.5, len(buyer)))
    currency = [buyers.invoice_currencies[b] for b in buyer]
    net = np.zeros(len(buyer), dtype=np.int64)
    codes = np.array(currency)
    for code in sorted(set(currency)):
        members = np.flatnonzero(codes == code)
        rate = fx.preceding_month_end(code, issue[members])
        scale = 10 ** exponent(code)
        net[members] = np.rint(size_eur[members] * rate * scale).astype(np.int64)
    floor = np.array([50 * 10 ** exponent(c) for c in currency], dtype=np.int64)
    return np.maximum(net, floor), currency


def _frame(
    rng: np.random.Generator,
    buyers: Buyers,
    buyer: Ints,
    issue: Days,
    due: Days,
    amount: Ints,
    vat: Ints,
    currency: list[str],
) -> pl.DataFrame:
    n = len(buyer)
    po_prefix = rng.integers(1000, 10000, buyers.n)
    delivered = rng.random(n) < DELIVERY_DATE_SHARE
    delivery = issue - rng.integers(0, 6, n)
    frame = pl.DataFrame(
        {
            "buyer": buyer,
            "issue_date": to_dates(issue),
            "due_date": to_dates(due),
            "amount_minor": amount,
            "vat_minor": vat,
            "currency": currency,
            "po_prefix": po_prefix[buyer],
            "has_po": rng.random(n) < ORDER_REFERENCE_SHARE,
            "delivery_date": to_dates(delivery),
            "delivered": delivered,
        }
    )
    year = pl.col("issue_date").dt.year()
    frame = frame.with_columns(
        pl.format(
            "INV-{}-{}",
            year,
            (pl.int_range(pl.len()) + 1).over(year).cast(pl.String).str.zfill(6),
        ).alias("invoice_number"),
        pl.when(pl.col("has_po"))
        .then(
            pl.format(
                "PO-{}-{}",
                pl.col("po_prefix"),
                (pl.int_range(pl.len()) + 1).over("buyer").cast(pl.String).str.zfill(5),
            )
        )
        .alias("order_reference"),
        pl.when(pl.col("delivered")).then(pl.col("delivery_date")).alias("delivery_date"),
        pl.when(pl.col("vat_minor") >= 0).then(pl.col("vat_minor")).alias("vat_minor"),
        pl.Series("buyer_registration_number", [buyers.registration_numbers[b] for b in buyer]),
        pl.Series("buyer_country", [buyers.countries[b] for b in buyer]),
    )
    text = with_major_text(frame, {"amount_minor": "amount", "vat_minor": "vat_amount"})
    return text.select(
        "invoice_number",
        "buyer_registration_number",
        "buyer_country",
        "currency",
        "amount",
        "issue_date",
        "due_date",
        "vat_amount",
        "order_reference",
        "delivery_date",
    )
