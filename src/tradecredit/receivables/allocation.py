"""Payment allocation, a pure function over integer minor units.

Rules: invoices the payer names are settled first, in the order named; what is left goes to the
oldest open invoice first (earliest due date, then issue date, then number); what is still left
stays on the account as unapplied credit. An allocation never exceeds an invoice's open amount.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class OpenItem:
    invoice_id: uuid.UUID
    invoice_number: str
    issue_date: date
    due_date: date
    open_minor: int


@dataclass(frozen=True, slots=True)
class Allocated:
    invoice_id: uuid.UUID
    invoice_number: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class AllocationResult:
    allocations: tuple[Allocated, ...]
    unapplied_minor: int


def oldest_first(items: Sequence[OpenItem]) -> list[OpenItem]:
    return sorted(items, key=lambda i: (i.due_date, i.issue_date, i.invoice_number))


def allocate(
    amount_minor: int,
    open_items: Sequence[OpenItem],
    *,
    named: Sequence[uuid.UUID] = (),
) -> AllocationResult:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValueError(
            f"a payment allocates a positive integer of minor units, not {amount_minor!r}"
        )
    by_id = {item.invoice_id: item for item in open_items}
    named_items = [by_id[i] for i in dict.fromkeys(named) if i in by_id]
    named_ids = {item.invoice_id for item in named_items}
    rest = oldest_first([item for item in open_items if item.invoice_id not in named_ids])
    remaining = amount_minor
    allocations: list[Allocated] = []
    for item in [*named_items, *rest]:
        if remaining == 0:
            break
        take = min(remaining, item.open_minor)
        if take > 0:
            allocations.append(Allocated(item.invoice_id, item.invoice_number, take))
            remaining -= take
    return AllocationResult(tuple(allocations), remaining)


def open_minor(amount_minor: int, allocated_minor: int, credited_minor: int) -> int:
    """An invoice's open amount: amount - allocations - credit notes, never below zero."""
    return max(0, amount_minor - allocated_minor - credited_minor)
