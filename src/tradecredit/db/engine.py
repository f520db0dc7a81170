"""Engines and sessions. Services never commit: the caller owns the unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from tradecredit.settings import get_settings


def _sqlite_pragmas(synchronous: str) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return on_connect


SQLITE_POOL_SIZE = 5


def make_engine(url: str, *, sqlite_synchronous: str = "FULL") -> Engine:
    """SQLite's pool has no ceiling (`max_overflow=-1`; connections above `SQLITE_POOL_SIZE`
    are closed when returned). With one, the API deadlocked under load: each of FastAPI's
    threadpool threads (40) blocked waiting for a connection, while the requests holding the
    connections waited for a thread to run their commit and close (until the 30 s pool timeout
    gave 500s). A SQLite connection is a file handle; writers queue anyway (`db.writers`).
    PostgreSQL keeps its ceiling (max_connections); there the API's route slots (`api.deps`)
    keep requests from waiting for a connection inside a thread."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=-1,
        )
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_synchronous))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@cache
def engine_for(url: str) -> Engine:
    return make_engine(url, sqlite_synchronous=get_settings().sqlite_synchronous)


def default_engine() -> Engine:
    return engine_for(get_settings().database_url)


@cache
def _factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """The sessions `unit_of_work` opens, for callers that commit themselves (api.deps)."""
    return _factory(engine)


@contextmanager
def unit_of_work(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: committed if the block succeeds, rolled back whole if it raises."""
    session = _factory(engine or default_engine())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
