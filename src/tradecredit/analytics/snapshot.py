"""The ledger as of a date, as Polars frames: what the pure analytics functions take as input.

Rows refer to each other by row position, so the analytics never hash-join millions of ids:
an invoice's `company` is its buyer's row in `companies`, an allocation's or credit note's
`invoice` is the invoice's row in `invoices`. The external ids stay alongside (`companies.id`,
`invoices.ref`) for the output. Currencies may be a String or an Enum column (the loader gives
an Enum, which makes grouping by currency free). `from_keyed_frames` builds a snapshot from frames that refer to
each other by id instead; `load_snapshot` reads one from the database with plain column selects
(no ORM objects), every one filtered on the organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import Select, String, cast, select, type_coerce
from sqlalchemy.orm import Session

from tradecredit.companies.models import Company
from tradecredit.context import Actor
from tradecredit.kit.errors import InvalidInput
from tradecredit.receivables.models import Allocation, CreditNote, Invoice

INVOICE_SCHEMA: dict[str, Any] = {
    "ref": pl.String,
    "company": pl.Int64,
    "currency": pl.String,
    "amount_minor": pl.Int64,
    "issue_date": pl.Date,
    "due_date": pl.Date,
}
ALLOCATION_SCHEMA: dict[str, Any] = {
    "invoice": pl.Int64,
    "amount_minor": pl.Int64,
    "applied_on": pl.Date,
}
CREDIT_NOTE_SCHEMA: dict[str, Any] = {
    "invoice": pl.Int64,
    "amount_minor": pl.Int64,
    "issue_date": pl.Date,
}
COMPANY_SCHEMA: dict[str, Any] = {
    "id": pl.String,
    "name": pl.String,
    "country": pl.String,
    "sector": pl.String,
}


@dataclass(frozen=True)
class LedgerSnapshot:
    """Invoices, allocations, credit notes and the buyers, linked by row position."""

    as_of: date
    invoices: pl.DataFrame
    allocations: pl.DataFrame
    credit_notes: pl.DataFrame
    companies: pl.DataFrame

    def __post_init__(self) -> None:
        """Check the links, and make every frame contiguous (gathers on chunks are slow)."""
        for name in ("invoices", "allocations", "credit_notes", "companies"):
            object.__setattr__(self, name, getattr(self, name).rechunk())
        _check_links(self.invoices["company"], self.companies.height, "invoices", "company")
        for name in ("allocations", "credit_notes"):
            frame: pl.DataFrame = getattr(self, name)
            _check_links(frame["invoice"], self.invoices.height, name, "invoice")


def _check_links(links: pl.Series, rows: int, frame: str, column: str) -> None:
    if links.is_empty():
        return
    low, high = links.min(), links.max()
    if links.null_count() or not (isinstance(low, int) and isinstance(high, int)):
        raise InvalidInput(f"{frame}.{column} must be integer row positions without gaps")
    if low < 0 or high >= rows:
        raise InvalidInput(
            f"{frame}.{column} refers to rows {low}..{high}, but only 0..{rows - 1} exist"
        )


def _linked(frame: pl.DataFrame, column: str, ids: pl.Series, new: str) -> pl.DataFrame:
    """Replace the id in `column` by the row position of that id in `ids` (unknown: dropped)."""
    index = pl.DataFrame({column: ids}).with_row_index(new).with_columns(pl.col(new).cast(pl.Int64))
    joined = frame.with_columns(pl.col(column).cast(ids.dtype)).join(
        index, on=column, how="inner", maintain_order="left"
    )
    return joined.drop(column)


def _positions(frame: pl.DataFrame, column: str, ids: pl.Series, new: str) -> pl.DataFrame:
    """`_linked`, for rows that must all find their id (invoices and their company)."""
    linked = _linked(frame, column, ids, new)
    if linked.height != frame.height:
        raise InvalidInput(f"some invoices name a {new} that is not in the companies frame")
    return linked


def from_keyed_frames(
    *,
    as_of: date,
    invoices: pl.DataFrame,
    allocations: pl.DataFrame,
    credit_notes: pl.DataFrame,
    companies: pl.DataFrame,
) -> LedgerSnapshot:
    """A snapshot from frames linked by ids: invoices (id, company_id, ...), allocations and
    credit notes (invoice_id, ...), companies (id, ...). Settlements of invoices that are not in
    `invoices` are dropped; an invoice whose company is missing is an error."""
    linked = _positions(invoices, "company_id", companies["id"], "company")
    return LedgerSnapshot(
        as_of=as_of,
        invoices=linked.rename({"id": "ref"}).with_columns(pl.col("ref").cast(pl.String)),
        allocations=_linked(allocations, "invoice_id", invoices["id"], "invoice"),
        credit_notes=_linked(credit_notes, "invoice_id", invoices["id"], "invoice"),
        companies=companies.with_columns(pl.col("id").cast(pl.String)),
    )


def _text_id(column: Any, postgres: bool) -> Any:
    """An id column as text: PostgreSQL casts (its driver would build UUID objects), SQLite
    stores 32 hex digits, read as they are (`_dashed` formats them)."""
    return cast(column, String) if postgres else type_coerce(column, String)


def _raw_date(column: Any, postgres: bool) -> Any:
    """A date column as the driver gives it: a date (PostgreSQL) or ISO text (SQLite), parsed
    by Polars instead of row by row."""
    return column if postgres else type_coerce(column, String)


def _dashed(name: str) -> pl.Expr:
    """32 hex digits as a UUID's text form (8-4-4-4-12), as `str(uuid.UUID(...))` gives it."""
    column = pl.col(name)
    parts = [column.str.slice(start, length) for start, length in _UUID_PARTS]
    return pl.concat_str(parts, separator="-").alias(name)


