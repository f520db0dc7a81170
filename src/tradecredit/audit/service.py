"""Append to and verify the audit chain. Appends lock the organisation's chain head first.

Appends run prepared statements (`db.prepared`): lock and advance the head, then insert the
events and store the new head hash (one statement on PostgreSQL for a few events); an
organisation's appends wait for each other from the first until their transaction ends, so
callers append last, just before they commit. A writer that knows the head its own last append
left (the checkout decisions' batch thread) appends in one statement that does nothing if
another append came since (`send_append_after`), and appends as above only then.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, func, insert, select, union_all, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from tradecredit.audit.canonical import GENESIS_HASH, canonical_json, link_hash
from tradecredit.audit.models import AuditChainHead, AuditEvent
from tradecredit.context import Actor
from tradecredit.db.prepared import Prepared, Sent
from tradecredit.kit.clock import utcnow
from tradecredit.kit.errors import NotFound
from tradecredit.kit.ids import new_id


@dataclass(frozen=True)
class Change:
    action: str
    entity_type: str
    entity_id: str | None
    before: Any = None
    after: Any = None


def start_chain(session: Session, *, org_id: uuid.UUID) -> None:
    session.add(AuditChainHead(org_id=org_id, seq=0, hash=GENESIS_HASH))
    session.flush()


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object = None,
    before: Any = None,
    after: Any = None,
) -> dict[str, Any]:
    change = Change(
        action, entity_type, None if entity_id is None else str(entity_id), before, after
    )
    return record_many(session, actor=actor, changes=[change])[-1]


_HEAD = cast(Table, AuditChainHead.__table__)
_LOCK_HEAD = Prepared(
    update(_HEAD)
    .where(_HEAD.c.org_id == bindparam("head_org"))
    .values(seq=_HEAD.c.seq + bindparam("appended"))
    .returning(_HEAD.c.seq, _HEAD.c.hash)
)
_EVENTS = cast(Table, AuditEvent.__table__)
_INSERT_EVENTS = Prepared(insert(_EVENTS))
_SET_HEAD_HASH = Prepared(
    update(_HEAD).where(_HEAD.c.org_id == bindparam("head_org")).values(hash=bindparam("last"))
)
_ONE_STATEMENT_UP_TO = 8
"""PostgreSQL: up to this many events are inserted and the head hash stored in one statement
(a data-modifying WITH), one round trip less while the head is locked."""
_insert_and_set_hash: dict[int, Prepared] = {}


def _insert_and_set_hash_statement(count: int) -> Prepared:
    found = _insert_and_set_hash.get(count)
    if found is None:
        values = [
            {
                column.name: bindparam(f"e{i}_{column.name}", type_=column.type)
                for column in _EVENTS.c
            }
            for i in range(count)
        ]
        appended = insert(_EVENTS).values(values).cte("appended")
        found = _insert_and_set_hash[count] = Prepared(
            update(_HEAD)
            .where(_HEAD.c.org_id == bindparam("head_org"))
            .values(hash=bindparam("last"))
            .add_cte(appended)
        )
    return found


def _store(session: Session, org_id: uuid.UUID, rows: list[dict[str, Any]], last: str) -> None:
    """Insert the event rows and store the new head hash."""
    if session.get_bind().dialect.name == "postgresql" and len(rows) <= _ONE_STATEMENT_UP_TO:
        params = {"head_org": org_id, "last": last} | _event_params(rows)
        _insert_and_set_hash_statement(len(rows)).execute(session, params)
        return
    _INSERT_EVENTS.execute_many(session, rows)
    _SET_HEAD_HASH.execute(session, {"head_org": org_id, "last": last})


def _event_params(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The event rows as the `e{i}_{column}` parameters of a one-statement append."""
    params: dict[str, Any] = {}
    for i, row in enumerate(rows):
        params.update({f"e{i}_{key}": value for key, value in row.items()})
    return params


def _canonical_texts(
    session: Session, org_id: uuid.UUID, entries: Sequence[tuple[Actor, Change]]
) -> list[tuple[str | None, str | None]]:
    """Each change's `before` and `after` as canonical JSON, computed before the head is
    locked; every actor must be of `org_id`."""
    if any(actor.org_id != org_id for actor, _ in entries):
        raise ValueError(f"every actor must belong to organisation {org_id}")
    session.flush()
    return [(_canonical(change.before), _canonical(change.after)) for _, change in entries]


