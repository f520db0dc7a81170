"""A queue for SQLite write transactions, so that writers wait in line instead of polling.

SQLite lets one transaction write at a time, database-wide. A writer that finds the lock taken
sleeps in SQLite's busy handler (1, 2, 5, 10 ... ms) and tries again: under load, most of a
request's time goes to those sleeps and threads of the same worker overtake each other. Writers
that go through `write_transaction` queue instead: a lock per process (threads of one worker)
and an advisory lock on a file beside the database (`<database>-writers`, the worker
processes), both of which wake the next waiter as soon as the holder is done; then
BEGIN IMMEDIATE, which finds the database lock free unless a writer outside the queue (a CLI
command) holds it, in which case busy_timeout waits as before. Correctness never depends on
the queue: SQLite's own lock serialises writers either way.

PostgreSQL needs none of this (row locks): `write_transaction` does nothing there.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: the per-process lock only
    fcntl = None  # type: ignore[assignment]

_queues: dict[str, _Queue] = {}
_queues_lock = threading.Lock()


class _Queue:
    def __init__(self, path: str | None) -> None:
        self._threads = threading.Lock()
        self._path = path
        self._file: IO[bytes] | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._threads:
            handle = self._handle()
            if handle is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                if handle is not None:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _handle(self) -> IO[bytes] | None:
        """The lock file, opened once per process (used only under the thread lock)."""
        if self._path is None or fcntl is None:
            return None
        if self._file is None:
            self._file = open(self._path, "ab")  # noqa: SIM115 - kept open for the process
        return self._file


def _queue(engine: Engine) -> _Queue:
    database = engine.url.database
    key = database or ":memory:"
    found = _queues.get(key)
    if found is None:
        with _queues_lock:
            found = _queues.get(key)
            if found is None:
                path = None
                if database and database != ":memory:" and not database.startswith("file:"):
                    path = os.path.abspath(database) + "-writers"
                found = _queues[key] = _Queue(path)
    return found


@contextmanager
def write_transaction(session: Session) -> Iterator[None]:
    """Hold this process's and the database's writer turn for the block, which must end the
    session's transaction (commit); on SQLite the transaction starts with BEGIN IMMEDIATE.
    When the block raises, the transaction is rolled back before the turn passes on."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        yield
        return
    with _queue(engine).held():
        try:
            hold_sqlite_write_lock(session.connection())
            yield
        except BaseException:
            session.rollback()
            raise


def hold_sqlite_write_lock(connection: Connection) -> None:
    """Make sure the connection's transaction holds SQLite's write lock: BEGIN IMMEDIATE unless
    a transaction is open, which has then already written (the driver opens one only at the
    first write, which takes the lock). Nothing on other databases."""
    if connection.dialect.name != "sqlite":
        return
    driver = connection.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
