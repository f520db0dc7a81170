"""POST /v1/decisions on the hot path: taken before FastAPI's routing and decided in batches.

A checkout decision must be answered in milliseconds at a thousand a second. Most of what a
single request cost was fixed: FastAPI's routing, dependencies and validation (about 2 ms), the
transaction's begin, audit head lock and durable commit. `HotDecisions` (ASGI middleware) reads
the request itself; each worker process's `_Batcher` sends the requests that arrive while a
batch is running to the next batch, one transaction (`decisions.batch.decide_batch`) and one
commit for all of them, in one worker thread. Nobody waits for a batch to fill: a lone request
is a batch of one; under load, batches grow by themselves.

Only a request that is complete and well formed takes this path: a key (Bearer or X-API-Key),
a valid Idempotency-Key, a JSON body that validates as `DecisionCreate`. Everything else, and
every request the batch hands back (a bad key, a role that may not decide, a replayed or
reused Idempotency-Key, a decision that fails), goes through the ordinary route, which answers
exactly as it always has. An answer still implies stored rows: the batch commits before any of
its answers is sent.

`TRADECREDIT_API_DECISION_BATCHES=false` turns the path off (every request through the route).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
import weakref
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradecredit.api.deps import work_and_commit
from tradecredit.audit.service import Head
from tradecredit.context import Actor
from tradecredit.db.checkpoints import (
    Checkpointer,
    with_autocheckpoint,
    without_autocheckpoint,
)
from tradecredit.decisions.batch import (
    DECIDED_STATUS,
    DECISIONS_PATH,
    BatchItemFailed,
    CheckoutRequest,
    KeyAnswered,
    KeysChanged,
    decide_batch,
)
from tradecredit.decisions.schemas import DecisionCreate
from tradecredit.exposure.changes import ChangeLog
from tradecredit.exposure.memo import ExposureMemo
from tradecredit.idempotency.service import validate_key
from tradecredit.kit.errors import InvalidInput

log = logging.getLogger(__name__)


class BatchRunner:
    """Decides and commits batches in one thread (one runner per `_Batcher`), on a connection of
    its own: no pool checkout (nor PostgreSQL's pre-ping) per batch. On SQLite it keeps the
    exposure memory that connection makes possible (`exposure.memo`) and runs WAL checkpoints
    in another thread (`db.checkpoints`); on PostgreSQL it runs generic plans
    (`use_generic_plans`) and its memory follows the ledger's change log (`exposure.changes`:
    each batch locks its buyers first, then forgets what others changed,
    `decisions.facts.lock_buyers`; the served app prunes the log). It remembers the
    API keys' owners and, on PostgreSQL, the audit chain heads its appends left
    (`decisions.batch`). A batch that fails outside any one decision closes the connection:
    the next batch opens a new one."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        self._memo = ExposureMemo(log=None if self._sqlite else ChangeLog())
        self._keys: dict[str, Actor] = {}
        self._heads: dict[uuid.UUID, Head] = {}
        self._connection: Connection | None = None
        self._checkpointer: Checkpointer | None = None
        self._autocheckpoint = 0

    def _session(self) -> Session:
        if self._connection is None or self._connection.closed:
            self.close()
            self._connection = self._engine.connect()
            if self._sqlite:
                self._autocheckpoint = without_autocheckpoint(self._connection)
                self._checkpointer = Checkpointer(self._engine)
            else:
                self._connection.detach()
                use_generic_plans(self._connection)
        return Session(bind=self._connection, expire_on_commit=False)

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        if self._connection is not None:
            if not self._connection.closed:
                if self._sqlite:
                    with_autocheckpoint(self._connection, self._autocheckpoint)
                self._connection.close()
            self._connection = None

    def run(self, requests: list[CheckoutRequest]) -> list[str | None]:
        """Decide and commit `requests`; a request whose decision fails, or whose idempotency key
        another transaction answered, is left out (None: it runs alone) and the rest decided
        again in a new transaction, as is the whole batch when
        an API key's owner changed since an earlier batch (`decisions.batch.KeysChanged`: the
        keys are then read first)."""
        answers: list[str | None] = [None] * len(requests)
        remaining = list(range(len(requests)))
        while remaining:
            batch = [requests[i] for i in remaining]
            try:
                with self._session() as session:
                    work = partial(
                        decide_batch,
                        session,
                        requests=batch,
                        memo=self._memo,
                        keys=self._keys,
                        heads=self._heads,
                    )
                    bodies = work_and_commit(session, work)
            except KeysChanged:
                self._forget()
                self._keys.clear()
                continue
            except BatchItemFailed as failed:
                self._forget()
                if not isinstance(failed, KeyAnswered):
                    log.info(
                        "checkout decision run alone after failing in a batch", exc_info=failed
                    )
                del remaining[failed.index]
                continue
            except BaseException:
                self._forget()
                self.close()
                raise
            for index, body in zip(remaining, bodies, strict=True):
                answers[index] = body
            break
        return answers

    def _forget(self) -> None:
        """After a transaction that did not commit: its reservations are not in the ledger, nor
        its audit events in the chain."""
        self._memo.clear()
        self._heads.clear()


