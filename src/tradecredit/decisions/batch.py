"""Several checkout decisions in one transaction: one commit (one fsync on SQLite, one WAL flush
on PostgreSQL) and one audit append for all of them, each decided exactly as it would be alone
(`service.decide_checkout`), one after another, so each sees the reservations of the ones before.

Why: at a thousand checkouts a second the fixed cost of a transaction (begin, the audit chain's
head lock, the durable commit) and of an HTTP framework's request handling is most of a
decision's cost; paid once per batch, it is shared (`api.hot` collects the batches).

What a batch does not decide it hands back (None), to be run alone by the ordinary route, which
then gives the answer or the error it always gives: a key that does not authenticate or whose
role may not decide, an idempotency key already taken (a replay or a conflict) or repeated in the
batch. A decision that raises (a merchant reference already taken, a missing FX rate) fails the
batch with `BatchItemFailed`: the caller rolls back and runs the batch again without it.

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
from tradecredit.db.prepared import pipelined
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


class BatchItemFailed(Exception):
    """The decision of `requests[index]` raised (the cause is chained): run the batch again
    without it, and that request alone."""

    def __init__(self, index: int) -> None:
        super().__init__(f"checkout request {index} of the batch failed")
        self.index = index


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


def _claims(
    requests: Sequence[CheckoutRequest], actors: Sequence[Actor | None]
) -> tuple[list[idempotency.Claim], dict[tuple[uuid.UUID, str], int]]:
    """The claims of the requests' idempotency keys, in key order: the first request of each
    (organisation, key) in the batch, by its index."""
    first: dict[tuple[uuid.UUID, str], int] = {}
    for index, (request, actor) in enumerate(zip(requests, actors, strict=True)):
        if actor is not None:
            first.setdefault((actor.org_id, request.idempotency_key), index)
    claims = []
    for (_, key), index in sorted(first.items(), key=lambda item: (str(item[0][0]), item[0][1])):
        actor = actors[index]
        assert actor is not None
        fingerprint = idempotency.request_fingerprint(
            method="POST", path=DECISIONS_PATH, body=requests[index].data.model_dump(mode="json")
        )
        claims.append(idempotency.Claim(actor, key, "POST", DECISIONS_PATH, fingerprint))
    return claims, first


def _won(first: dict[tuple[uuid.UUID, str], int], won: set[tuple[uuid.UUID, str]]) -> list[int]:
    return sorted(index for pair, index in first.items() if pair in won)


def _claimed(
    session: Session, requests: Sequence[CheckoutRequest], actors: Sequence[Actor | None]
) -> list[int]:
    """Indices of the requests whose idempotency key this transaction took (the first of each
    (organisation, key) in the batch, if no earlier transaction holds it), claimed in key order."""
    claims, first = _claims(requests, actors)
    return _won(first, idempotency.claim_many(session, claims=claims))


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
    batch's opening statements in one round trip (`db.prepared.pipelined`) instead of five
    (BEGIN, the keys, the claims, the buyers' locks, the change log), in the order the
    sequential path runs them. The keys are read again in this transaction, and a key whose
    owner is not the remembered one raises KeysChanged before anything is decided. The
    buyers of every request are locked, claimed or not (a request whose key another
    transaction answered is then left undecided, its buyer locked until the commit).
    The actors and the claimed indices, as `_deciding_actors` and `_claimed` give them."""
    distinct = list(dict.fromkeys(request.api_key for request in requests))
    remembered = {key: keys[hash_key(key)] for key in distinct}
    actors: list[Actor | None] = [remembered[request.api_key] for request in requests]
    claims, first = _claims(requests, actors)
    assert memo.log is not None
    with pipelined(session):
        checks = {key: send_authentication(session, plaintext=key) for key in distinct}
        claimed = idempotency.send_claims(session, claims=claims)
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
    won = _won(first, idempotency.claimed_pairs(claimed))
    kept = [
        keep_locked(sent, actor=actor, buyers=buyers, as_of=as_of, memo=memo)
        for (actor, buyers), sent in zip(orgs, locks, strict=True)
    ]
    memo.caught_up(look)
    for (actor, _), locked in zip(orgs, kept, strict=True):
        read_unknown(session, actor=actor, locked=locked, as_of=as_of, memo=memo)
    return actors, won


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
    """The requests' deciding actors and the indices of those claimed, their buyers locked and
    read on PostgreSQL: together when every key is remembered (`_open_together`), else one
    statement after another."""
    postgresql_memo = memo if memo is not None and memo.log is not None else None
    if postgresql_memo and keys and all(hash_key(k) in keys for k in {r.api_key for r in requests}):
        return _open_together(
            session, requests=requests, keys=keys, memo=postgresql_memo, as_of=as_of
        )
    actors = _deciding_actors(session, requests)
    if keys is not None:
        _remember(keys, requests, actors)
    claimed = _claimed(session, requests, actors)
    if postgresql_memo is not None:
        _lock_buyers(
            session,
            requests=requests,
            actors=actors,
            indices=claimed,
            memo=postgresql_memo,
            as_of=as_of,
        )
    return actors, claimed


def decide_batch(
    session: Session,
    *,
    requests: Sequence[CheckoutRequest],
    memo: ExposureMemo | None = None,
    keys: dict[str, Actor] | None = None,
) -> list[str | None]:
    """Each request's answer body (a DecisionOut, status 201), or None for those to run alone
    (module docstring). Never commits; raises BatchItemFailed naming the request that failed.
    `memo`: the batch thread's exposure memory (`exposure.memo`), validated here first; the
    caller clears it when the transaction does not commit. `keys`: the batch thread's memory
    of the API keys' owners (`_open`); KeysChanged when one changed (run the batch again)."""
    today = utcnow().date()
    if memo is not None:
        memo.validate(session, as_of=today)
    actors, claimed = _open(session, requests=requests, memo=memo, keys=keys, as_of=today)
    bodies: list[str | None] = [None] * len(requests)
    answers: list[idempotency.Answer] = []
    entries: dict[uuid.UUID, list[tuple[Actor, audit.Change]]] = {}
    rows: list[dict[str, Any]] = []
    orders: list[dict[str, Any]] = []
    for index in _buyer_order(requests, claimed):
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
        key = requests[index].idempotency_key
        answers.append(idempotency.Answer(actor, key, DECIDED_STATUS, body))
        entries.setdefault(actor.org_id, []).extend((actor, change) for change in pending.changes)
    with pipelined(session):
        insert_orders(session, rows=orders)
        insert_decisions(session, rows=rows)
        idempotency.store_answers(session, answers=answers)
        for org_id in sorted(entries, key=str):
            audit.record_by_actors(session, org_id=org_id, entries=entries[org_id])
    return bodies
