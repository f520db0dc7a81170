"""API fixtures for the decision tests: one app per database, a fresh tenant per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.builders import Tenant, client_for, make_tenant
from tradecredit.api.app import create_app
from tradecredit.organisations.roles import Role


@pytest.fixture(scope="module")
def app(engine: Engine) -> FastAPI:
    return create_app(engine, migrate=False)


@pytest.fixture
def tenant(engine: Engine) -> Tenant:
    return make_tenant(engine)


@pytest.fixture
def api(app: FastAPI, tenant: Tenant) -> Iterator[TestClient]:
    with client_for(app, tenant.keys[Role.ADMIN]) as client:
        yield client
