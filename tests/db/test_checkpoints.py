"""WAL checkpoints off the writer's path (db.checkpoints), on a real SQLite file."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine

from tradecredit.db.checkpoints import Checkpointer, with_autocheckpoint, without_autocheckpoint
from tradecredit.db.engine import make_engine


def _sqlite(tmp_path: Path) -> Engine:
    return make_engine(f"sqlite:///{tmp_path / 'wal.db'}")


def _write_pages(engine: Engine, *, transactions: int) -> None:
    """Commits of about 4 pages each on one connection whose commits never checkpoint."""
    with engine.connect() as connection:
        pages = without_autocheckpoint(connection)
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x BLOB)")
        connection.commit()
        for _ in range(transactions):
            connection.exec_driver_sql("INSERT INTO t VALUES (randomblob(12000))")
            connection.commit()
        with_autocheckpoint(connection, pages)


def test_without_autocheckpoint_the_wal_grows_past_the_threshold_until_a_checkpoint(
    tmp_path: Path,
) -> None:
    engine = _sqlite(tmp_path)
    _write_pages(engine, transactions=400)
    checkpointer = Checkpointer(engine, every=3600)
    try:
        busy, in_wal, moved = checkpointer.checkpoint()
    finally:
        checkpointer.stop()
    assert busy == 0
    assert in_wal > 1000, "the writer's commits did not checkpoint at 1,000 pages"
    assert moved == in_wal


def test_the_thread_checkpoints_by_itself(tmp_path: Path) -> None:
    engine = _sqlite(tmp_path)
    _write_pages(engine, transactions=50)
    checkpointer = Checkpointer(engine, every=0.05)
    try:
        deadline = time.monotonic() + 10
        wal = Path(str(tmp_path / "wal.db") + "-wal")
        backfilled = False
        while time.monotonic() < deadline and not backfilled:
            time.sleep(0.1)
            with engine.connect() as connection:
                row = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
            backfilled = row[1] == row[2]
        assert backfilled
        assert wal.exists()
    finally:
        checkpointer.stop()
    assert not checkpointer._thread.is_alive()


def test_the_connection_gets_its_own_autocheckpoint_setting_back(tmp_path: Path) -> None:
    """A pooled connection goes back to the pool as it came (BatchRunner.close)."""
    engine = _sqlite(tmp_path)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint=250")
        assert without_autocheckpoint(connection) == 250
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 0
        with_autocheckpoint(connection, 250)
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 250
