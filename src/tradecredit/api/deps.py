"""Request dependencies: a unit of work per request, the authenticated actor, pagination.

Two flavours of the same unit of work. `SessionDep` + `ActorDep` serve the ordinary (sync)
routes: FastAPI runs each sync dependency and the route in a worker thread, four thread hand-offs
per request. `ThreadSessionDep` + `ThreadActorDep` serve async hot routes (POST /v1/decisions):
the session is opened and the key checked on the event loop (one indexed read), and the route
runs its whole work and the commit in one worker-thread call (`commit_in_thread`), so the
answer still implies stored rows, with one hand-off instead of four.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tradecredit.context import Actor
from tradecredit.db.engine import session_factory, unit_of_work
from tradecredit.db.writers import write_transaction
from tradecredit.kit.errors import Unauthenticated
from tradecredit.organisations.roles import Permission
from tradecredit.organisations.service import authenticate
from tradecredit.settings import get_settings

_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer tc_...`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


_hot_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)
_route_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _loop_semaphore(
    store: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore], size: int
) -> asyncio.Semaphore:
    """The running event loop's (worker process's) semaphore in `store`."""
    loop = asyncio.get_running_loop()
    found = store.get(loop)
    if found is None:
        found = store[loop] = asyncio.Semaphore(size)
    return found


def _slot() -> asyncio.Semaphore:
    """This worker's slots for hot-route requests."""
    return _loop_semaphore(_hot_slots, get_settings().api_hot_slots)


async def _route_slot() -> AsyncIterator[None]:
    """One of the worker's slots for the ordinary routes (`Settings.api_route_slots`), taken on
    the event loop before the route's session and held until its answer.

    Without it the API deadlocked under load: each of FastAPI's threadpool threads blocked
    waiting for a pooled connection, while the requests holding the connections waited for a
    thread to run their route and commit. With fewer slots than the pool has connections, a
    thread never waits for a connection: requests beyond the slots wait here, holding none."""
    async with _loop_semaphore(_route_slots, get_settings().api_route_slots):
        yield


def _session(
    request: Request, _slot: Annotated[None, Depends(_route_slot, scope="function")]
) -> Iterator[Session]:
    """Committed before the response is sent (scope="function"), so an answer implies a stored row."""
    with unit_of_work(_engine(request)) as session:
        yield session


SessionDep = Annotated[Session, Depends(_session, scope="function")]


def _any_actor(
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_header)],
) -> Actor:
    plaintext = bearer.credentials if bearer else header_key
    if not plaintext:
        raise Unauthenticated("an API key is required (Authorization: Bearer <key>)")
    return authenticate(session, plaintext=plaintext)


def _actor(actor: Annotated[Actor, Depends(_any_actor)]) -> Actor:
    """Every route but the checkout decisions' needs a role that may read the organisation's
    data: an integrator's key (decisions only) is refused here, whatever the route."""
    actor.require(Permission.READ)
    return actor


ActorDep = Annotated[Actor, Depends(_actor)]
AnyActorDep = Annotated[Actor, Depends(_any_actor)]
"""For the checkout decision routes, whose services check their own permission (an
integrator's key may use them without READ)."""


async def _thread_session(request: Request) -> AsyncIterator[Session]:
    """A session the route commits with `commit_in_thread`; closed after the route, which
    rolls back whatever was not committed (the route raised).

    Taken inside one of the worker's hot-route slots (`Settings.api_hot_slots`), held until the
    answer: requests beyond them wait on the event loop holding no database connection, and the
    few running ones do not queue behind each other for the GIL while they hold row locks."""
    async with _slot():
        session = session_factory(_engine(request))()
        try:
            yield session
        finally:
            session.close()


ThreadSessionDep = Annotated[Session, Depends(_thread_session, scope="function")]


async def _thread_actor(
    session: ThreadSessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_header)],
) -> Actor:
    """`_actor` on the event loop: one indexed read (`authenticate`), before the body is
    validated, so a bad key is 401 whatever the body."""
    plaintext = bearer.credentials if bearer else header_key
    if not plaintext:
        raise Unauthenticated("an API key is required (Authorization: Bearer <key>)")
    return authenticate(session, plaintext=plaintext)


ThreadActorDep = Annotated[Actor, Depends(_thread_actor)]

R = TypeVar("R")


def work_and_commit(session: Session, work: Callable[[], R]) -> R:
    """`work`, then the commit, in the writers' turn (`db.writers`); rolled back if it raises."""
    with write_transaction(session):
        result = work()
        session.commit()
    return result


async def commit_in_thread(session: Session, work: Callable[[], R]) -> R:
    """Run `work`, then commit, in one worker-thread call; the answer is built after both.

    On SQLite the transaction waits its turn in the writers' queue (`db.writers`) and starts
    with BEGIN IMMEDIATE."""
    return await run_in_threadpool(work_and_commit, session, work)


MAX_PAGE_SIZE = 500
MAX_OFFSET = 2**31 - 1
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageQuery:
    limit: int
    offset: int


def _page_query(
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"page size, 1-{MAX_PAGE_SIZE}")
    ] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")] = 0,
) -> PageQuery:
    return PageQuery(limit=limit, offset=offset)


PageDep = Annotated[PageQuery, Depends(_page_query)]


class Page(BaseModel, Generic[T]):
    """One page of a list, in a stable order; follow `next_offset` until it is null."""

    items: list[T]
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last page")


def page_of(items: Sequence[T], query: PageQuery) -> Page[T]:
    full = len(items) == query.limit
    return Page[T](
        items=list(items),
        limit=query.limit,
        offset=query.offset,
        next_offset=query.offset + query.limit if full else None,
    )
