"""The ageing report from the database (SQLite and PostgreSQL): snapshot, rates, shaping."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from analytics import db_ledger as db
from tradecredit.analytics.schemas import BUCKETS, AgeingReport
from tradecredit.analytics.service import ageing_report
from tradecredit.analytics.snapshot import load_snapshot
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.kit.errors import FxRateMissing, InvalidInput, UnknownCurrency
from tradecredit.organisations.roles import Role

AS_OF = date(2026, 9, 30)


def _ledger(engine: Engine, actor: Actor) -> None:
    """DE buyer: 1,000 EUR due 31 May, 400 paid -> 600 over 120 days; a 300 EUR invoice with a
    100 credit note -> 200 not due. US buyer: 2,500 USD due 30 Sep (due today = not yet due),
    and 1,000 USD due 15 Sep with 250 paid on 1 Oct (after the as-of date: not counted)."""
    with unit_of_work(engine) as s:
        db.company(s, actor, "DE1", country="DE", sector="C25")
        db.company(s, actor, "US1", country="US", sector="G46.7")
        db.invoice(s, actor, "I1", "DE1", "1000.00", issued=date(2026, 5, 1), due=date(2026, 5, 31))
        db.invoice(
            s, actor, "I2", "DE1", "300.00", issued=date(2026, 9, 20), due=date(2026, 10, 20)
        )
        db.invoice(
            s,
            actor,
            "I3",
            "US1",
            "2500.00",
            issued=date(2026, 8, 1),
            due=date(2026, 9, 30),
            currency="USD",
            country="US",
        )
        db.invoice(
            s,
            actor,
            "I4",
            "US1",
            "1000.00",
            issued=date(2026, 8, 16),
            due=date(2026, 9, 15),
            currency="USD",
            country="US",
        )
        db.payment(s, actor, "P1", "DE1", "400.00", date(2026, 6, 15), invoice_number="I1")
        db.credit_note(s, actor, "C1", "I2", "100.00", date(2026, 9, 25))
        db.payment(
            s,
            actor,
            "P2",
            "US1",
            "250.00",
            date(2026, 10, 1),
            currency="USD",
            country="US",
            invoice_number="I4",
        )
        db.rate(s, actor, "EUR", "USD", "1.2500", date(2026, 9, 28))
        db.rate(s, actor, "EUR", "USD", "1.1000", date(2026, 9, 1))
        db.rate(s, actor, "EUR", "USD", "2.0000", date(2026, 10, 1))


def _report(engine: Engine, actor: Actor, **options: object) -> AgeingReport:
    with unit_of_work(engine) as s:
        return ageing_report(s, actor=actor, as_of=AS_OF, **options)  # type: ignore[arg-type]


def _assert_reconciles(report: AgeingReport) -> None:
    for row in [*report.rows, report.totals]:
        assert sum(getattr(row, b) for b in BUCKETS) == row.total
    for column in (*BUCKETS, "total"):
        assert sum(getattr(row, column) for row in report.rows) == getattr(report.totals, column)


def test_multi_currency_ageing_by_buyer(engine: Engine, actor: Actor) -> None:
    _ledger(engine, actor)
    report = _report(engine, actor, by="buyer")
    assert report.currency == "EUR"
    by_label = {row.label: row for row in report.rows}
    us, de = by_label["Buyer US1 (US)"], by_label["Buyer DE1 (DE)"]
    # 2,500 USD / 1.25 = 2,000 EUR not yet due; 1,000 USD / 1.25 = 800 EUR 15 days past due.
    assert (us.not_yet_due, us.d1_30, us.total) == (
        Decimal("2000.00"),
        Decimal("800.00"),
        Decimal("2800.00"),
    )
    assert (de.not_yet_due, de.over_120, de.total) == (
        Decimal("200.00"),
        Decimal("600.00"),
        Decimal("800.00"),
    )
    assert de.share_over_120 == Decimal("0.7500")
    assert us.open_invoices == 2
    assert [row.label for row in report.rows] == ["Buyer US1 (US)", "Buyer DE1 (DE)"]
    assert report.totals.total == Decimal("3600.00")
    assert report.totals.share_over_120 == Decimal("0.1667")
    assert [(r.base_currency, r.quote_currency, r.rate, r.rate_date) for r in report.fx_rates] == [
        ("EUR", "USD", Decimal("1.2500"), date(2026, 9, 28))
    ]
    assert report.fx_note == "converted to EUR at rates of 2026-09-28 (USD)"
    _assert_reconciles(report)


def test_every_grouping_reconciles_to_the_same_total(engine: Engine, actor: Actor) -> None:
    _ledger(engine, actor)
    for by in ("total", "buyer", "country", "sector", "currency"):
        report = _report(engine, actor, by=by)
        assert report.totals.total == Decimal("3600.00"), by
        _assert_reconciles(report)
    sectors = {row.key: row.label for row in _report(engine, actor, by="sector").rows}
    assert sectors == {
        "C": "Manufacturing",
        "G": "Wholesale and retail trade; repair of motor vehicles",
    }


def test_dso_is_reported_with_its_method(engine: Engine, actor: Actor) -> None:
    _ledger(engine, actor)
    dso = _report(engine, actor).dso
    # Sales: May 1,000; Aug 2,000 (2,500 USD) + 800 (1,000 USD); Sep 300 EUR. Open 3,600.
    # Countback: Sep 30 days (300) -> 3,300 left; Aug 31 days (2,800) -> 500 left;
    # Jul (no sales) 31 days; Jun (no sales) 30 days; May: 500 / 1,000 x 31 = 15.5
    # -> 30 + 31 + 31 + 30 + 15.5 = 137.5 days.
    assert dso.countback_days == Decimal("137.5")
    # Standard: 3 Jul - 30 Sep sales 3,100; 3,600 / 3,100 x 90 = 104.5 days.
    assert dso.period_sales == Decimal("3100.00")
    assert dso.standard_days == Decimal("104.5")
    assert dso.open_balance == Decimal("3600.00")
    assert "Countback" in dso.method
    assert "Standard" in dso.method


def test_report_currency_override_and_missing_rate(engine: Engine, actor: Actor) -> None:
    _ledger(engine, actor)
    in_usd = _report(engine, actor, currency="usd")
    assert in_usd.currency == "USD"
    assert in_usd.totals.total == Decimal("4500.00")  # 3,500 USD + 800 EUR x 1.25
    with pytest.raises(FxRateMissing, match="EUR/GBP exchange rate on or before 2026-09-30"):
        _report(engine, actor, currency="GBP")
    with pytest.raises(UnknownCurrency):
        _report(engine, actor, currency="EURO")
    with pytest.raises(InvalidInput, match="invalid grouping"):
        _report(engine, actor, by="region")


def test_a_single_currency_ledger_says_so(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as s:
        db.company(s, actor, "DE1")
        db.invoice(s, actor, "I1", "DE1", "10.00", issued=date(2026, 9, 1), due=date(2026, 9, 30))
    report = _report(engine, actor)
    assert report.fx_rates == []
    assert report.fx_note == "single currency (EUR), no conversion"
    assert report.totals.not_yet_due == Decimal("10.00")


def test_top_limits_rows_but_not_totals(engine: Engine, actor: Actor) -> None:
    _ledger(engine, actor)
    report = _report(engine, actor, by="buyer", top=1)
    assert len(report.rows) == 1
    assert report.rows_omitted == 1
    assert report.totals.total == Decimal("3600.00")


def test_other_organisations_ledgers_are_not_counted(engine: Engine, actor: Actor) -> None:
    _ledger(engine, actor)
    other = db.make_tenant(engine)
    with unit_of_work(engine) as s:
        db.company(s, other.admin, "DE1")
        db.invoice(
            s, other.admin, "I1", "DE1", "99.00", issued=date(2026, 9, 1), due=date(2026, 9, 1)
        )
    assert _report(engine, other.admin).totals.total == Decimal("99.00")
    assert _report(engine, actor).totals.total == Decimal("3600.00")
    viewer = Actor(org_id=other.org_id, name="viewer", role=Role.VIEWER)
    assert _report(engine, viewer).totals.total == Decimal("99.00")


def test_settlements_of_invoices_issued_after_the_date_are_left_out(
    engine: Engine, actor: Actor
) -> None:
    with unit_of_work(engine) as s:
        db.company(s, actor, "DE1")
        db.invoice(
            s, actor, "LATE", "DE1", "50.00", issued=date(2026, 10, 5), due=date(2026, 11, 4)
        )
        db.payment(s, actor, "P", "DE1", "20.00", date(2026, 9, 15))  # allocated to LATE
    with unit_of_work(engine) as s:
        snapshot = load_snapshot(s, actor=actor, as_of=AS_OF)
    assert snapshot.invoices.height == 0
    assert snapshot.allocations.height == 0
    assert _report(engine, actor).totals.total == Decimal("0.00")
