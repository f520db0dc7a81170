"""`create_app()`: the FastAPI application with every domain's routes under /v1."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from tradecredit import __version__
from tradecredit.api.errors import COMMON_ERROR_RESPONSES, install_error_handlers
from tradecredit.api.hot import HotDecisions
from tradecredit.api.routers import ROUTERS
from tradecredit.db.engine import default_engine
from tradecredit.db.migrate import upgrade
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
