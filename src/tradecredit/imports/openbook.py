"""Open invoices of the payers in a payment file, kept current as each payment is allocated.

Loaded with three grouped queries (invoices, allocations, credit notes) instead of one query
per payment; allocation itself is `receivables.allocation.allocate`, unchanged.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tradecredit.context import Actor
from tradecredit.imports.plan import chunked
from tradecredit.receivables.allocation import (
    AllocationResult,
    OpenItem,
    allocate,
    oldest_first,
    open_minor,
)
from tradecredit.receivables.models import Allocation, CreditNote, Invoice

Pair = tuple[uuid.UUID, str]


class OpenBook:
    def __init__(self, items: dict[Pair, list[OpenItem]]) -> None:
        self._items = {pair: oldest_first(rows) for pair, rows in items.items()}
        self._open = {item.invoice_id: item.open_minor for rows in items.values() for item in rows}
        self._by_id = {item.invoice_id: item for rows in items.values() for item in rows}
        self._start: dict[Pair, int] = defaultdict(int)

    @classmethod
    def load(cls, session: Session, *, actor: Actor, company_ids: Iterable[uuid.UUID]) -> OpenBook:
        items: dict[Pair, list[OpenItem]] = defaultdict(list)
        for chunk in chunked(sorted(set(company_ids))):
            invoices = session.execute(
                select(
                    Invoice.id,
                    Invoice.invoice_number,
                    Invoice.company_id,
                    Invoice.currency,
                    Invoice.issue_date,
                    Invoice.due_date,
                    Invoice.amount_minor,
                ).where(Invoice.org_id == actor.org_id, Invoice.company_id.in_(chunk))
            ).all()
            allocated = _sums(session, actor, Allocation, chunk)
            credited = _sums(session, actor, CreditNote, chunk)
            for iid, number, company_id, currency, issued, due, amount in invoices:
                remaining = open_minor(amount, allocated.get(iid, 0), credited.get(iid, 0))
                if remaining > 0:
                    items[(company_id, currency)].append(
                        OpenItem(iid, number, issued, due, remaining)
                    )
        return cls(items)

    def open_minor(self, invoice_id: uuid.UUID) -> int:
        return self._open.get(invoice_id, 0)

    def allocate(
        self, pair: Pair, amount_minor: int, *, named: uuid.UUID | None = None
    ) -> AllocationResult:
        """Named invoice first, then oldest first; only as many open items as the amount can
        reach are handed to `allocate`, so a long ledger is not re-sorted for every payment."""
        candidates: list[OpenItem] = []
        reach = 0
        if named is not None and self.open_minor(named) > 0:
            candidates.append(replace(self._by_id[named], open_minor=self.open_minor(named)))
            reach += self.open_minor(named)
        rows = self._items.get(pair, [])
        for item in rows[self._start[pair] :]:
            if reach >= amount_minor:
                break
            remaining = self._open[item.invoice_id]
            if item.invoice_id != named and remaining > 0:
                candidates.append(replace(item, open_minor=remaining))
                reach += remaining
        result = allocate(amount_minor, candidates, named=[named] if named else [])
        for allocated in result.allocations:
            self._open[allocated.invoice_id] -= allocated.amount_minor
        while self._start[pair] < len(rows) and self._open[rows[self._start[pair]].invoice_id] == 0:
            self._start[pair] += 1
        return result


def _sums(
    session: Session,
    actor: Actor,
    model: type[Allocation] | type[CreditNote],
    company_ids: Iterable[uuid.UUID],
) -> dict[uuid.UUID, int]:
    rows = session.execute(
        select(model.invoice_id, func.sum(model.amount_minor))
        .join(Invoice, Invoice.id == model.invoice_id)
        .where(Invoice.org_id == actor.org_id, Invoice.company_id.in_(list(company_ids)))
        .group_by(model.invoice_id)
    )
    return {invoice_id: int(total) for invoice_id, total in rows}
