from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from tradecredit.db.migrate import current_revision, head_revision, upgrade
from tradecredit.db.models import Base


def test_migrations_build_exactly_the_models(engine: Engine) -> None:
    """The schema the migrations create is the one the models describe (no forgotten revision)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision(engine)
