"""`Idempotency-Key` for POST routes: run the write once, replay its answer afterwards.

A route calls `respond_once(...)` with the operation to run. Without a key it simply runs it.
With a key: the key is claimed first (one INSERT ... ON CONFLICT DO NOTHING); when it was taken,
the stored answer for the same request is replayed (`Idempotent-Replayed: true`) and the same
key with another request is a 409 `idempotency_key_reused`; otherwise the operation runs and
its answer is stored in the same unit of work.

Only successful answers are stored: a request that failed wrote nothing (its unit of work was
rolled back, the claim with it), so sending it again with the same key simply runs it again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from tradecredit.api.errors import CONFLICT_RESPONSE
from tradecredit.context import Actor
from tradecredit.idempotency import service
from tradecredit.organisations.roles import Permission

REPLAYED_HEADER = "Idempotent-Replayed"

REPLAY_HEADERS_DOC: dict[str, Any] = {
    REPLAYED_HEADER: {
        "description": "`true` when this is the stored answer to an earlier identical request",
        "schema": {"type": "string", "enum": ["true"]},
    }
}

KEYED_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **CONFLICT_RESPONSE,
    201: {"headers": REPLAY_HEADERS_DOC},
}
"""OpenAPI responses of a POST taking an Idempotency-Key: its 409s and the replay header."""


async def _idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description=(
                "1-255 printable ASCII characters, unique per request you mean to make once. "
                "Retrying with the same key and body replays the first answer; nothing is "
                "written twice. Keys are per organisation."
            ),
        ),
    ] = None,
) -> str | None:
    """Async (no I/O): FastAPI runs it on the event loop instead of handing it to a thread."""
    return None if key is None else service.validate_key(key)


IdempotencyKeyDep = Annotated[str | None, Depends(_idempotency_key)]


def json_answer(model: BaseModel, status_code: int) -> Response:
    return Response(
        content=model.model_dump_json(), status_code=status_code, media_type="application/json"
    )


def _replayed(stored: service.StoredResponse) -> Response:
    return Response(
        content=stored.body,
        status_code=stored.status_code,
        media_type="application/json",
        headers={REPLAYED_HEADER: "true"},
    )


def respond_once(
    session: Session,
    *,
    actor: Actor,
    key: str | None,
    request: Request,
    body: BaseModel,
    permission: Permission,
    operation: Callable[[], BaseModel],
    status_code: int = 201,
) -> Response:
    """Run `operation` at most once per (organisation, key); see the module docstring.

    The permission is checked before a replay too, so a key never lets a role do what it may not.
    """
    if key is None:
        return json_answer(operation(), status_code)
    actor.require(permission)
    method, path = request.method, request.url.path
    fingerprint = service.request_fingerprint(
        method=method, path=path, body=body.model_dump(mode="json")
    )
    won = service.claim(
        session, actor=actor, key=key, method=method, path=path, fingerprint=fingerprint
    )
    if not won:
        return _replayed(_winner_answer(session, actor=actor, key=key, fingerprint=fingerprint))
    answer = operation()
    content = answer.model_dump_json()
    service.store_answer(session, actor=actor, key=key, status_code=status_code, body=content)
    return Response(content=content, status_code=status_code, media_type="application/json")


def _winner_answer(
    session: Session, *, actor: Actor, key: str, fingerprint: str
) -> service.StoredResponse:
    """The answer of the request that took the key first: an earlier one, or a concurrent one
    the claim waited for (it has committed)."""
    winner = service.find_record(session, actor=actor, key=key)
    if winner is None or winner.status_code == service.UNANSWERED:
        raise RuntimeError(f"Idempotency-Key {key!r} was taken but has no stored answer")
    return service.replay(winner, fingerprint=fingerprint)
