"""Idempotency keys: the first answer to (organisation, key) is stored and replayed.

The record is written in the same transaction as the change it guards, so a crash leaves
neither a change without its record nor a record without its change. The key is *claimed*
before the change is made: a second request with the same key waits on the database's unique
constraint until the first one ends, then sees its stored answer. This is what makes two
identical requests arriving at once produce one payment, not two. Checkout decision batches
write the record with its answer at the end instead, after locking the buyers; the route that
decides one checkout locks its buyer before claiming, so the two wait for each other in one
order (`decisions.batch`).

An idempotency record is a cache of an answer, not a business fact: it has no audit event of
its own; the change it guards has one.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tradecredit.audit.canonical import canonical_json
from tradecredit.context import Actor
from tradecredit.db.prepared import Prepared, Sent
from tradecredit.idempotency.models import IdempotencyRecord
from tradecredit.kit.clock import utcnow
from tradecredit.kit.errors import IdempotencyKeyReused, InvalidInput, UnsupportedDatabase
from tradecredit.kit.ids import new_id

MAX_KEY_LENGTH = 255
_PRINTABLE = re.compile(r"^[\x20-\x7e]+$")
UNANSWERED = 0
"""Status of a claimed key whose answer is not stored yet; never visible outside its transaction."""


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    body: str


def validate_key(key: str) -> str:
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not _PRINTABLE.match(key):
        shown = key if len(key) <= 40 else key[:40] + "..."
        raise InvalidInput(
            f"Idempotency-Key {shown!r} is invalid: it must be 1-{MAX_KEY_LENGTH} printable "
            f"ASCII characters (it is {len(key)} long)",
            details={"field": "Idempotency-Key", "value": shown},
        )
    return key


def request_fingerprint(*, method: str, path: str, body: Any) -> str:
    """SHA-256 of the method, the path and the body as canonical JSON (sorted keys)."""
    canonical = canonical_json({"method": method.upper(), "path": path, "body": body})
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def find_record(session: Session, *, actor: Actor, key: str) -> IdempotencyRecord | None:
    return session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.org_id == actor.org_id, IdempotencyRecord.key == key
        )
    )


def replay(record: IdempotencyRecord, *, fingerprint: str) -> StoredResponse:
    """The stored answer, if the request is the same one; a key reused for another is refused."""
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused(
            f"Idempotency-Key {record.key!r} was already used for a different request "
            f"({record.method} {record.path} with another body); use a new key for a new request",
            details={"field": "Idempotency-Key", "value": record.key},
        )
    return StoredResponse(status_code=record.status_code, body=record.response_body)


_RECORDS = cast(Table, IdempotencyRecord.__table__)
_STORE_ANSWER = Prepared(
    update(_RECORDS)
    .where(_RECORDS.c.org_id == bindparam("record_org"), _RECORDS.c.key == bindparam("record_key"))
    .values(status_code=bindparam("answer_status"), response_body=bindparam("answer_body"))
)


@dataclass(frozen=True, slots=True)
class Claim:
    """One request's claim of its key (`claim_many`); with its answer (`status_code`, `body`)
    when the change it guards is already made in the transaction (`decisions.batch`)."""

    actor: Actor
    key: str
    method: str
    path: str
    fingerprint: str
    status_code: int = UNANSWERED
    body: str = ""


def claim(
    session: Session, *, actor: Actor, key: str, method: str, path: str, fingerprint: str
) -> bool:
    """Take the key for this transaction; False if another transaction already answered it.

    INSERT ... ON CONFLICT DO NOTHING waits while a concurrent transaction holds the same key
    uncommitted, and inserts nothing once that one has committed; the transaction stays usable.
    """
    taken = claim_many(session, claims=[Claim(actor, key, method, path, fingerprint)])
    return bool(taken)


_claim_statements: dict[tuple[str, int], Prepared] = {}


def _claim_many_statement(dialect: str, count: int) -> Prepared:
    """INSERT ... VALUES (...) x count ON CONFLICT (org_id, key) DO NOTHING RETURNING org_id, key,
    compiled once per dialect and count."""
    found = _claim_statements.get((dialect, count))
    if found is None:
        if dialect not in ("postgresql", "sqlite"):
            raise UnsupportedDatabase(f"idempotency keys need PostgreSQL or SQLite, not {dialect}")
        rows = [
            {
                column.name: bindparam(f"c{i}_{column.name}", type_=column.type)
                for column in _RECORDS.c
            }
            for i in range(count)
        ]
        module = postgresql if dialect == "postgresql" else sqlite
        found = _claim_statements[(dialect, count)] = Prepared(
            module.insert(_RECORDS)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["org_id", "key"])
            .returning(_RECORDS.c.org_id, _RECORDS.c.key)
        )
    return found


def claim_many(session: Session, *, claims: Sequence[Claim]) -> set[tuple[uuid.UUID, str]]:
    """`claim` for several keys in one statement (distinct (organisation, key) pairs); the
    pairs this transaction took. The same waiting rules as `claim`, key by key."""
    return claimed_pairs(send_claims(session, claims=claims))


CHUNKS = (64, 32, 16, 8, 4, 2, 1)
"""Claims go out in statements of these many rows: a batch of 13 sends 8, 4 and 1. A few
statements serve every batch size, compiled and prepared by the server once each, where one per
size would be compiled (1-6 ms) the first time a size occurs, often in a backlog after a stall."""


def _chunks(claims: Sequence[Claim]) -> list[Sequence[Claim]]:
    chunks, start = [], 0
    for size in CHUNKS:
        while len(claims) - start >= size:
            chunks.append(claims[start : start + size])
            start += size
    return chunks


def send_claims(session: Session, *, claims: Sequence[Claim]) -> list[Sent]:
    """`claim_many` in two steps: the statements sent, in the claims' order (`CHUNKS`;
    `db.prepared.Sent`), then `claimed_pairs` once their rows may be fetched."""
    dialect = session.get_bind().dialect.name
    now = utcnow()
    sent = []
    for chunk in _chunks(claims):
        params: dict[str, Any] = {}
        for i, claim_ in enumerate(chunk):
            values = {
                "id": new_id(),
                "org_id": claim_.actor.org_id,
                "created_at": now,
                "key": claim_.key,
                "method": claim_.method.upper(),
                "path": claim_.path,
                "request_hash": claim_.fingerprint,
                "status_code": claim_.status_code,
                "response_body": claim_.body,
            }
            params.update({f"c{i}_{name}": value for name, value in values.items()})
        sent.append(_claim_many_statement(dialect, len(chunk)).send(session, params))
    return sent


def claimed_pairs(sent: Sequence[Sent]) -> set[tuple[uuid.UUID, str]]:
    return {(org_id, key) for one in sent for org_id, key in one.all()}


def store_answer(session: Session, *, actor: Actor, key: str, status_code: int, body: str) -> None:
    """The answer of a key this transaction claimed."""
    _STORE_ANSWER.execute(
        session,
        {
            "record_org": actor.org_id,
            "record_key": key,
            "answer_status": status_code,
            "answer_body": body,
        },
    )
