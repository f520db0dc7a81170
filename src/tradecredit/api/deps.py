"""Request dependencies: a unit of work per request, and the authenticated actor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
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
