"""Several checkout decisions in one transaction: one commit (one fsync on SQLite, one WAL flush
on PostgreSQL) and one audit append for all of them, each decided exactly as it would be alone
(`service.decide_checkout`), one after another, so each sees the reservations of the ones before.

Why: at a thousand checkouts a second the fixed cost of a transaction (begin, the audit chain's
head lock, the durable commit) and of an HTTP framework's request handling is most of a
decision's cost; paid once per batch, it is shared (`api.hot` collects the batches).

What a batch does not decide it hands back (None), to be run alone by the ordinary route, which
then gives the answer or the error it always gives: a key that does not authenticate or whose
role may not decide, an idempotency key repeated in the batch. A decision that raises (a
merchant reference already taken, a missing FX rate) fails the batch with `BatchItemFailed`, and
so does an idempotency key another transaction answered (`KeyAnswered`: a replay or a reuse):
the caller rolls back and runs the batch again without it.

The idempotency records are written with their answers, in one statement at the end, instead of
claimed before deciding and answered after: one statement per batch instead of two, and no
UPDATE. A request whose key another transaction holds still never gets a second decision: the
INSERT ... ON CONFLICT DO NOTHING waits for that transaction, then inserts nothing, and the
batch is rolled back without that request (the route then replays the stored answer). Records
are inserted in key order, so two batches holding keys the other wants cannot deadlock.

Decisions run in buyer order (stable: one buyer's in arrival order), so that concurrent batches
lock their buyers in the same order and cannot deadlock each other on PostgreSQL; the audit head
is locked last, as everywhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tradecredit.audit import service as audit
from tradecredit.context import Actor
from tradecredit.db.prepared import Sent, pipelined
from tradecredit.decisions.facts import keep_locked, lock_buyers, read_unknown, send_lock
from tradecredit.decisions.schemas import DecisionCreate
from tradecredit.decisions.service import PendingAudit, decide_checkout, may_decide
from tradecredit.decisions.shape import decision_out
from tradecredit.decisions.store import insert_decisions, insert_orders
from tradecredit.exposure.memo import ExposureMemo
from tradecredit.idempotency import service as idempotency
from tradecredit.kit.clock import utcnow
from tradecredit.kit.errors import Unauthenticated
from tradecredit.organisations.service import (
    authenticate,
    authenticated,
    hash_key,
    send_authentication,
)

DECIDED_STATUS = 201
DECISIONS_PATH = "/v1/decisions"


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    """A POST /v1/decisions that passed the route's checks of its form: a key, a valid
    Idempotency-Key, a valid body."""

    api_key: str
    idempotency_key: str
    data: DecisionCreate


Entries = dict[uuid.UUID, list[tuple[Actor, audit.Change]]]
"""A batch's audit changes per organisation, each with the actor that made it."""


class BatchItemFailed(Exception):
    """The decision of `requests[index]` raised (the cause is chained): run the batch again
    without it, and that request alone."""

    def __init__(self, index: int) -> None:
        super().__init__(f"checkout request {index} of the batch failed")
        self.index = index


class KeyAnswered(BatchItemFailed):
    """The idempotency key of `requests[index]` was answered by another transaction (a replay,
    or the key reused for another request): run the batch again without it; the route then
    answers it from the stored record."""


def _deciding_actors(session: Session, requests: Sequence[CheckoutRequest]) -> list[Actor | None]:
    """Each request's actor when its key authenticates and its role may decide, else None."""
    found: dict[str, Actor | None] = {}
    for key in dict.fromkeys(request.api_key for request in requests):
        try:
            actor: Actor | None = authenticate(session, plaintext=key)
        except Unauthenticated:
            actor = None
        if actor is not None and not may_decide(actor):
            actor = None
        found[key] = actor
    return [found[request.api_key] for request in requests]


def _firsts(requests: Sequence[CheckoutRequest], actors: Sequence[Actor | None]) -> list[int]:
    """Indices of the requests to decide: the first of each (organisation, idempotency key) in
    the batch whose key may decide."""
    first: dict[tuple[uuid.UUID, str], int] = {}
    for index, (request, actor) in enumerate(zip(requests, actors, strict=True)):
        if actor is not None:
            first.setdefault((actor.org_id, request.idempotency_key), index)
    return sorted(first.values())


def _record(request: CheckoutRequest, actor: Actor, body: str) -> idempotency.Claim:
    """The idempotency record of a decided request, with its answer."""
    fingerprint = idempotency.request_fingerprint(
        method="POST", path=DECISIONS_PATH, body=request.data.model_dump(mode="json")
    )
    return idempotency.Claim(
        actor, request.idempotency_key, "POST", DECISIONS_PATH, fingerprint, DECIDED_STATUS, body
    )


