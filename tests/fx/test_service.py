"""FX rates in the database: validation, one quote per pair and day, audit, reading back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, select

from analytics import db_ledger as db
from tradecredit.audit.models import AuditEvent
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.fx.schemas import FxRateCreate
from tradecredit.fx.service import add_rate, get_rate, list_rates, rate_table
from tradecredit.kit.dates import DateRange
from tradecredit.kit.errors import AlreadyExists, NotFound, PermissionDenied
from tradecredit.organisations.roles import Role

DAY = date(2026, 9, 30)


def _create(**fields: object) -> FxRateCreate:
    body = {"rate_date": DAY, "base_currency": "EUR", "quote_currency": "USD", "rate": "1.0850"}
    return FxRateCreate.model_validate(body | fields)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rate": 1.085}, "decimal strings"),
        ({"rate": "0"}, "positive"),
        ({"rate": "-1.2"}, "positive"),
        ({"rate": "abc"}, "not a decimal"),
        ({"rate": "1." + "1" * 25}, "significant digits"),
        ({"rate": "1E-50"}, "out of range"),
        ({"quote_currency": "EUR"}, "both EUR"),
        ({"base_currency": "XXY"}, "unknown currency"),
        ({"surprise": 1}, "Extra inputs"),
    ],
)
def test_rates_are_validated_precisely(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _create(**fields)


def test_a_rate_is_stored_exactly_and_audited(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as s:
        stored = add_rate(s, actor=actor, data=_create(base_currency="eur", rate="1.08500"))
    with unit_of_work(engine) as s:
        again = get_rate(s, actor=actor, rate_id=stored.id)
        assert (again.base_currency, again.rate, again.rate_date) == (
            "EUR",
            Decimal("1.08500"),
            DAY,
        )
        events = s.scalars(
            select(AuditEvent).where(
                AuditEvent.org_id == actor.org_id, AuditEvent.entity_id == str(stored.id)
            )
        ).all()
        assert [e.action for e in events] == ["fx_rate.created"]
        assert '"rate":"1.08500"' in (events[0].after or "")


def test_one_quote_per_pair_and_day_in_either_direction(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as s:
        add_rate(s, actor=actor, data=_create())
    for duplicate in (
        _create(rate="1.09"),
        _create(base_currency="USD", quote_currency="EUR", rate="0.92"),
    ):
        with (
            unit_of_work(engine) as s,
            pytest.raises(AlreadyExists, match="EUR/USD rate for 2026-09-30"),
        ):
            add_rate(s, actor=actor, data=duplicate)
    with unit_of_work(engine) as s:
        add_rate(s, actor=actor, data=_create(rate_date=date(2026, 10, 1)))


def test_writing_rates_needs_ledger_rights(engine: Engine, actor: Actor) -> None:
    viewer = Actor(org_id=actor.org_id, name="viewer", role=Role.VIEWER)
    with unit_of_work(engine) as s, pytest.raises(PermissionDenied):
        add_rate(s, actor=viewer, data=_create())


def test_listing_filters_by_half_open_date_range_and_currency(engine: Engine, actor: Actor) -> None:
    with unit_of_work(engine) as s:
        for day, quote in ((1, "USD"), (2, "USD"), (3, "GBP"), (4, "USD")):
            db.rate(s, actor, "EUR", quote, "1.1", date(2026, 9, day))
    with unit_of_work(engine) as s:
        september_2_to_3 = list_rates(
            s, actor=actor, dates=DateRange(date(2026, 9, 2), date(2026, 9, 4))
        )
        assert [(r.rate_date.day, r.quote_currency) for r in september_2_to_3] == [
            (3, "GBP"),
            (2, "USD"),
        ]
        usd = list_rates(s, actor=actor, currency="USD", limit=2)
        assert [r.rate_date.day for r in usd] == [4, 2]


def test_other_organisations_rates_are_invisible(engine: Engine, actor: Actor) -> None:
    other = db.make_tenant(engine)
    with unit_of_work(engine) as s:
        theirs = add_rate(s, actor=other.admin, data=_create())
    with unit_of_work(engine) as s:
        with pytest.raises(NotFound):
            get_rate(s, actor=actor, rate_id=theirs.id)
        assert list_rates(s, actor=actor) == []
        assert rate_table(s, actor=actor, as_of=DAY).latest == {}


def test_rate_table_holds_the_latest_rate_on_or_before_the_date(
    engine: Engine, actor: Actor
) -> None:
    with unit_of_work(engine) as s:
        db.rate(s, actor, "EUR", "USD", "1.10", date(2026, 9, 1))
        db.rate(s, actor, "EUR", "USD", "1.20", date(2026, 9, 29))
        db.rate(s, actor, "EUR", "USD", "1.30", date(2026, 10, 1))
        db.rate(s, actor, "GBP", "EUR", "1.15", date(2026, 8, 31))
    with unit_of_work(engine) as s:
        table = rate_table(s, actor=actor, as_of=DAY)
    assert {pair: (r.rate, r.rate_date) for pair, r in table.latest.items()} == {
        ("EUR", "USD"): (Decimal("1.20"), date(2026, 9, 29)),
        ("GBP", "EUR"): (Decimal("1.15"), date(2026, 8, 31)),
    }