def record_many(
    session: Session, *, actor: Actor, changes: Sequence[Change]
) -> list[dict[str, Any]]:
    """Append events in order (bulk insert). The head row is written first: that takes the lock."""
    return record_by_actors(
        session, org_id=actor.org_id, entries=[(actor, change) for change in changes]
    )


def record_by_actors(
    session: Session, *, org_id: uuid.UUID, entries: Sequence[tuple[Actor, Change]]
) -> list[dict[str, Any]]:
    """`record_many` for changes made by several actors of one organisation (a batch of
    requests committed together): one head lock, each event naming its own actor."""
    if not entries:
        return []
    texts = _canonical_texts(session, org_id, entries)
    locked = _LOCK_HEAD.first(session, {"head_org": org_id, "appended": len(entries)})
    if locked is None:
        raise NotFound(f"organisation {org_id} has no audit chain")
    last_seq, prev_hash = locked
    rows = _links(entries, texts, Head(last_seq - len(entries), prev_hash))
    _store(session, org_id, rows, rows[-1]["hash"])
    _sync_loaded_head(session, org_id, last_seq, rows[-1]["hash"])
    return rows


def _links(
    entries: Sequence[tuple[Actor, Change]],
    texts: Sequence[tuple[str | None, str | None]],
    head: Head,
) -> list[dict[str, Any]]:
    """The event rows of `entries` appended after `head`, each linked to the one before."""
    seq, prev_hash = head
    rows: list[dict[str, Any]] = []
    occurred_at = utcnow()
    for (actor, change), (before, after) in zip(entries, texts, strict=True):
        seq += 1
        row = _link(
            actor,
            change,
            before=before,
            after=after,
            seq=seq,
            prev_hash=prev_hash,
            occurred_at=occurred_at,
        )
        rows.append(row)
        prev_hash = row["hash"]
    return rows


class Head(NamedTuple):
    """An organisation's chain head: the seq and hash of its last event."""

    seq: int
    hash: str

    @classmethod
    def after(cls, rows: Sequence[dict[str, Any]]) -> Head:
        """The head an append of the event `rows` leaves."""
        return cls(rows[-1]["seq"], rows[-1]["hash"])


@dataclass(frozen=True, slots=True)
class ExpectedAppend:
    """`send_append_after`'s statement and the head it leaves if the head was as expected."""

    sent: Sent
    head: Head

    def done(self) -> Head | None:
        """The new head if the events were appended; None: another append came first."""
        row = self.sent.first()
        return self.head if row is not None and row[0] == 1 else None


def send_append_after(
    session: Session,
    *,
    org_id: uuid.UUID,
    entries: Sequence[tuple[Actor, Change]],
    expected: Head,
) -> ExpectedAppend | None:
    """PostgreSQL, up to `_ONE_STATEMENT_UP_TO` events: `record_by_actors`' append, in one
    statement without waiting for its answer, if the chain's head is still `expected` (the
    head a caller's own last append left). The statement moves the head and inserts the events
    only when the head row matches; else it changes nothing (`ExpectedAppend.done` is None) and
    the caller appends with `record_by_actors`. The head row is updated before the events are
    inserted, so appends lock in one order. None: not PostgreSQL, or too many events.

    Why: `record_by_actors` must read the head before it can link the events, one round trip
    while the batches of checkout decisions (`decisions.batch`), the head's only writer most of
    the time, hold their locks."""
    if (
        session.get_bind().dialect.name != "postgresql"
        or not 0 < len(entries) <= _ONE_STATEMENT_UP_TO
    ):
        return None
    rows = _links(entries, _canonical_texts(session, org_id, entries), expected)
    new_head = Head.after(rows)
    params = {
        "head_org": org_id,
        "expected_seq": expected.seq,
        "expected_hash": expected.hash,
        "last_seq": new_head.seq,
        "last": new_head.hash,
    } | _event_params(rows)
    sent = _append_after_statement(len(rows)).send(session, params)
    return ExpectedAppend(sent, new_head)


_append_after: dict[int, Prepared] = {}


