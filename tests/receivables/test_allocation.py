from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradecredit.receivables.allocation import OpenItem, allocate, oldest_first, open_minor

BASE = date(2026, 1, 1)


def item(number: str, due_offset: int, open_amount: int, issue_offset: int = 0) -> OpenItem:
    return OpenItem(
        invoice_id=uuid.uuid5(uuid.NAMESPACE_OID, number),
        invoice_number=number,
        issue_date=BASE + timedelta(days=issue_offset),
        due_date=BASE + timedelta(days=due_offset),
        open_minor=open_amount,
    )


def test_oldest_due_first_then_remainder_unapplied() -> None:
    a, b, c = item("A", 60, 100), item("B", 30, 200), item("C", 90, 300)
    result = allocate(450, [a, b, c])
    assert [(x.invoice_number, x.amount_minor) for x in result.allocations] == [
        ("B", 200),
        ("A", 100),
        ("C", 150),
    ]
    assert result.unapplied_minor == 0


def test_named_invoice_is_settled_first() -> None:
    a, b = item("A", 10, 100), item("B", 20, 100)
    result = allocate(150, [a, b], named=[b.invoice_id])
    assert [(x.invoice_number, x.amount_minor) for x in result.allocations] == [
        ("B", 100),
        ("A", 50),
    ]


def test_overpayment_stays_unapplied() -> None:
    result = allocate(500, [item("A", 10, 120)])
    assert result.unapplied_minor == 380
    assert allocate(70, []).unapplied_minor == 70


def test_ties_on_due_date_break_on_issue_date_then_number() -> None:
    items = [item("B", 30, 1, issue_offset=1), item("C", 30, 1), item("A", 30, 1, issue_offset=1)]
    assert [i.invoice_number for i in oldest_first(items)] == ["C", "A", "B"]


@pytest.mark.parametrize("amount", [0, -5, 1.5, True])
def test_only_positive_integer_minor_units_are_allocated(amount: object) -> None:
    with pytest.raises(ValueError, match="positive integer"):
        allocate(amount, [item("A", 1, 10)])  # type: ignore[arg-type]


def test_open_amount_never_goes_below_zero() -> None:
    assert open_minor(100, 80, 50) == 0
    assert open_minor(100, 30, 20) == 50


open_items = st.lists(
    st.tuples(st.integers(0, 400), st.integers(0, 10**9), st.integers(0, 30)),
    max_size=25,
).map(
    lambda rows: [
        item(f"I{n:03d}", due, amount, issue) for n, (due, amount, issue) in enumerate(rows)
    ]
)


@given(items=open_items, amount=st.integers(1, 10**10), data=st.data())
def test_allocation_invariants(items: list[OpenItem], amount: int, data: st.DataObject) -> None:
    named = data.draw(st.lists(st.sampled_from(items), max_size=3)) if items else []
    result = allocate(amount, items, named=[i.invoice_id for i in named])
    by_id = {i.invoice_id: i for i in items}
    allocated = sum(a.amount_minor for a in result.allocations)
    assert allocated + result.unapplied_minor == amount
    assert all(a.amount_minor > 0 for a in result.allocations)
    assert all(a.amount_minor <= by_id[a.invoice_id].open_minor for a in result.allocations)
    assert len({a.invoice_id for a in result.allocations}) == len(result.allocations)
    total_open = sum(i.open_minor for i in items)
    assert allocated == min(amount, total_open)
    if result.unapplied_minor > 0:
        assert allocated == total_open


@given(items=open_items, amount=st.integers(1, 10**10))
def test_without_names_nothing_younger_is_paid_before_an_older_invoice_is_settled(
    items: list[OpenItem], amount: int
) -> None:
    result = allocate(amount, items)
    paid = {a.invoice_id: a.amount_minor for a in result.allocations}
    ordered = [i for i in oldest_first(items) if i.open_minor > 0]
    for older, younger in itertools.pairwise(ordered):
        if paid.get(younger.invoice_id, 0) > 0:
            assert paid.get(older.invoice_id, 0) == older.open_minor
