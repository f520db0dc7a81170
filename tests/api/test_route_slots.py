"""The ordinary routes take a slot on the event loop before their session (api.deps): more
requests than threads and connections must all be answered, none left waiting on the pool."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import anyio.to_thread
import httpx
import pytest
from sqlalchemy import Engine, create_engine

from api.builders import make_tenant
from tradecredit.api.app import create_app
from tradecredit.db.engine import make_engine
from tradecredit.db.migrate import upgrade
from tradecredit.organisations.roles import Role
from tradecredit.settings import get_settings

THREADS = 2
REQUESTS = 12


@pytest.fixture
def one_connection(tmp_path: Path) -> Iterator[Engine]:
    """A pool of one connection that gives up after 3 s: a request whose thread waits for it
    while another holds it and waits for a thread fails with a pool timeout."""
    url = f"sqlite:///{tmp_path / 'slots.db'}"
    migrated = make_engine(url)
    upgrade(migrated)
    migrated.dispose()
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False},
        pool_size=1,
        max_overflow=0,
        pool_timeout=3,
    )
    yield engine
    engine.dispose()


def _answers(engine: Engine, slots: int, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    monkeypatch.setenv("TRADECREDIT_API_ROUTE_SLOTS", str(slots))
    get_settings.cache_clear()
    key = make_tenant(engine).keys[Role.ADMIN]
    app = create_app(engine, migrate=False)

    async def run() -> list[int]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            answers = await asyncio.gather(
                *(client.get("/v1/companies", headers=headers) for _ in range(REQUESTS))
            )
        return [answer.status_code for answer in answers]

    try:
        return asyncio.run(run())
    finally:
        get_settings.cache_clear()


def test_more_requests_than_threads_and_connections_are_all_answered(
    one_connection: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    began = time.monotonic()
    assert _answers(one_connection, 1, monkeypatch) == [200] * REQUESTS
    assert time.monotonic() - began < 3, "no request waited out the pool timeout"
