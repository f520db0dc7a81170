"""Shared fixtures. Every database test runs on SQLite and on a real PostgreSQL server.

PostgreSQL: $TRADECREDIT_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
Each pytest run creates its own database on that server and drops it at the end. Where no server
answers, the PostgreSQL half is skipped with a loud message, unless TRADECREDIT_REQUIRE_POSTGRES=1
(CI sets it after starting a server), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tradecredit.context import Actor
from tradecredit.db.engine import make_engine, unit_of_work
from tradecredit.db.migrate import upgrade
from tradecredit.demo.job import COUNTRY_RISK_ENV
from tradecredit.kit.clock import FixedClock, set_clock
from tradecredit.organisations import service as org_service
from tradecredit.organisations.roles import Role

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def postgres_admin_url() -> str:
    url = os.environ.get("TRADECREDIT_TEST_POSTGRES_URL", DEFAULT_PG)
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _postgres_unavailable(url: str) -> str | None:
    try:
        probe = create_engine(url, connect_args={"connect_timeout": 3})
        with probe.connect() as connection:
            connection.execute(text("select 1"))
        probe.dispose()
    except Exception as error:  # any failure to connect means "no server here"
        return f"{type(error).__name__}: {error}".splitlines()[0]
    return None


@pytest.fixture(scope="session", autouse=True)
def no_country_risk_in_demos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The demo imports the OECD classification when it finds the file; those classes are
    platform data (no organisation), so on the shared engines they would move the country term
    of every later test's buyers. Demos in tests import none unless a test passes its own file
    (on a database of its own)."""
    absent = tmp_path_factory.mktemp("no-country-risk") / "absent.csv"
    previous = os.environ.get(COUNTRY_RISK_ENV)
    os.environ[COUNTRY_RISK_ENV] = str(absent)
    yield
    if previous is None:
        del os.environ[COUNTRY_RISK_ENV]
    else:
        os.environ[COUNTRY_RISK_ENV] = previous


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    admin_url = postgres_admin_url()
    problem = _postgres_unavailable(admin_url)
    if problem:
        message = (
            f"\n{'!' * 78}\n!! PostgreSQL NOT AVAILABLE at {admin_url}: {problem}\n"
            f"!! The PostgreSQL half of the database tests is SKIPPED.\n{'!' * 78}"
        )
        if os.environ.get("TRADECREDIT_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    name = f"tradecredit_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated engine, once on SQLite and once on PostgreSQL."""
    url = request.getfixturevalue(f"{request.param}_url")
    db_engine = make_engine(url)
    upgrade(db_engine)
    yield db_engine
    db_engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A unit of work committed at the end of the test (tests use a fresh organisation each)."""
    with unit_of_work(engine) as db_session:
        yield db_session


def make_org(engine: Engine, *, kind: str = "seller", base_currency: str = "EUR") -> Actor:
    slug = f"org-{uuid.uuid4().hex[:12]}"
    with unit_of_work(engine) as db_session:
        org = org_service.create_organisation(
            db_session,
            slug=slug,
            name=slug,
            kind=kind,
            base_currency=base_currency,
            actor_name="test",
        )
        return Actor(org_id=org.id, name="test:admin", role=Role.ADMIN)


@pytest.fixture
def actor(engine: Engine) -> Actor:
    """An admin of a brand-new organisation: tests never see each other's rows."""
    return make_org(engine)


@pytest.fixture
def other_actor(engine: Engine) -> Actor:
    """An admin of a second, unrelated organisation (for isolation tests)."""
    return make_org(engine)


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    fixed = FixedClock(datetime(2026, 3, 31, 12, 0, tzinfo=UTC))
    previous = set_clock(fixed)
    yield fixed
    set_clock(previous)


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the CLI (settings + engine cache) at a fresh SQLite file for one test."""
    from tradecredit.cli.common import console, err_console
    from tradecredit.db.engine import engine_for
    from tradecredit.settings import get_settings

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TRADECREDIT_DATABASE_URL", url)
    for terminal in (console, err_console):
        monkeypatch.setattr(terminal, "width", 200)
    get_settings.cache_clear()
    engine_for.cache_clear()
    yield url
    engine_for(url).dispose()
    get_settings.cache_clear()
    engine_for.cache_clear()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data folder {SHARED_DATA} is absent")
    return SHARED_DATA