def _send_records(session: Session, records: dict[int, idempotency.Claim]) -> list[Sent]:
    """Insert the records in key order (module docstring)."""
    ordered = sorted(records.values(), key=lambda claim: (str(claim.actor.org_id), claim.key))
    return idempotency.send_claims(session, claims=ordered)


def _check_recorded(records: dict[int, idempotency.Claim], sent: list[Sent]) -> None:
    """KeyAnswered for the first request whose record another transaction holds."""
    stored = idempotency.claimed_pairs(sent)
    for index, claim in sorted(records.items()):
        if (claim.actor.org_id, claim.key) not in stored:
            raise KeyAnswered(index)


def _buyer_order(requests: Sequence[CheckoutRequest], indices: list[int]) -> list[int]:
    return sorted(
        indices,
        key=lambda i: (requests[i].data.country, requests[i].data.registration_number),
    )


def _buyers_by_org(
    requests: Sequence[CheckoutRequest], actors: Sequence[Actor | None], indices: list[int]
) -> list[tuple[Actor, list[tuple[str, str]]]]:
    """The (country, registration number) of the requests at `indices`, per organisation, in
    the one order every batch locks organisations in."""
    by_org: dict[uuid.UUID, tuple[Actor, list[tuple[str, str]]]] = {}
    for index in indices:
        actor, data = actors[index], requests[index].data
        assert actor is not None
        by_org.setdefault(actor.org_id, (actor, []))[1].append(
            (data.country, data.registration_number)
        )
    return [by_org[org_id] for org_id in sorted(by_org, key=str)]


def _lock_buyers(
    session: Session,
    *,
    requests: Sequence[CheckoutRequest],
    actors: Sequence[Actor | None],
    indices: list[int],
    memo: ExposureMemo,
    as_of: date,
) -> None:
    """PostgreSQL: lock and read the buyers of the requests to decide before deciding any
    (`facts.lock_buyers`), organisation by organisation in one order: a handful of statements
    for the batch instead of four per decision."""
    for actor, buyers in _buyers_by_org(requests, actors, indices):
        lock_buyers(session, actor=actor, buyers=buyers, as_of=as_of, memo=memo)


class KeysChanged(Exception):
    """An API key's owner, read in the batch's own transaction, is not the one remembered from
    an earlier batch (the key revoked, the user's role changed): roll the transaction back and
    run the batch again, reading the keys first."""


MOST_KEYS = 10_000
"""Above this many keys remembered, the memory of keys starts again."""


def _open_together(
    session: Session,
    *,
    requests: Sequence[CheckoutRequest],
    keys: dict[str, Actor],
    memo: ExposureMemo,
    as_of: date,
) -> tuple[list[Actor | None], list[int]]:
    """PostgreSQL, every key remembered from earlier batches (`keys`, by `hash_key`): the
    batch's opening statements in one round trip (`db.prepared.pipelined`) instead of four
    (BEGIN, the keys, the buyers' locks, the change log), in the order the sequential path
    runs them. The keys are read again in this transaction, and a key whose owner is not the
    remembered one raises KeysChanged before anything is decided. The buyers of every request
    are locked, repeated in the batch or not. The actors and the indices to decide, as
    `_deciding_actors` and `_firsts` give them."""
    distinct = list(dict.fromkeys(request.api_key for request in requests))
    remembered = {key: keys[hash_key(key)] for key in distinct}
    actors: list[Actor | None] = [remembered[request.api_key] for request in requests]
    assert memo.log is not None
    with pipelined(session):
        checks = {key: send_authentication(session, plaintext=key) for key in distinct}
        orgs = _buyers_by_org(requests, actors, list(range(len(requests))))
        locks = [send_lock(session, actor=a, buyers=b, as_of=as_of) for a, b in orgs]
        look = memo.log.send_look(session)
    for key, sent in checks.items():
        try:
            now = authenticated(sent)
        except Unauthenticated:
            raise KeysChanged from None
        if now != remembered[key]:
            raise KeysChanged
    kept = [
        keep_locked(sent, actor=actor, buyers=buyers, as_of=as_of, memo=memo)
        for (actor, buyers), sent in zip(orgs, locks, strict=True)
    ]
    memo.caught_up(look)
    for (actor, _), locked in zip(orgs, kept, strict=True):
        read_unknown(session, actor=actor, locked=locked, as_of=as_of, memo=memo)
    return actors, _firsts(requests, actors)


def _remember(
    keys: dict[str, Actor], requests: Sequence[CheckoutRequest], actors: Sequence[Actor | None]
) -> None:
    if len(keys) > MOST_KEYS:
        keys.clear()
    for request, actor in zip(requests, actors, strict=True):
        if actor is not None:
            keys[hash_key(request.api_key)] = actor


