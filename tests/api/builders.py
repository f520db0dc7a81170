"""Test helpers for the API: tenants with one key per role, request bodies, answer checks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from tradecredit.audit.models import AuditChainHead
from tradecredit.db import models
from tradecredit.db.engine import unit_of_work
from tradecredit.organisations import service as org_service
from tradecredit.organisations.roles import Role


@dataclass
class Tenant:
    """An organisation with one user and API key per role."""

    org_id: uuid.UUID
    slug: str
    keys: dict[Role, str] = field(default_factory=dict)
    key_ids: dict[Role, uuid.UUID] = field(default_factory=dict)


def make_tenant(
    engine: Engine, roles: tuple[Role, ...] = (Role.ADMIN, Role.VIEWER, Role.COLLECTOR)
) -> Tenant:
    slug = f"api-{uuid.uuid4().hex[:12]}"
    with unit_of_work(engine) as session:
        org = org_service.create_organisation(
            session, slug=slug, name=slug, kind="seller", base_currency="EUR", actor_name="test"
        )
        admin = org_service.system_actor(org.id, "test")
        tenant = Tenant(org_id=org.id, slug=slug)
        for role in roles:
            user = org_service.create_user(
                session, actor=admin, email=f"{role.value}@{slug}.test", name=role.value, role=role
            )
            issued = org_service.issue_api_key(session, actor=admin, user_id=user.id, name="test")
            tenant.keys[role] = issued.plaintext
            tenant.key_ids[role] = issued.id
    return tenant


def client_for(app: FastAPI, key: str | None) -> TestClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return TestClient(app, headers=headers)


# --- request bodies (the import templates' column names) ---------------------------------------


def company_body(reg: str = "HRB1", country: str = "DE", **extra: Any) -> dict[str, Any]:
    body = {"registration_number": reg, "country": country, "name": f"Buyer {reg}", "sector": "C25"}
    return body | extra


def invoice_body(
    number: str,
    *,
    reg: str = "HRB1",
    amount: Any = "100.00",
    issued: str = "2026-01-01",
    due: str = "2026-01-31",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "invoice_number": number,
        "buyer_registration_number": reg,
        "buyer_country": "DE",
        "currency": "EUR",
        "amount": amount,
        "issue_date": issued,
        "due_date": due,
    } | extra


def payment_body(
    reference: str, *, reg: str = "HRB1", amount: Any = "100.00", **extra: Any
) -> dict[str, Any]:
    return {
        "payment_reference": reference,
        "payer_registration_number": reg,
        "payer_country": "DE",
        "currency": "EUR",
        "amount": amount,
        "payment_date": "2026-02-15",
    } | extra


def credit_note_body(number: str, invoice: str, *, amount: str = "10.00") -> dict[str, Any]:
    return {
        "credit_note_number": number,
        "invoice_number": invoice,
        "currency": "EUR",
        "amount": amount,
        "issue_date": "2026-02-01",
    }


def statement_body(reg: str = "HRB1", period_end: str = "2025-12-31") -> dict[str, Any]:
    return {
        "registration_number": reg,
        "country": "DE",
        "period_end": period_end,
        "currency": "EUR",
        "revenue": "1250000.50",
        "ebit": "-20000",
        "total_assets": "900000.00",
        "equity": "300000.00",
    }


def account_body(reg: str = "HRB1", **extra: Any) -> dict[str, Any]:
    return {"registration_number": reg, "country": "DE", "payment_terms_days": 45} | extra


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def error_of(response: Any, status: int, code: str) -> str:
    """Assert an error answer's status and code; return its message."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code, error
    message: str = error["message"]
    return message


# --- what an organisation has stored ---------------------------------------------------------


def stored_state(engine: Engine, org_id: uuid.UUID) -> dict[str, object]:
    """Row count of every organisation-owned table, plus the audit chain head (seq, hash)."""
    state: dict[str, object] = {}
    with unit_of_work(engine) as session:
        for table in models.Base.metadata.sorted_tables:
            if "org_id" in table.c:
                query = select(func.count()).select_from(table).where(table.c.org_id == org_id)
                state[table.name] = session.scalar(query)
        head = session.get(AuditChainHead, org_id)
        assert head is not None
        state["audit_chain_head"] = (head.seq, head.hash)
    return state
