"""Request dependencies: a unit of work per request, the authenticated actor, pagination."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tradecredit.context import Actor
from tradecredit.db.engine import unit_of_work
from tradecredit.kit.errors import Unauthenticated
from tradecredit.organisations.service import authenticate

_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer tc_...`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key")


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _session(request: Request) -> Iterator[Session]:
    """Committed before the response is sent (scope="function"), so an answer implies a stored row."""
    with unit_of_work(_engine(request)) as session:
        yield session


SessionDep = Annotated[Session, Depends(_session, scope="function")]


def _actor(
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_header)],
) -> Actor:
    plaintext = bearer.credentials if bearer else header_key
    if not plaintext:
        raise Unauthenticated("an API key is required (Authorization: Bearer <key>)")
    return authenticate(session, plaintext=plaintext)


ActorDep = Annotated[Actor, Depends(_actor)]


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
