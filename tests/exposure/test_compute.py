"""The pure exposure rules over frames: order positions, groups (cycles included), roll-up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from tradecredit.exposure.compute import (
    DELIVERY_SCHEMA,
    OPEN_ITEM_SCHEMA,
    ORDER_INVOICE_SCHEMA,
    ORDER_SCHEMA,
    buyer_exposure,
    group_exposure,
    order_positions,
    ultimate_parents,
)
from tradecredit.fx.rates import DatedRate, RateTable
from tradecredit.kit.errors import FxRateMissing

AS_OF = date(2026, 3, 31)
RATES = RateTable.from_rates(
    [DatedRate("EUR", "USD", Decimal("1.25"), date(2026, 3, 1))], as_of=AS_OF
)


def frame(rows: list[tuple[Any, ...]], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def positions(
    orders: list[tuple[Any, ...]],
    deliveries: list[tuple[Any, ...]] = (),  # type: ignore[assignment]
    invoices: list[tuple[Any, ...]] = (),  # type: ignore[assignment]
) -> dict[str, tuple[int, int]]:
    found = order_positions(
        orders=frame(orders, ORDER_SCHEMA),
        deliveries=frame(list(deliveries), DELIVERY_SCHEMA),
        invoices=frame(list(invoices), ORDER_INVOICE_SCHEMA),
        as_of=AS_OF,
        rates=RATES,
    )
    return {
        row["order_reference"]: (row["uninvoiced_orders_minor"], row["uninvoiced_deliveries_minor"])
        for row in found.iter_rows(named=True)
    }


def order(ref: str, amount: int, status: str = "ordered", **extra: Any) -> tuple[Any, ...]:
    return (
        ref,
        "c1",
        extra.get("currency", "EUR"),
        amount,
        extra.get("on", date(2026, 3, 1)),
        status,
        extra.get("cancelled_on"),
    )


def test_invoices_take_deliveries_first_and_never_go_below_zero() -> None:
    found = positions(
        [order("O1", 1000), order("O2", 1000), order("O3", 1000)],
        [("O1", 600, date(2026, 3, 2)), ("O2", 300, date(2026, 3, 2))],
        [
            ("O1", "EUR", 400, date(2026, 3, 3)),
            ("O2", "EUR", 500, date(2026, 3, 3)),
            ("O3", "EUR", 1500, date(2026, 3, 3)),
        ],
    )
    assert found == {"O1": (400, 200), "O2": (500, 0), "O3": (0, 0)}


def test_dates_status_and_cancellation() -> None:
    found = positions(
        [
            order("LATER", 100, on=date(2026, 4, 1)),
            order("DONE", 100, "invoiced"),
            order("CANCELLED", 100, "cancelled", cancelled_on=date(2026, 3, 5)),
            order("CANCELLED-UNDATED", 100, "cancelled"),
            order("CANCELLED-LATER", 100, "cancelled", cancelled_on=date(2026, 4, 2)),
        ],
        [("CANCELLED", 40, date(2026, 3, 2)), ("CANCELLED-LATER", 70, date(2026, 4, 1))],
        [("CANCELLED", "EUR", 10, date(2026, 4, 1))],
    )
    assert found == {
        "CANCELLED": (0, 40),
        "CANCELLED-UNDATED": (0, 0),
        "CANCELLED-LATER": (100, 0),
    }


def test_an_invoice_in_another_currency_counts_at_the_dated_rate() -> None:
    found = positions(
        [order("O1", 100000)],  # 1000.00 EUR
        invoices=[("O1", "USD", 62500, date(2026, 3, 3))],  # 625.00 USD = 500.00 EUR
    )
    assert found == {"O1": (50000, 0)}
    with pytest.raises(FxRateMissing, match="GBP/EUR"):
        positions([order("O1", 100)], invoices=[("O1", "GBP", 10, date(2026, 3, 3))])


def groups(links: dict[str, str | None]) -> dict[str, str]:
    companies = pl.DataFrame(
        {"id": list(links), "group_parent_id": list(links.values())},
        schema={"id": pl.String, "group_parent_id": pl.String},
    )
    found = ultimate_parents(companies)
    return dict(zip(found["company_id"], found["group_id"], strict=True))


def test_ultimate_parents_over_levels_cycles_and_outsiders() -> None:
    assert groups({"a": "b", "b": "c", "c": None, "d": "c", "e": None}) == {
        "a": "c",
        "b": "c",
        "c": "c",
        "d": "c",
        "e": "e",
    }
    assert groups({"x": "y", "y": "z", "z": "y", "w": "x"}) == {
        "x": "y",
        "y": "y",
        "z": "y",
        "w": "y",
    }
    assert groups({"s": "s", "t": "elsewhere"}) == {"s": "s", "t": "t"}


def test_group_figures_are_sums_of_member_figures() -> None:
    companies = pl.DataFrame(
        {"id": ["a", "b", "c"], "group_parent_id": [None, "a", "b"]},
        schema={"id": pl.String, "group_parent_id": pl.String},
    )
    open_items = frame([("b", "EUR", 333), ("c", "USD", 125), ("c", "EUR", 1)], OPEN_ITEM_SCHEMA)
    no_orders = order_positions(
        orders=frame([], ORDER_SCHEMA),
        deliveries=frame([], DELIVERY_SCHEMA),
        invoices=frame([], ORDER_INVOICE_SCHEMA),
        as_of=AS_OF,
        rates=RATES,
    )
    buyers = buyer_exposure(
        companies=companies,
        open_items=open_items,
        positions=no_orders,
        as_of=AS_OF,
        currency="EUR",
        rates=RATES,
    )
    assert buyers.rows["total_minor"].to_list() == [0, 333, 101]
    grouped = group_exposure(buyers, ultimate_parents(companies))
    assert grouped.rows.select("group_id", "members", "total_minor").rows() == [("a", 3, 434)]
    assert grouped.rows["fx_rate_date"].to_list() == [date(2026, 3, 1)]
