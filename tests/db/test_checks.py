"""The settings `tradecredit serve` warns about (db.checks), read from the real servers."""

from __future__ import annotations

from sqlalchemy import Engine

from tradecredit.db.checks import AUTOVACUUM_OFF, settings_warnings


def test_autovacuum_off_is_reported_on_postgresql_and_nothing_on_sqlite(engine: Engine) -> None:
    warnings = settings_warnings(engine)
    if engine.dialect.name == "sqlite":
        assert warnings == []
        return
    with engine.connect() as connection:
        autovacuum = connection.exec_driver_sql("SHOW autovacuum").scalar_one()
    assert (AUTOVACUUM_OFF in warnings) == (autovacuum == "off")
    assert "ANALYZE" in AUTOVACUUM_OFF
