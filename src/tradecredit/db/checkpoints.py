"""SQLite WAL checkpoints off a hot writer's path.

In WAL mode a commit appends pages to the `-wal` file; once it holds `wal_autocheckpoint` pages
(1,000 by default), the committing connection copies them into the database file and syncs it,
inside its own commit. On the checkout decisions' batch connection that is a 40-140 ms pause for
every decision of the batch, and for every request queued behind it (measured at 1,000
decisions/s). `Checkpointer` turns automatic checkpoints off on that connection and runs
PASSIVE checkpoints from a thread of its own, on a connection of its own: a passive checkpoint
copies what it can without waiting for, or blocking, readers and writers, and SQLite releases
the GIL while it runs. Durability is unchanged: a commit is durable once its WAL frames are
synced (synchronous=FULL); checkpoints only move committed pages into the main file.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)

EVERY_SECONDS = 0.5


def without_autocheckpoint(connection: Connection) -> int:
    """This connection's commits no longer checkpoint (a `Checkpointer` does); returns the
    setting it had, for `with_autocheckpoint`. Ends the transaction the statements began, so
    that a Session bound to the connection begins (and commits) its own."""
    pages = int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())
    connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
    connection.commit()
    return pages


def with_autocheckpoint(connection: Connection, pages: int) -> None:
    """Give the connection back its automatic checkpoints (every `pages` WAL pages)."""
    connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint={int(pages)}")
    connection.commit()


class Checkpointer:
    """A daemon thread that checkpoints the engine's SQLite database every `every` seconds
    until `stop`."""

    def __init__(self, engine: Engine, *, every: float = EVERY_SECONDS) -> None:
        self._engine = engine
        self._every = every
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._thread = threading.Thread(target=self._loop, name="wal-checkpoints", daemon=True)
        self._thread.start()

    def checkpoint(self) -> tuple[int, int, int]:
        """One passive checkpoint: (busy, pages in the WAL, pages checkpointed). On a
        connection of the checkpointer's own, opened once: a busy pool (requests waiting for
        connections) must not hold checkpoints back."""
        with self._lock:
            if self._connection is None or self._connection.closed:
                self._connection = self._engine.connect()
            row = self._connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
            self._connection.commit()
        return int(row[0]), int(row[1]), int(row[2])

    def _loop(self) -> None:
        while not self._stopped.wait(self._every):
            try:
                self.checkpoint()
            except Exception:
                log.warning("WAL checkpoint failed; trying again later", exc_info=True)

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
