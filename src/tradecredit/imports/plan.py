"""What an import will do, worked out before anything is written, and the one place that writes."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session

from tradecredit.audit import service as audit
from tradecredit.audit.service import Change
from tradecredit.context import Actor
from tradecredit.db.base import Base
from tradecredit.db.snapshot import snapshot
from tradecredit.imports.problems import Problems, Row
from tradecredit.imports.validate import Progress
from tradecredit.kit.ids import new_id

T = TypeVar("T")
WRITE_CHUNK = 2000


@dataclass(frozen=True)
class Context:
    """Everything a kind's planner needs: where to look, whom for, where problems go."""

    session: Session
    actor: Actor
    problems: Problems
    present: frozenset[str]
    now: datetime


@dataclass
class Update:
    row: Base
    values: dict[str, Any]
    action: str
    entity_type: str


@dataclass
class Plan:
    """Inserts (in dependency order), updates of loaded rows, and the audit of each insert."""

    inserts: list[tuple[type[Base], list[dict[str, Any]]]] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    accounts_opened: int = 0

    def add(
        self,
        model: type[Base],
        values: dict[str, Any],
        *,
        action: str,
        entity: str,
        from_file: bool = True,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Queue one new row and its audit event (`after` is every column but org_id).

        `from_file` rows count as created; side rows (accounts opened for invoices) do not."""
        if from_file:
            self.created += 1
        self.queue(model, values)
        after = {key: value for key, value in values.items() if key != "org_id"} | (extra or {})
        self.changes.append(Change(action, entity, str(values["id"]), after=after))

    def queue(self, model: type[Base], values: dict[str, Any]) -> None:
        """Queue a row whose audit is part of another row's event (a payment's allocations)."""
        if not self.inserts or self.inserts[-1][0] is not model:
            self.inserts.append((model, []))
        self.inserts[-1][1].append(values)

    def change(self, row: Base, values: dict[str, Any], *, action: str, entity: str) -> None:
        changed = {key: value for key, value in values.items() if getattr(row, key) != value}
        if changed:
            self.updates.append(Update(row, changed, action, entity))
            self.updated += 1
        else:
            self.unchanged += 1

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "accounts_opened": self.accounts_opened,
        }

    @property
    def writes(self) -> int:
        return sum(len(rows) for _, rows in self.inserts) + len(self.updates)


def new_row(model: type[Base], ctx: Context, **values: Any) -> dict[str, Any]:
    """A full row for a Core insert: a fresh id, the organisation, a timestamp, every column."""
    base = {"id": new_id(), "org_id": ctx.actor.org_id, "created_at": ctx.now} | values
    if "updated_at" in model.__table__.columns:
        base.setdefault("updated_at", ctx.now)
    return {attr.key: base.get(attr.key) for attr in inspect(model).column_attrs}


def repeated_rows(
    ctx: Context,
    rows: Sequence[Row],
    *,
    needs: tuple[str, ...],
    column: str,
    reason: Callable[[Mapping[str, Any], int], str],
    key: Callable[[Mapping[str, Any]], Hashable] | None = None,
) -> set[int]:
    """Numbers of the rows whose natural key (the `needs` columns, or `key` of them) an earlier
    row already has; each is a problem naming the first. Rows whose key columns cannot be read
    take no part. A repeated row is still checked for everything else, but never planned."""
    first: dict[Hashable, int] = {}
    repeated: set[int] = set()
    for row in rows:
        if not row.has(*needs):
            continue
        natural = key(row.values) if key else tuple(row.values[c] for c in needs)
        if natural in first:
            ctx.problems.at(row, column, reason(row.values, first[natural]))
            repeated.add(row.number)
        else:
            first[natural] = row.number
    return repeated


def chunked(values: Sequence[T], size: int = 500) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def apply_plan(
    session: Session,
    *,
    actor: Actor,
    plan: Plan,
    completed: Change,
    progress: Progress | None = None,
) -> None:
    """Write the plan and its audit trail (one `record_many` call) in the caller's transaction."""
    if progress:
        progress.phase("writing", plan.writes)
    for model, rows in plan.inserts:
        for chunk in chunked(rows, WRITE_CHUNK):
            session.execute(insert(model), list(chunk))
            if progress:
                progress.advance(len(chunk))
    changes = [*plan.changes, *_apply_updates(session, plan.updates)]
    if progress:
        progress.advance(len(plan.updates))
    audit.record_many(session, actor=actor, changes=[*changes, completed])


def _apply_updates(session: Session, updates: list[Update]) -> list[Change]:
    befores = [snapshot(update.row) for update in updates]
    for update in updates:
        for key, value in update.values.items():
            setattr(update.row, key, value)
    session.flush()
    return [
        Change(u.action, u.entity_type, str(before["id"]), before=before, after=snapshot(u.row))
        for u, before in zip(updates, befores, strict=True)
    ]