def _append_after_statement(count: int) -> Prepared:
    """WITH head AS (UPDATE the head WHERE it is the expected one RETURNING ...), an INSERT of
    `count` events selected from head (none when it matched no row); SELECT count(*) FROM head."""
    found = _append_after.get(count)
    if found is None:
        head = (
            update(_HEAD)
            .where(
                _HEAD.c.org_id == bindparam("head_org"),
                _HEAD.c.seq == bindparam("expected_seq"),
                _HEAD.c.hash == bindparam("expected_hash"),
            )
            .values(seq=bindparam("last_seq"), hash=bindparam("last"))
            .returning(_HEAD.c.org_id)
            .cte("head")
        )
        rows = [
            select(
                *[bindparam(f"e{i}_{column.name}", type_=column.type) for column in _EVENTS.c]
            ).select_from(head)
            for i in range(count)
        ]
        source = rows[0] if count == 1 else union_all(*rows)
        appended = insert(_EVENTS).from_select([c.name for c in _EVENTS.c], source).cte("appended")
        found = _append_after[count] = Prepared(
            select(func.count()).select_from(head).add_cte(appended)
        )
    return found


def _sync_loaded_head(session: Session, org_id: uuid.UUID, seq: int, hash_: str) -> None:
    """A head row this session has loaded (or created) shows the new values, as an ORM
    UPDATE would have synchronised it."""
    head = session.identity_map.get(session.identity_key(AuditChainHead, org_id))
    if head is not None:
        set_committed_value(head, "seq", seq)
        set_committed_value(head, "hash", hash_)


def _canonical(value: Any) -> str | None:
    return None if value is None else canonical_json(value)


def _link(
    actor: Actor,
    change: Change,
    *,
    before: str | None,
    after: str | None,
    seq: int,
    prev_hash: str,
    occurred_at: Any,
) -> dict[str, Any]:
    """One event row; `before`/`after` are the change's canonical JSON (computed before the
    head is locked, to keep the lock short)."""
    fields = {
        "org_id": str(actor.org_id),
        "seq": seq,
        "occurred_at": occurred_at.isoformat(),
        "actor": actor.name,
        "action": change.action,
        "entity_type": change.entity_type,
        "entity_id": change.entity_id,
        "before": before,
        "after": after,
        "prev_hash": prev_hash,
    }
    return fields | {
        "id": new_id(),
        "org_id": actor.org_id,
        "occurred_at": occurred_at,
        "hash": link_hash(**fields),
    }


@dataclass(frozen=True)
class BrokenLink:
    org_id: uuid.UUID
    seq: int
    event_id: uuid.UUID | None
    reason: str

    def __str__(self) -> str:
        return f"organisation {self.org_id}, event #{self.seq} ({self.event_id}): {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    events_checked: int
    broken: BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_chain(session: Session, *, org_id: uuid.UUID) -> ChainReport:
    """Recompute every link in order; report the first one that does not hold."""
    head = session.get(AuditChainHead, org_id)
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for event in _events_in_order(session, org_id):
        problem = _check(event, expected_seq=expected_seq, expected_prev=expected_prev)
        if problem:
            return ChainReport(checked, BrokenLink(org_id, event.seq, event.id, problem))
        checked += 1
        expected_prev, expected_seq = event.hash, event.seq + 1
    if head is not None and (head.seq != expected_seq - 1 or head.hash != expected_prev):
        reason = (
            f"chain head says #{head.seq} {head.hash[:12]}, "
            f"but the last event is #{expected_seq - 1} {expected_prev[:12]} (events removed?)"
        )
        return ChainReport(checked, BrokenLink(org_id, head.seq, None, reason))
    return ChainReport(checked, None)


def _events_in_order(session: Session, org_id: uuid.UUID) -> Iterator[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.org_id == org_id).order_by(AuditEvent.seq)
    yield from session.scalars(query.execution_options(yield_per=2000))


def _check(event: AuditEvent, *, expected_seq: int, expected_prev: str) -> str | None:
    if event.seq != expected_seq:
        return f"sequence jumps from #{expected_seq - 1} to #{event.seq} (events removed?)"
    if event.prev_hash != expected_prev:
        return "previous-hash does not match the event before it"
    recomputed = link_hash(
        org_id=str(event.org_id),
        seq=event.seq,
        occurred_at=event.occurred_at.isoformat(),
        actor=event.actor,
        action=event.action,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        before=event.before,
        after=event.after,
        prev_hash=event.prev_hash,
    )
    if recomputed != event.hash:
        return "content does not match its hash (the row was altered)"
    return None
