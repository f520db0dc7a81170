"""`python -m tradecredit.db.revision "message"`: autogenerate a migration against a scratch SQLite."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from tradecredit.db.engine import make_engine
from tradecredit.db.migrate import alembic_config, upgrade


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'scratch.db'}")
        upgrade(engine)
        command.revision(alembic_config(engine), message=message, autogenerate=True)
        engine.dispose()


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "schema change")
