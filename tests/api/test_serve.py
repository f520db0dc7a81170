"""`tradecredit serve` really serves: a subprocess on a free local port, a fresh SQLite file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tradecredit.db.engine import make_engine, unit_of_work
from tradecredit.organisations import service as org_service
from tradecredit.organisations.roles import Role

STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of a running `tradecredit serve`; stopped afterwards."""
    database_url = f"sqlite:///{tmp_path / 'served.db'}"
    port = _free_port()
    env = os.environ | {"TRADECREDIT_DATABASE_URL": database_url}
    command = [sys.executable, "-m", "tradecredit.cli.main", "serve", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, f"serve exited early:\n{process.stdout.read()}"  # type: ignore[union-attr]
            try:
                httpx.get(f"{base}/openapi.json", timeout=1.0)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve did not answer in time"
                time.sleep(0.2)
        yield base, database_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def test_serve_migrates_and_answers(served: tuple[str, str]) -> None:
    base, database_url = served
    spec = httpx.get(f"{base}/openapi.json", timeout=5).json()
    assert "/v1/payments" in spec["paths"]
    anonymous = httpx.get(f"{base}/v1/me", timeout=5)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthenticated"

    engine = make_engine(database_url)
    with unit_of_work(engine) as session:
        org = org_service.create_organisation(
            session,
            slug="served",
            name="Served",
            kind="seller",
            base_currency="EUR",
            actor_name="test",
        )
        admin = org_service.system_actor(org.id)
        user = org_service.create_user(
            session, actor=admin, email="ops@served.test", name="Ops", role=Role.VIEWER
        )
        key = org_service.issue_api_key(session, actor=admin, user_id=user.id, name="t").plaintext
    engine.dispose()
    me = httpx.get(f"{base}/v1/me", headers={"X-API-Key": key}, timeout=5)
    assert me.status_code == 200, me.text
    assert me.json()["organisation"]["slug"] == "served"
