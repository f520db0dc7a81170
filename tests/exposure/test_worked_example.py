"""The worked example (tests/exposure/ledger.py, docs/exposure.md), to the cent, on both DBs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from exposure import ledger
from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.exposure.service import Exposure, buyer_exposures, group_exposure_result
from tradecredit.kit.errors import NotFound


def amounts(found: Exposure) -> tuple[str, str, str, str, date | None]:
    return (
        str(found.open_invoices),
        str(found.uninvoiced_orders),
        str(found.uninvoiced_deliveries),
        str(found.total),
        found.fx_rate_date,
    )


@pytest.mark.parametrize(
    ("as_of", "buyer", "expected"),
    [
        (date(2026, 3, 25), "A", ("2060.00", "1800.00", "800.00", "4660.00", date(2026, 3, 20))),
        (date(2026, 3, 25), "X", ("50.00", "0.00", "100.00", "150.00", None)),
        (date(2026, 3, 12), "A", ("1881.82", "1200.00", "800.00", "3881.82", date(2026, 3, 1))),
        (date(2026, 3, 2), "X", ("50.00", "200.00", "100.00", "350.00", None)),
        (date(2026, 2, 27), "A", ("1100.00", "0.00", "600.00", "1700.00", None)),
        (date(2026, 3, 25), "P", ("0.00", "0.00", "0.00", "0.00", None)),
    ],
)
def test_worked_example(
    engine: Engine, actor: Actor, as_of: date, buyer: str, expected: tuple[object, ...]
) -> None:
    ledger.build(engine, actor)
    with unit_of_work(engine) as s:
        company = ledger.company_id(s, actor, buyer)
        found = buyer_exposures(s, actor=actor, company_ids=[company], as_of=as_of, currency="EUR")
        everyone = buyer_exposures(s, actor=actor, as_of=as_of, currency="EUR")
    assert amounts(found[company]) == expected
    assert everyone[company] == found[company]
    assert len(everyone) == 5


def test_an_invoiced_order_is_counted_once(engine: Engine, actor: Actor) -> None:
    """O-2 (600.00, delivered) is invoiced by INV-4 on 03-05: before, it is an uninvoiced
    delivery; from then on only the invoice counts; the total does not move."""
    ledger.build(engine, actor)
    with unit_of_work(engine) as s:
        a = ledger.company_id(s, actor, "A")
        before = buyer_exposures(
            s, actor=actor, company_ids=[a], as_of=date(2026, 3, 4), currency="EUR"
        )[a]
        after = buyer_exposures(
            s, actor=actor, company_ids=[a], as_of=date(2026, 3, 5), currency="EUR"
        )[a]
    assert after.open_invoices - before.open_invoices == Decimal("600.00")
    assert before.uninvoiced_deliveries - after.uninvoiced_deliveries == Decimal("600.00")
    assert after.total == before.total


def test_group_roll_up_over_three_levels(engine: Engine, actor: Actor) -> None:
    ledger.build(engine, actor)
    as_of = date(2026, 3, 25)
    with unit_of_work(engine) as s:
        ids = {reg: ledger.company_id(s, actor, reg) for reg in "PMAXB"}
        whole = group_exposure_result(s, actor=actor, as_of=as_of, currency="EUR")
        of_a = group_exposure_result(
            s, actor=actor, as_of=as_of, currency="EUR", member_of=ids["A"]
        )
    groups = {row["group_id"]: row for row in whole.rows.iter_rows(named=True)}
    assert set(groups) == {str(ids["P"]), str(ids["B"])}
    top = groups[str(ids["P"])]
    assert (top["members"], top["total_minor"]) == (4, 481000)
    assert top["uninvoiced_deliveries_minor"] == 90000
    assert top["fx_rate_date"] == date(2026, 3, 20)
    assert groups[str(ids["B"])]["total_minor"] == 0
    assert of_a.rows.to_dicts() == [top]
    assert of_a.members is not None
    assert sorted(of_a.members["company_id"].to_list()) == sorted(str(ids[r]) for r in "PMAX")


def test_another_organisation_sees_none_of_it(
    engine: Engine, actor: Actor, other_actor: Actor
) -> None:
    ledger.build(engine, actor)
    with unit_of_work(engine) as s:
        a = ledger.company_id(s, actor, "A")
        assert buyer_exposures(s, actor=other_actor, as_of=date(2026, 3, 25), currency="EUR") == {}
        with pytest.raises(NotFound):
            group_exposure_result(
                s, actor=other_actor, as_of=date(2026, 3, 25), currency="EUR", member_of=a
            )
