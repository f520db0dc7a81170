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
from sqlalchemy import Executable, select
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
    linked = _linked(invoices, "company_id", companies["id"], "company")
    if linked.height != invoices.height:
        raise InvalidInput("some invoices name a company that is not in the companies frame")
    return LedgerSnapshot(
        as_of=as_of,
        invoices=linked.rename({"id": "ref"}).with_columns(pl.col("ref").cast(pl.String)),
        allocations=_linked(allocations, "invoice_id", invoices["id"], "invoice"),
        credit_notes=_linked(credit_notes, "invoice_id", invoices["id"], "invoice"),
        companies=companies.with_columns(pl.col("id").cast(pl.String)),
    )


def _rows(session: Session, query: Executable) -> list[Sequence[Any]]:
    return list(session.execute(query).all())


def _frame(columns: Sequence[Sequence[Any]], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(dict(zip(schema, columns, strict=True)), schema=schema)


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)] or [[] for _ in range(width)]


def _settlements(
    rows: list[Sequence[Any]], position: dict[Any, int], schema: dict[str, Any]
) -> pl.DataFrame:
    kept = [(position[row[0]], row[1], row[2]) for row in rows if row[0] in position]
    return _frame(_columns(kept, 3), schema)


def load_snapshot(session: Session, *, actor: Actor, as_of: date) -> LedgerSnapshot:
    """The organisation's ledger as of `as_of`, companies in id order."""
    org = actor.org_id
    company_rows = _rows(
        session,
        select(Company.id, Company.name, Company.country, Company.sector)
        .where(Company.org_id == org)
        .order_by(Company.id),
    )
    company_at = {row[0]: i for i, row in enumerate(company_rows)}
    invoice_rows = _rows(
        session,
        select(
            Invoice.id,
            Invoice.company_id,
            Invoice.currency,
            Invoice.amount_minor,
            Invoice.issue_date,
            Invoice.due_date,
        )
        .where(Invoice.org_id == org, Invoice.issue_date <= as_of)
        .order_by(Invoice.id),
    )
    invoice_at = {row[0]: i for i, row in enumerate(invoice_rows)}
    invoices = _columns(invoice_rows, 6)
    invoices[0] = [str(value) for value in invoices[0]]
    invoices[1] = [company_at[value] for value in invoices[1]]
    companies = _columns(company_rows, 4)
    companies[0] = [str(value) for value in companies[0]]
    allocations = select(Allocation.invoice_id, Allocation.amount_minor, Allocation.applied_on)
    credit_notes = select(CreditNote.invoice_id, CreditNote.amount_minor, CreditNote.issue_date)
    currencies = pl.Enum(sorted(set(invoices[2])))
    return LedgerSnapshot(
        as_of=as_of,
        invoices=_frame(invoices, INVOICE_SCHEMA).with_columns(pl.col("currency").cast(currencies)),
        allocations=_settlements(
            _rows(
                session, allocations.where(Allocation.org_id == org, Allocation.applied_on <= as_of)
            ),
            invoice_at,
            ALLOCATION_SCHEMA,
        ),
        credit_notes=_settlements(
            _rows(
                session,
                credit_notes.where(CreditNote.org_id == org, CreditNote.issue_date <= as_of),
            ),
            invoice_at,
            CREDIT_NOTE_SCHEMA,
        ),
        companies=_frame(companies, COMPANY_SCHEMA),
    )
