"""`create_app()`: the FastAPI application with every domain's routes under /v1."""

from __future__ import annotations

import gc
import sys

from fastapi import FastAPI
from sqlalchemy import Engine

from tradecredit import __version__
from tradecredit.api.errors import COMMON_ERROR_RESPONSES, install_error_handlers
from tradecredit.api.hot import HotDecisions
from tradecredit.api.routers import ROUTERS
from tradecredit.db.engine import default_engine
from tradecredit.db.migrate import upgrade
from tradecredit.exposure.changes import ChangePruner
from tradecredit.settings import get_settings


def create_app(engine: Engine | None = None, *, migrate: bool = True) -> FastAPI:
    engine = engine or default_engine()
    if migrate:
        upgrade(engine)
    app = FastAPI(
        title="tradecredit",
        version=__version__,
        description="Trade-credit risk platform: receivables ledger, ageing, scoring, limits.",
    )
    app.state.engine = engine
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router, prefix="/v1", responses=COMMON_ERROR_RESPONSES)
    settings = get_settings()
    if settings.api_decision_batches:
        app.add_middleware(HotDecisions, most=settings.api_decision_batch_max)
    return app


SWITCH_INTERVAL_SECONDS = 0.001


def create_served_app() -> FastAPI:
    """`create_app()` for a `tradecredit serve` worker process, which is then tuned for request
    latency (`settle_worker`); on PostgreSQL it prunes the ledger's change log in a thread
    (`exposure.changes.ChangePruner`)."""
    app = create_app()
    if app.state.engine.dialect.name == "postgresql":
        app.state.change_pruner = ChangePruner(app.state.engine)
    settle_worker()
    return app


def settle_worker() -> None:
    """Process-wide settings of an API worker, once its imports are done.

    - `gc.freeze()`: everything alive now (the modules, the scientific stack, the app) leaves the
      collector's generations. Otherwise each full collection walks all of it: a 135 ms pause of
      every request in flight, measured at 1,000 checkout decisions/s.
    - `sys.setswitchinterval(0.001)`: the decisions' batch thread releases the GIL at every
      database call and commit; with the default 5 ms interval it may then wait up to 5 ms for
      the event loop to hand it back, several times per batch.
    """
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
