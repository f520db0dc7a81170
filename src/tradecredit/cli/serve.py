"""`tradecredit serve`: the REST API under uvicorn, after bringing the schema up to date."""

from __future__ import annotations

import typer
import uvicorn

from tradecredit.cli.common import console, migrated_engine
from tradecredit.db.checks import settings_warnings
from tradecredit.settings import get_settings

APP_FACTORY = "tradecredit.api.app:create_served_app"


def serve(
    host: str | None = typer.Option(
        None, "--host", help="address to listen on (default $TRADECREDIT_API_HOST or 127.0.0.1)"
    ),
    port: int | None = typer.Option(
        None, "--port", min=1, max=65535, help="default $TRADECREDIT_API_PORT or 8000"
    ),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="worker processes; one per core for throughput (the request path is Python under "
        "the GIL)",
    ),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level"),
    access_log: bool = typer.Option(
        True, "--access-log/--no-access-log", help="one log line per request"
    ),
    healthcheck_seconds: int = typer.Option(
        120,
        "--worker-healthcheck",
        min=1,
        help="seconds a worker may take to start before uvicorn replaces it (importing the "
        "scientific stack on a busy 2-core machine takes longer than uvicorn's 5 s)",
    ),
) -> None:
    """Serve the REST API (OpenAPI at /docs and /openapi.json); migrates the database first.

    Every request needs an API key: `tradecredit org issue-key EMAIL` prints one. uvicorn uses
    uvloop and httptools (dependencies) for its event loop and HTTP parsing.
    """
    settings = get_settings()
    engine = migrated_engine()
    where = engine.url.render_as_string(hide_password=True)
    bind_host = host or settings.api_host
    bind_port = port or settings.api_port
    console.print(
        f"tradecredit API on http://{bind_host}:{bind_port} ({workers} worker(s)), "
        f"database {where}; docs at /docs"
    )
    for warning in settings_warnings(engine):
        console.print(f"[bold yellow]warning:[/] {warning}")
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=bind_host,
        port=bind_port,
        workers=workers,
        log_level=log_level,
        access_log=access_log,
        timeout_worker_healthcheck=healthcheck_seconds,
    )
