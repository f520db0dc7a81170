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
from tradecredit.decisions.facts import lock_buyers
from tradecredit.decisions.schemas import DecisionCreate
from tradecredit.decisions.service import PendingAudit, decide_checkout, may_decide
from tradecredit.decisions.shape import decision_out
from tradecredit.decisions.store import insert_decisions
from tradecredit.exposure.memo import ExposureMemo
from tradecredit.idempotency import service as idempotency
from tradecredit.kit.clock import utcnow
from tradecredit.kit.errors import Unauthenticated
from tradecredit.organisations.service import authenticate

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


def _claimed(
    session: Session, requests: Sequence[CheckoutRequest], actors: Sequence[Actor | None]
) -> list[int]:
    """Indices of the requests whose idempotency key this transaction took (the first of each
    (organisation, key) in the batch, if no earlier transaction holds it), claimed in key order."""
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
    won = idempotency.claim_many(session, claims=claims)
    return sorted(index for pair, index in first.items() if pair in won)


def _buyer_order(requests: Sequence[CheckoutRequest], indices: list[int]) -> list[int]:
    return sorted(
        indices,
        key=lambda i: (requests[i].data.country, requests[i].data.registration_number),
    )


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
    by_org: dict[uuid.UUID, tuple[Actor, list[tuple[str, str]]]] = {}
    for index in indices:
        actor, data = actors[index], requests[index].data
        assert actor is not None
        by_org.setdefault(actor.org_id, (actor, []))[1].append(
            (data.country, data.registration_number)
        )
    for org_id in sorted(by_org, key=str):
        actor, buyers = by_org[org_id]
        lock_buyers(session, actor=actor, buyers=buyers, as_of=as_of, memo=memo)


def decide_batch(
    session: Session,
    *,
    requests: Sequence[CheckoutRequest],
    memo: ExposureMemo | None = None,
) -> list[str | None]:
    """Each request's answer body (a DecisionOut, status 201), or None for those to run alone
    (module docstring). Never commits; raises BatchItemFailed naming the request that failed.
    `memo`: the batch thread's exposure memory (`exposure.memo`), validated here first; the
    caller clears it when the transaction does not commit."""
    today = utcnow().date()
    if memo is not None:
        memo.validate(session, as_of=today)
    actors = _deciding_actors(session, requests)
    claimed = _claimed(session, requests, actors)
    if memo is not None and memo.log is not None:
        _lock_buyers(
            session, requests=requests, actors=actors, indices=claimed, memo=memo, as_of=today
        )
    bodies: list[str | None] = [None] * len(requests)
    answers: list[idempotency.Answer] = []
    entries: dict[uuid.UUID, list[tuple[Actor, audit.Change]]] = {}
    rows: list[dict[str, Any]] = []
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
            )
        except Exception as error:
            raise BatchItemFailed(index) from error
        body = decision_out(decision).model_dump_json()
        bodies[index] = body
        key = requests[index].idempotency_key
        answers.append(idempotency.Answer(actor, key, DECIDED_STATUS, body))
        entries.setdefault(actor.org_id, []).extend((actor, change) for change in pending.changes)
    with pipelined(session):
        insert_decisions(session, rows=rows)
        idempotency.store_answers(session, answers=answers)
        for org_id in sorted(entries, key=str):
            audit.record_by_actors(session, org_id=org_id, entries=entries[org_id])
    return bodies