def use_generic_plans(connection: Connection) -> None:
    """PostgreSQL: the connection's prepared statements run their generic plans, planned once.

    PostgreSQL plans a prepared statement for its parameters (a custom plan) until its fifth
    run, then keeps planning it each time unless the generic plan's estimated cost is no higher.
    The batch's statement that locks its buyers (an array of keys: the generic plan assumes ten)
    stayed on custom plans: 0.7 ms of planning per batch against 0.09 ms for binding the generic
    plan, whose execution took the same time (0.16-0.18 ms). The batch connection runs a fixed
    set of statements, whose generic plans `tests/db/test_plans.py` checks; it is detached from
    the pool, so the setting leaves with it."""
    connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
    connection.commit()


def run_batch(engine: Engine, requests: list[CheckoutRequest]) -> list[str | None]:
    """`BatchRunner.run` with a runner of its own."""
    runner = BatchRunner(engine)
    try:
        return runner.run(requests)
    finally:
        runner.close()


Waiting = tuple[CheckoutRequest, "asyncio.Future[str | None]"]


class _Batcher:
    """One worker process's (event loop's) batches: at most one running, in its own thread."""

    def __init__(self, engine: Engine, most: int) -> None:
        self._runner = BatchRunner(engine)
        weakref.finalize(self, self._runner.close)
        self._most = most
        self._waiting: list[Waiting] = []
        self._running: asyncio.Task[None] | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="decisions")

    async def decide(self, request: CheckoutRequest) -> str | None:
        """The answer body, or None: the request is to go through the ordinary route."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str | None] = loop.create_future()
        self._waiting.append((request, future))
        if self._running is None:
            self._running = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[: self._most], self._waiting[self._most :]
                await self._run(batch)
        finally:
            self._running = None

    async def _run(self, batch: list[Waiting]) -> None:
        requests = [request for request, _ in batch]
        loop = asyncio.get_running_loop()
        try:
            answers = await loop.run_in_executor(self._thread, self._runner.run, requests)
        except Exception:
            # The batch failed outside any one decision (the database, the audit append): every
            # request goes through the ordinary route, which reports what it meets itself.
            log.warning("checkout decision batch failed; its requests run alone", exc_info=True)
            answers = [None] * len(batch)
        for (_, future), answer in zip(batch, answers, strict=True):
            if not future.done():
                future.set_result(answer)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _api_key(scope: Scope) -> str | None:
    """As the route reads it: `Authorization: Bearer <key>`, else `X-API-Key`."""
    authorization = _header(scope, b"authorization")
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials:
            return credentials
    return _header(scope, b"x-api-key") or None


def checkout_request(scope: Scope, body: bytes) -> CheckoutRequest | None:
    """The request when it is well formed (module docstring); None sends it to the route."""
    content_type = _header(scope, b"content-type") or ""
    api_key = _api_key(scope)
    idempotency_key = _header(scope, b"idempotency-key")
    if not content_type.startswith("application/json") or not api_key or not idempotency_key:
        return None
    try:
        validate_key(idempotency_key)
        data = DecisionCreate.model_validate(json.loads(body))
    except (InvalidInput, ValueError, ValidationError):
        return None
    return CheckoutRequest(api_key, idempotency_key, data)


async def _whole_body(receive: Receive) -> bytes | None:
    """The request body; None when the client went away before sending it all."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the body already read, then whatever the client sends next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class HotDecisions:
    """ASGI middleware: POST /v1/decisions through `_Batcher` (module docstring)."""

    def __init__(self, app: ASGIApp, *, most: int = 64) -> None:
        self.app = app
        self.most = most
        self._batchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Batcher] = (
            weakref.WeakKeyDictionary()
        )

    def _batcher(self, scope: Scope) -> _Batcher:
        loop = asyncio.get_running_loop()
        found = self._batchers.get(loop)
        if found is None:
            engine: Engine = scope["app"].state.engine
            found = self._batchers[loop] = _Batcher(engine, self.most)
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_decision_post(scope):
            await self.app(scope, receive, send)
            return
        body = await _whole_body(receive)
        if body is None:
            return
        request = checkout_request(scope, body)
        answer = None if request is None else await self._batcher(scope).decide(request)
        if answer is None:
            await self.app(scope, _replaying(body, receive), send)
            return
        await _send_json(send, answer)


def _is_decision_post(scope: Scope) -> bool:
    return bool(
        scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == DECISIONS_PATH
    )


async def _send_json(send: Send, body: str) -> None:
    content = body.encode("utf-8")
    headers: list[Any] = [
        (b"content-length", str(len(content)).encode("ascii")),
        (b"content-type", b"application/json"),
    ]
    await send({"type": "http.response.start", "status": DECIDED_STATUS, "headers": headers})
    await send({"type": "http.response.body", "body": content})
