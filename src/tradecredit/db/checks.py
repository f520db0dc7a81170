"""Database settings the API's performance depends on, checked when it starts."""

from __future__ import annotations

from sqlalchemy import Engine

AUTOVACUUM_OFF = (
    "PostgreSQL runs with autovacuum off: the planner statistics of the tables the API fills "
    "(idempotency records, checkout decisions, orders, audit events) never refresh, and the "
    "plans each connection caches while they are small stay in use as they grow (checkout "
    "decisions then slow down with every request stored). Turn autovacuum on, or run ANALYZE "
    "after the first minutes of traffic and after bulk loads."
)


def settings_warnings(engine: Engine) -> list[str]:
    """What an operator should change before serving this database, in plain words."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as connection:
        autovacuum = connection.exec_driver_sql("SHOW autovacuum").scalar_one()
    return [AUTOVACUUM_OFF] if autovacuum == "off" else []
