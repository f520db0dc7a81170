"""The pure ageing function: buckets, open amounts as of a date, groupings, conversion."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from analytics.ledgers import AS_OF, NO_RATES, Ledger, rates
from tradecredit.analytics.ageing import AgeingResult, age_ledger
from tradecredit.analytics.open_items import bucket_index, open_items
from tradecredit.analytics.schemas import BUCKETS
from tradecredit.fx.rates import RateTable
from tradecredit.kit.errors import FxRateMissing, InvalidInput

DAYS_TO_BUCKET = {
    -10: "not_yet_due",
    0: "not_yet_due",
    1: "d1_30",
    30: "d1_30",
    31: "d31_60",
    60: "d31_60",
    61: "d61_90",
    90: "d61_90",
    91: "d91_120",
    120: "d91_120",
    121: "over_120",
    400: "over_120",
}


def _one_buyer() -> Ledger:
    ledger = Ledger()
    ledger.company("A")
    return ledger


def _age(
    ledger: Ledger, *, by: str = "total", currency: str = "EUR", rates: RateTable = NO_RATES
) -> AgeingResult:
    return age_ledger(ledger.snapshot(), as_of=AS_OF, by=by, currency=currency, rates=rates)


@pytest.mark.parametrize(("days", "bucket"), DAYS_TO_BUCKET.items())
def test_bucket_boundaries(days: int, bucket: str) -> None:
    assert BUCKETS[bucket_index(days)] == bucket
    ledger = _one_buyer()
    ledger.invoice("I", 1234, due=AS_OF - timedelta(days=days), issued=AS_OF - timedelta(days=500))
    totals = _age(ledger).totals
    assert totals[bucket] == 1234
    assert totals["total"] == 1234
    assert all(totals[other] == 0 for other in BUCKETS if other != bucket)


def test_every_boundary_in_one_ledger_adds_up_to_the_open_balance() -> None:
    ledger = _one_buyer()
    for n, days in enumerate(DAYS_TO_BUCKET):
        ledger.invoice(f"I{n}", 100 + n, due=AS_OF - timedelta(days=days), issued=date(2025, 1, 1))
    totals = _age(ledger).totals
    expected = dict.fromkeys(BUCKETS, 0)
    for n, bucket in enumerate(DAYS_TO_BUCKET.values()):
        expected[bucket] += 100 + n
    assert {b: totals[b] for b in BUCKETS} == expected
    assert totals["total"] == sum(100 + n for n in range(len(DAYS_TO_BUCKET)))
    assert totals["open_invoices"] == len(DAYS_TO_BUCKET)


def test_invoices_issued_after_the_as_of_date_are_left_out() -> None:
    ledger = _one_buyer()
    ledger.invoice("late", 500, issued=AS_OF + timedelta(days=1), due=AS_OF + timedelta(days=31))
    ledger.invoice("on", 700, issued=AS_OF, due=AS_OF + timedelta(days=30))
    totals = _age(ledger).totals
    assert totals["not_yet_due"] == 700
    assert totals["open_invoices"] == 1


def test_settlements_dated_after_the_as_of_date_do_not_count() -> None:
    ledger = _one_buyer()
    ledger.invoice("I", 10_000, due=AS_OF - timedelta(days=45), issued=date(2026, 7, 1))
    ledger.pay("I", 3_000, AS_OF)
    ledger.pay("I", 4_000, AS_OF + timedelta(days=1))
    ledger.credit("I", 1_000, AS_OF - timedelta(days=3))
    ledger.credit("I", 2_000, AS_OF + timedelta(days=10))
    totals = _age(ledger).totals
    assert totals["d31_60"] == 6_000
    later = age_ledger(
        ledger.snapshot(), as_of=AS_OF + timedelta(days=10), currency="EUR", rates=NO_RATES
    )
    assert later.totals["total"] == 0
    assert later.totals["open_invoices"] == 0


def test_over_settled_invoices_floor_at_zero_and_do_not_offset_others() -> None:
    ledger = _one_buyer()
    ledger.invoice("paid", 1_000, due=AS_OF - timedelta(days=5), issued=date(2026, 8, 1))
    ledger.pay("paid", 1_000, date(2026, 9, 1))
    ledger.credit("paid", 400, date(2026, 9, 2))
    ledger.invoice("open", 2_500, due=AS_OF - timedelta(days=5), issued=date(2026, 8, 1))
    items = open_items(ledger.snapshot(), as_of=AS_OF)
    assert items["open_minor"].to_list() == [2_500]
    totals = _age(ledger).totals
    assert totals["d1_30"] == 2_500


def test_grouping_by_buyer_country_sector_and_currency() -> None:
    ledger = Ledger()
    ledger.company("A", country="DE", sector="C25.11")
    ledger.company("B", country="FR", sector="G46")
    ledger.company("C", country="DE", sector="G47.1")
    ledger.invoice("1", 1_000, company="A", due=AS_OF)
    ledger.invoice("2", 3_000, company="B", due=AS_OF - timedelta(days=200))
    ledger.invoice("3", 500, company="C", due=AS_OF - timedelta(days=10))
    ledger.invoice("4", 200, company="C", currency="USD", due=AS_OF - timedelta(days=10))
    table = rates(("EUR", "USD", "2.0000", AS_OF))
    by = {
        grouping: [
            (r["key"], r["label"], r["total"])
            for r in _age(ledger, by=grouping, rates=table).rows.to_dicts()
        ]
        for grouping in ("buyer", "country", "sector", "currency", "total")
    }
    assert by["buyer"] == [
        ("B", "Buyer B (FR)", 3000),
        ("A", "Buyer A (DE)", 1000),
        ("C", "Buyer C (DE)", 600),
    ]
    assert by["country"] == [("FR", "France", 3000), ("DE", "Germany", 1600)]
    assert by["sector"] == [
        ("G", "Wholesale and retail trade; repair of motor vehicles", 3600),
        ("C", "Manufacturing", 1000),
    ]
    assert by["currency"] == [("EUR", "Euro", 4500), ("USD", "US Dollar", 100)]
    assert by["total"] == [("total", "All buyers", 4600)]


def test_share_over_120_has_four_decimals_and_is_none_without_balance() -> None:
    ledger = _one_buyer()
    ledger.invoice("old", 1, due=AS_OF - timedelta(days=121), issued=date(2026, 1, 1))
    ledger.invoice("new", 2, due=AS_OF, issued=date(2026, 9, 1))
    totals = _age(ledger).totals
    assert totals["share_over_120_e4"] == 3333
    assert _age(Ledger()).totals == {
        **dict.fromkeys(BUCKETS, 0),
        "open_invoices": 0,
        "total": 0,
        "share_over_120_e4": None,
    }


def test_conversion_uses_the_latest_rate_on_or_before_the_as_of_date() -> None:
    ledger = _one_buyer()
    ledger.invoice("usd", 10_000, currency="USD", due=AS_OF)
    table = rates(
        ("EUR", "USD", "1.2500", AS_OF - timedelta(days=30)),
        ("EUR", "USD", "1.0850", AS_OF - timedelta(days=1)),
        ("EUR", "USD", "0.5000", AS_OF + timedelta(days=1)),
    )
    result = _age(ledger, rates=table)
    assert result.totals["total"] == 9217  # 100 USD / 1.0850 = 92.1659 EUR
    (conversion,) = result.conversions
    assert [(r.rate_date, str(r.rate)) for r in conversion.rates] == [
        (AS_OF - timedelta(days=1), "1.0850")
    ]


def test_a_missing_rate_names_the_pair_and_the_date() -> None:
    ledger = _one_buyer()
    ledger.invoice("gbp", 10_000, currency="GBP", due=AS_OF)
    only_later = rates(("EUR", "GBP", "0.85", AS_OF + timedelta(days=1)))
    with pytest.raises(FxRateMissing) as raised:
        _age(ledger, rates=only_later)
    assert "GBP/EUR" in raised.value.message
    assert AS_OF.isoformat() in raised.value.message
    assert raised.value.details == {"base": "GBP", "quote": "EUR", "as_of": AS_OF.isoformat()}


def test_unknown_grouping_and_currency_are_refused() -> None:
    with pytest.raises(InvalidInput, match="invalid grouping"):
        _age(_one_buyer(), by="region")
    with pytest.raises(InvalidInput, match="unknown currency"):
        _age(_one_buyer(), currency="XXY")


def test_amounts_beyond_64_bit_arithmetic_are_refused_not_wrapped() -> None:
    ledger = _one_buyer()
    ledger.invoice("a", 2**62, due=AS_OF)
    ledger.invoice("b", 2**62, due=AS_OF)
    with pytest.raises(InvalidInput, match="beyond 64-bit"):
        _age(ledger)
    converted = _one_buyer()
    converted.invoice("c", 10**15, due=AS_OF)
    with pytest.raises(InvalidInput, match="exceeds 64-bit"):
        _age(converted, currency="USD", rates=rates(("EUR", "USD", "1000000", AS_OF)))
