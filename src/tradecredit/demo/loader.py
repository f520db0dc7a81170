"""Bulk-load a generated portfolio into one organisation, in the caller's transaction.

Rows go in with SQLAlchemy Core inserts in chunks; allocations come from replaying the payments
through the ledger's allocation rule (`demo.ledger`). The load records one audit event per table
("demo.loaded" with the row count, the seed and a SHA-256 of the content) rather than one per row:
the hash proves what was loaded, and a synthetic bulk load has no per-row story to tell.
Never commits: the caller's unit of work makes the whole load one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import polars as pl
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from tradecredit.audit.service import Change, record_many
from tradecredit.companies.models import Company, CompanyEvent, FinancialStatement
from tradecredit.context import Actor
from tradecredit.db.base import Base
from tradecredit.demo import rows as build
from tradecredit.demo.ledger import replay_allocations
from tradecredit.demo.portfolio import Portfolio, frame_sha256
from tradecredit.fx.models import FxRate
from tradecredit.kit.clock import utcnow
from tradecredit.kit.errors import AlreadyExists
from tradecredit.organisations.roles import Permission
from tradecredit.receivables.models import (
    Allocation,
    CreditNote,
    CustomerAccount,
    Dispute,
    Invoice,
    Payment,
)

Progress = Callable[[str, int, int], None]
"""Called as progress(table name, rows done, rows in the table) before and after every chunk."""
CHUNK_ROWS = 5000
AUDIT_ACTION = "demo.loaded"


@dataclass(frozen=True)
class LoadSummary:
    seed: int
    fingerprint: str
    rows: dict[str, int]
    """rows inserted per table name"""
    content_sha256: dict[str, str]
    """per table name: SHA-256 of the frame it was loaded from (see `portfolio.frame_sha256`)"""


def load_portfolio(
    session: Session, *, actor: Actor, portfolio: Portfolio, progress: Progress | None = None
) -> LoadSummary:
    """Write the whole portfolio for `actor`'s organisation, which must hold no ledger yet."""
    for permission in (
        Permission.WRITE_COMPANIES,
        Permission.WRITE_ACCOUNTS,
        Permission.WRITE_LEDGER,
    ):
        actor.require(permission)
    _require_empty(session, actor)
    stamp = build.Stamp(org_id=actor.org_id, now=utcnow())
    counts: dict[str, int] = {}

    def write(model: type[Base], rows: list[build.Row]) -> None:
        counts[model.__tablename__] = len(rows)
        _insert(session, model, rows, progress)

    company_rows, companies = build.company_rows(portfolio.companies, stamp)
    write(Company, company_rows)
    write(FinancialStatement, build.statement_rows(portfolio.statements, companies, stamp))
    account_rows, accounts = build.account_rows(portfolio.accounts, companies, stamp)
    write(CustomerAccount, account_rows)
    invoice_rows, invoices = build.invoice_rows(portfolio.invoices, companies, accounts, stamp)
    write(Invoice, invoice_rows)
    write(CreditNote, build.credit_note_rows(portfolio.credit_notes, invoices, stamp))
    payment_rows = build.payment_rows(portfolio.payments, companies, accounts, invoices, stamp)
    write(Payment, payment_rows)
    allocations = replay_allocations(portfolio)
    write(Allocation, build.allocation_rows(allocations, payment_rows, invoices, stamp))
    write(Dispute, build.dispute_rows(portfolio.disputes, invoices, stamp))
    write(CompanyEvent, build.event_rows(portfolio.events, companies, stamp))
    write(FxRate, build.fx_rows(portfolio.fx_rates, stamp))

    hashes = content_hashes(portfolio, allocations)
    record_many(
        session,
        actor=actor,
        changes=[
            Change(
                AUDIT_ACTION,
                table,
                None,
                after={"rows": counts[table], "seed": portfolio.seed, "content_sha256": digest},
            )
            for table, digest in hashes.items()
        ],
    )
    return LoadSummary(portfolio.seed, portfolio.fingerprint(), counts, hashes)


def content_hashes(portfolio: Portfolio, allocations: pl.DataFrame) -> dict[str, str]:
    """Per table name, the hash of the frame its rows come from, in load order."""
    frames = {
        Company.__tablename__: "companies",
        FinancialStatement.__tablename__: "statements",
        CustomerAccount.__tablename__: "accounts",
        Invoice.__tablename__: "invoices",
        CreditNote.__tablename__: "credit_notes",
        Payment.__tablename__: "payments",
        Allocation.__tablename__: None,
        Dispute.__tablename__: "disputes",
        CompanyEvent.__tablename__: "events",
        FxRate.__tablename__: "fx_rates",
    }
    return {
        table: frame_sha256(allocations) if name is None else portfolio.content_sha256(name)
        for table, name in frames.items()
    }


def _require_empty(session: Session, actor: Actor) -> None:
    """The demo is a whole book: loading it beside existing data would mix two ledgers."""
    for model in (Company, Invoice, Payment, FxRate):
        if session.scalar(select(model.id).where(model.org_id == actor.org_id).limit(1)):
            raise AlreadyExists(
                f"organisation {actor.org_id} already holds {model.__tablename__}; "
                "the demo portfolio loads only into an empty organisation"
            )


def _insert(
    session: Session, model: type[Base], rows: list[build.Row], progress: Progress | None
) -> None:
    table = cast(Table, model.__table__)
    total = len(rows)
    if progress is not None:
        progress(table.name, 0, total)
    for begin in range(0, total, CHUNK_ROWS):
        session.execute(insert(table), rows[begin : begin + CHUNK_ROWS])
        if progress is not None:
            progress(table.name, min(begin + CHUNK_ROWS, total), total)
