"""Idempotency keys: the first answer to (organisation, key) is stored and replayed.

The record is written in the same transaction as the change it guards, so a crash leaves
neither a change without its record nor a record without its change. The key is *claimed*
before the change is made: a second request with the same key waits on the database's unique
constraint until the first one ends, then sees its stored answer. This is what makes two
identical requests arriving at once produce one payment, not two.

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
    """One request's claim of its key (`claim_many`)."""

    actor: Actor
    key: str
    method: str
    path: str
    fingerprint: str


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


def send_claims(session: Session, *, claims: Sequence[Claim]) -> Sent | None:
    """`claim_many` in two steps: the statement sent (`db.prepared.Sent`; None: no claims),
    then `claimed_pairs` once its rows may be fetched."""
    if not claims:
        return None
    statement = _claim_many_statement(session.get_bind().dialect.name, len(claims))
    now = utcnow()
    params: dict[str, Any] = {}
    for i, claim_ in enumerate(claims):
        values = {
            "id": new_id(),
            "org_id": claim_.actor.org_id,
            "created_at": now,
            "key": claim_.key,
            "method": claim_.method.upper(),
            "path": claim_.path,
            "request_hash": claim_.fingerprint,
            "status_code": UNANSWERED,
            "response_body": "",
        }
        params.update({f"c{i}_{name}": value for name, value in values.items()})
    return statement.send(session, params)


def claimed_pairs(sent: Sent | None) -> set[tuple[uuid.UUID, str]]:
    return set() if sent is None else {(org_id, key) for org_id, key in sent.all()}


@dataclass(frozen=True, slots=True)
class Answer:
    actor: Actor
    key: str
    status_code: int
    body: str


def store_answers(session: Session, *, answers: Sequence[Answer]) -> None:
    """`store_answer` for several keys (one executemany)."""
    _STORE_ANSWER.execute_many(
        session,
        [
            {
                "record_org": answer.actor.org_id,
                "record_key": answer.key,
                "answer_status": answer.status_code,
                "answer_body": answer.body,
            }
            for answer in answers
        ],
    )


def store_answer(session: Session, *, actor: Actor, key: str, status_code: int, body: str) -> None:
    store_answers(session, answers=[Answer(actor, key, status_code, body)])