def _open(
    session: Session,
    *,
    requests: Sequence[CheckoutRequest],
    memo: ExposureMemo | None,
    keys: dict[str, Actor] | None,
    as_of: date,
) -> tuple[list[Actor | None], list[int]]:
    """The requests' deciding actors and the indices of those to decide, their buyers locked
    and read on PostgreSQL: together when every key is remembered (`_open_together`), else one
    statement after another."""
    postgresql_memo = memo if memo is not None and memo.log is not None else None
    if postgresql_memo and keys and all(hash_key(k) in keys for k in {r.api_key for r in requests}):
        return _open_together(
            session, requests=requests, keys=keys, memo=postgresql_memo, as_of=as_of
        )
    actors = _deciding_actors(session, requests)
    if keys is not None:
        _remember(keys, requests, actors)
    deciding = _firsts(requests, actors)
    if postgresql_memo is not None:
        _lock_buyers(
            session,
            requests=requests,
            actors=actors,
            indices=deciding,
            memo=postgresql_memo,
            as_of=as_of,
        )
    return actors, deciding


def decide_batch(
    session: Session,
    *,
    requests: Sequence[CheckoutRequest],
    memo: ExposureMemo | None = None,
    keys: dict[str, Actor] | None = None,
    heads: dict[uuid.UUID, audit.Head] | None = None,
) -> list[str | None]:
    """Each request's answer body (a DecisionOut, status 201), or None for those to run alone
    (module docstring). Never commits; raises BatchItemFailed naming the request that failed
    (KeyAnswered: its idempotency key was answered by another transaction).
    `memo`: the batch thread's exposure memory (`exposure.memo`), validated here first; the
    caller clears it when the transaction does not commit. `keys`: the batch thread's memory
    of the API keys' owners (`_open`); KeysChanged when one changed (run the batch again).
    `heads`: the batch thread's memory of the audit chain heads its appends left (`_append`);
    the caller clears it, too, when the transaction does not commit."""
    today = utcnow().date()
    if memo is not None:
        memo.validate(session, as_of=today)
    actors, deciding = _open(session, requests=requests, memo=memo, keys=keys, as_of=today)
    bodies: list[str | None] = [None] * len(requests)
    records: dict[int, idempotency.Claim] = {}
    entries: Entries = {}
    rows: list[dict[str, Any]] = []
    orders: list[dict[str, Any]] = []
    for index in _buyer_order(requests, deciding):
        actor = actors[index]
        assert actor is not None
        pending = PendingAudit()
        try:
            decision = decide_checkout(
                session,
                actor=actor,
                data=requests[index].data,
                audit_later=pending,
                memo=memo,
                rows_later=rows,
                orders_later=orders,
            )
        except Exception as error:
            raise BatchItemFailed(index) from error
        body = decision_out(decision).model_dump_json()
        bodies[index] = body
        records[index] = _record(requests[index], actor, body)
        entries.setdefault(actor.org_id, []).extend((actor, change) for change in pending.changes)
    with pipelined(session):
        recorded = _send_records(session, records)
        insert_orders(session, rows=orders)
        insert_decisions(session, rows=rows)
        expected = _append(session, entries, heads)
    _check_recorded(records, recorded)
    _appended(session, entries, expected, heads)
    return bodies


def _append(
    session: Session, entries: Entries, heads: dict[uuid.UUID, audit.Head] | None
) -> dict[uuid.UUID, audit.ExpectedAppend]:
    """The batch's audit appends, organisation by organisation: sent without waiting where the
    head this thread's last append left is remembered (`audit.send_append_after`), else now."""
    expected = {}
    for org_id in sorted(entries, key=str):
        head = None if heads is None else heads.get(org_id)
        sent = None
        if head is not None:
            sent = audit.send_append_after(
                session, org_id=org_id, entries=entries[org_id], expected=head
            )
        if sent is not None:
            expected[org_id] = sent
            continue
        rows = audit.record_by_actors(session, org_id=org_id, entries=entries[org_id])
        _remember_head(heads, org_id, audit.Head.after(rows))
    return expected


def _appended(
    session: Session,
    entries: Entries,
    expected: dict[uuid.UUID, audit.ExpectedAppend],
    heads: dict[uuid.UUID, audit.Head] | None,
) -> None:
    """Appends whose head was not the remembered one (another writer appended since) are made
    again, reading the head."""
    for org_id, sent in expected.items():
        head = sent.done()
        if head is None:
            rows = audit.record_by_actors(session, org_id=org_id, entries=entries[org_id])
            head = audit.Head.after(rows)
        _remember_head(heads, org_id, head)


def _remember_head(
    heads: dict[uuid.UUID, audit.Head] | None, org_id: uuid.UUID, head: audit.Head
) -> None:
    if heads is not None:
        if len(heads) > MOST_KEYS:
            heads.clear()
        heads[org_id] = head