_UUID_PARTS = ((0, 8), (8, 4), (12, 4), (16, 4), (20, 12))


def _frame(
    session: Session, query: Select[Any], schema: dict[str, Any], *, ids: Sequence[str]
) -> pl.DataFrame:
    """The query's rows as a frame of `schema`; `ids` are text id columns (`_text_id`), dates
    come as `_raw_date` gives them."""
    postgres = session.get_bind().dialect.name == "postgresql"
    raw_schema = {
        name: (pl.String if kind == pl.Date and not postgres else kind)
        for name, kind in schema.items()
    }
    frame = pl.DataFrame(session.execute(query).all(), schema=raw_schema, orient="row")
    if postgres:
        return frame
    dates = [name for name, kind in schema.items() if kind == pl.Date]
    return frame.with_columns(
        *[_dashed(name) for name in ids],
        *[pl.col(name).str.to_date("%Y-%m-%d") for name in dates],
    )


def load_snapshot(session: Session, *, actor: Actor, as_of: date) -> LedgerSnapshot:
    """The organisation's ledger as of `as_of`, companies in id order, invoices in id order.

    The rows come from the driver as text and numbers (ids and, on SQLite, dates), and Polars
    builds the columns: converting 75,000 invoices through SQLAlchemy's UUID and date types took
    0.67 s, reading them raw 0.18 s."""
    org = actor.org_id
    postgres = session.get_bind().dialect.name == "postgresql"
    companies = _frame(
        session,
        select(_text_id(Company.id, postgres), Company.name, Company.country, Company.sector)
        .where(Company.org_id == org)
        .order_by(Company.id),
        COMPANY_SCHEMA,
        ids=["id"],
    )
    keyed = _frame(
        session,
        select(
            _text_id(Invoice.id, postgres),
            _text_id(Invoice.company_id, postgres),
            Invoice.currency,
            Invoice.amount_minor,
            _raw_date(Invoice.issue_date, postgres),
            _raw_date(Invoice.due_date, postgres),
        )
        .where(Invoice.org_id == org, Invoice.issue_date <= as_of)
        .order_by(Invoice.id),
        {"ref": pl.String, "company_id": pl.String} | _without(INVOICE_SCHEMA, "ref", "company"),
        ids=["ref", "company_id"],
    )
    currencies = pl.Enum(sorted(keyed["currency"].unique().to_list()))
    invoices = _positions(keyed, "company_id", companies["id"], "company").select(
        list(INVOICE_SCHEMA)
    )

    def settlements(model: Any, day: Any, schema: dict[str, Any]) -> pl.DataFrame:
        rows = _frame(
            session,
            select(
                _text_id(model.invoice_id, postgres), model.amount_minor, _raw_date(day, postgres)
            ).where(model.org_id == org, day <= as_of),
            {"invoice_id": pl.String} | _without(schema, "invoice"),
            ids=["invoice_id"],
        )
        return _linked(rows, "invoice_id", keyed["ref"], "invoice").select(list(schema))

    return LedgerSnapshot(
        as_of=as_of,
        invoices=invoices.with_columns(pl.col("currency").cast(currencies)),
        allocations=settlements(Allocation, Allocation.applied_on, ALLOCATION_SCHEMA),
        credit_notes=settlements(CreditNote, CreditNote.issue_date, CREDIT_NOTE_SCHEMA),
        companies=companies,
    )


def _without(schema: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: kind for name, kind in schema.items() if name not in names}
