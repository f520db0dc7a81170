"""THE tenant isolation test: organisation A's key can neither see nor touch organisation B.

Driven by the app's route table, so a route added later is covered automatically, or makes this
test fail until it is taught how to fill the route's parameters (ID_PARAMS, QUERY_VALUES,
POST_CASES below). Never weaken a check here to make a new route pass.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.builders import (
    Tenant,
    account_body,
    client_for,
    company_body,
    created,
    credit_note_body,
    error_of,
    invoice_body,
    make_tenant,
    payment_body,
    statement_body,
    stored_state,
)
from tradecredit.organisations.roles import Role

ID_PARAMS: dict[str, str] = {
    "company_id": "company",
    "statement_id": "statement",
    "account_id": "account",
    "invoice_id": "invoice",
    "payment_id": "payment",
    "credit_note_id": "credit_note",
    "rate_id": "fx_rate",
    "order_id": "order",
    "parent_company_id": "company",
    "request_id": "limit_request",
    "hold_id": "gate_hold",
    "decision_id": "decision",
}
"""Path or query parameter -> the kind of object whose id fills it."""

QUERY_VALUES: dict[str, str] = {"as_of": "2026-03-31", "by": "buyer"}
"""Values for other query parameters; `by=buyer` makes the ageing report list buyers by id."""

REFERENCE_PARAMS: dict[str, str] = {"country": "DE", "code": "C25"}
"""Path parameters of platform reference data (country risk, sector risk): the same for every
organisation, so they are filled with these values and no 404 is expected for B's world."""

PAGING = frozenset({"limit", "offset"})

World = dict[str, str]
Body = Callable[[World, World], dict[str, Any]]
"""A request body built from (B's world, A's world)."""

REFUSED_POSTS: dict[str, list[Body]] = {
    "/v1/companies": [
        lambda b, a: company_body(
            "A-CHILD", group_parent_registration_number=b["reg"], group_parent_country="DE"
        )
    ],
    "/v1/statements": [lambda b, a: statement_body(b["reg"], period_end="2020-12-31")],
    "/v1/accounts": [lambda b, a: account_body(b["reg"])],
    "/v1/invoices": [lambda b, a: invoice_body("A-NEW-1", reg=b["reg"])],
    "/v1/payments": [
        lambda b, a: payment_body("A-NEW-P", reg=b["reg"]),
        lambda b, a: payment_body("A-NEW-P", reg=a["reg"], invoice_number=b["invoice_number"]),
    ],
    "/v1/credit-notes": [lambda b, a: credit_note_body("A-NEW-CN", b["invoice_number"])],
    "/v1/orders": [lambda b, a: order_body("A-NEW-O", reg=b["reg"])],
    "/v1/orders/{order_id}/delivery": [lambda b, a: {"delivered_on": "2026-03-05"}],
    "/v1/orders/{order_id}/cancellation": [lambda b, a: {"cancelled_on": "2026-03-05"}],
    "/v1/limit-requests": [lambda b, a: limit_request_body(b["company"])],
    "/v1/limit-requests/{request_id}/approve": [lambda b, a: {"reason": "A approves B's"}],
    "/v1/limit-requests/{request_id}/refuse": [lambda b, a: {"reason": "A refuses B's"}],
    "/v1/gates/check": [
        lambda b, a: gate_check_body(company_id=b["company"]),
        lambda b, a: gate_check_body(registration_number=b["reg"], country="DE"),
    ],
    "/v1/gates/holds/{hold_id}/release": [lambda b, a: {"reason": "A releases B's"}],
    "/v1/gates/holds/{hold_id}/cancel": [lambda b, a: {"reason": "A cancels B's"}],
}
"""A's requests that name B's objects: each must be refused (404/422) and write nothing."""

SAME_KEY_POSTS: dict[str, list[Body]] = {
    "/v1/companies": [lambda b, a: company_body(b["reg"])],
    "/v1/invoices": [lambda b, a: invoice_body(b["invoice_number"], reg=a["reg"])],
    "/v1/fx-rates": [lambda b, a: fx_rate_body(b["rate_date"])],
    "/v1/decisions": [lambda b, a: decision_body(b["reg"])],
    "/v1/decisions/release-expired": [lambda b, a: {}],
}
"""A's requests that reuse B's natural keys: uniqueness is per organisation, so they succeed
(a 409 here would tell A that B has such an object) and B is left untouched; likewise A's
organisation-wide actions (releasing expired reservations), which touch A's objects only."""


COMPUTE_ONLY_POSTS: dict[str, Body] = {
    "/v1/scores": lambda b, a: {
        "as_of": "2026-03-31",
        "sector": "C",
        "statement": {"total_assets": "1000", "total_liabilities": "930"},
    },
}
"""A's requests that compute from posted figures and A's own data and store nothing: each must
succeed, show none of B's ids, and leave both organisations' stored state untouched."""


def order_body(reference: str, *, reg: str) -> dict[str, Any]:
    return {
        "order_reference": reference,
        "buyer_registration_number": reg,
        "buyer_country": "DE",
        "currency": "EUR",
        "amount": "400.00",
        "order_date": "2026-03-01",
    }


OWN_PUTS: dict[str, Body] = {"/v1/credit-policy": lambda b, a: {"max_expected_loss": "1234"}}
"""PUTs that replace an organisation-wide setting of the caller's own organisation: A's must
succeed and leave B untouched."""


def limit_request_body(company_id: str) -> dict[str, Any]:
    return {"company_id": company_id, "amount": "1000", "currency": "EUR", "as_of": "2026-03-31"}


def gate_check_body(**buyer: str) -> dict[str, Any]:
    """An order far over any limit the world's buyer has: the gate holds it."""
    body = {"stage": "order", "amount": "9000000.00", "currency": "EUR", "as_of": "2026-03-31"}
    return body | buyer


KEY_REQUIRED: frozenset[str] = frozenset({"/v1/decisions"})
"""POST routes that refuse a request without an Idempotency-Key: every post here sends one."""


def keyed(path: str) -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex} if path in KEY_REQUIRED else {}


def decision_body(reg: str) -> dict[str, Any]:
    """A checkout for that registration number: for another organisation's buyer, A's engine
    knows no such buyer and refers it, as for any stranger."""
    return {
        "registration_number": reg,
        "country": "DE",
        "currency": "EUR",
        "amount": "100.00",
        "terms_days": 30,
    }


def fx_rate_body(rate_date: str) -> dict[str, Any]:
    return {
        "rate_date": rate_date,
        "base_currency": "EUR",
        "quote_currency": "USD",
        "rate": "1.085",
    }


def build_world(client: TestClient, prefix: str, rate_date: str) -> World:
    """One of everything, through the API; returns ids by kind and the natural keys used."""
    reg = f"{prefix}-HRB1"
    world = {"reg": reg, "invoice_number": f"{prefix}-INV-2", "rate_date": rate_date}
    world["company"] = created(client.post("/v1/companies", json=company_body(reg)))["id"]
    world["statement"] = created(client.post("/v1/statements", json=statement_body(reg)))["id"]
    world["account"] = created(client.post("/v1/accounts", json=account_body(reg)))["id"]
    created(client.post("/v1/invoices", json=invoice_body(f"{prefix}-INV-1", reg=reg)))
    world["invoice"] = created(
        client.post(
            "/v1/invoices",
            json=invoice_body(
                world["invoice_number"],
                reg=reg,
                amount="300",
                issued="2026-02-01",
                due="2026-03-03",
            ),
        )
    )["id"]
    world["payment"] = created(
        client.post("/v1/payments", json=payment_body(f"{prefix}-P1", reg=reg, amount="50"))
    )["id"]
    world["credit_note"] = created(
        client.post(
            "/v1/credit-notes", json=credit_note_body(f"{prefix}-CN-1", world["invoice_number"])
        )
    )["id"]
    world["fx_rate"] = created(client.post("/v1/fx-rates", json=fx_rate_body(rate_date)))["id"]
    world["decision"] = created(
        client.post("/v1/decisions", json=decision_body(reg), headers=keyed("/v1/decisions"))
    )["decision_id"]
    world["order"] = created(client.post("/v1/orders", json=order_body(f"{prefix}-O1", reg=reg)))[
        "id"
    ]
    world["limit_request"] = created(
        client.post("/v1/limit-requests", json=limit_request_body(world["company"]))
    )["id"]
    world["gate_hold"] = created(
        client.post("/v1/gates/check", json=gate_check_body(company_id=world["company"]))
    )["hold_id"]
    return world


def object_ids(world: World) -> set[str]:
    return {world[kind] for kind in ID_PARAMS.values()}


@dataclass(frozen=True)
class Route:
    path: str
    methods: frozenset[str]


def v1_routes(app: FastAPI) -> list[Route]:
    """Every /v1 route in the app's route table, router prefixes applied."""
    routes = []
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if not path.startswith("/v1/"):
            continue
        if not isinstance(context.original_route, APIRoute):
            pytest.fail(f"{path} is not an APIRoute; teach the isolation test about it")
        routes.append(Route(path, frozenset(context.methods or ())))
    assert routes, "no /v1 routes at all"
    return routes


def path_params(route: Route) -> list[str]:
    return re.findall(r"{(\w+)}", route.path)


def fill_path(route: Route, world: World) -> str:
    path = route.path
    for name in path_params(route):
        if name in REFERENCE_PARAMS:
            path = path.replace(f"{{{name}}}", REFERENCE_PARAMS[name])
            continue
        if name not in ID_PARAMS:
            pytest.fail(
                f"{route.path}: no way to fill path parameter {name!r}; add it to ID_PARAMS"
            )
        path = path.replace(f"{{{name}}}", world[ID_PARAMS[name]])
    return path


def query_for(app: FastAPI, route: Route) -> tuple[dict[str, str], list[str]]:
    """Values for the route's known query parameters, and its id filters (tested separately)."""
    values: dict[str, str] = {}
    id_filters: list[str] = []
    operation = app.openapi()["paths"][route.path]["get"]
    for parameter in operation.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] != "query" or name in PAGING:
            continue
        if name in ID_PARAMS:
            id_filters.append(name)
        elif name in QUERY_VALUES:
            values[name] = QUERY_VALUES[name]
        elif parameter.get("required"):
            pytest.fail(f"{route.path}: no value for required query parameter {name!r}")
    return values, id_filters


def leaked(text: str, ids: set[str]) -> set[str]:
    return {i for i in ids if i in text}


@pytest.fixture
def two_worlds(app: FastAPI, engine: Engine) -> tuple[Tenant, World, Tenant, World]:
    org_a, org_b = make_tenant(engine, (Role.ADMIN,)), make_tenant(engine, (Role.ADMIN,))
    with client_for(app, org_a.keys[Role.ADMIN]) as client:
        world_a = build_world(client, "A", "2026-03-02")
    with client_for(app, org_b.keys[Role.ADMIN]) as client:
        world_b = build_world(client, "B", "2026-03-03")
    return org_a, world_a, org_b, world_b


def test_reads_never_show_another_organisations_objects(
    app: FastAPI, two_worlds: tuple[Tenant, World, Tenant, World]
) -> None:
    org_a, world_a, org_b, world_b = two_worlds
    as_a, as_b = client_for(app, org_a.keys[Role.ADMIN]), client_for(app, org_b.keys[Role.ADMIN])
    b_ids, seen_by_a = object_ids(world_b), set[str]()
    for route in v1_routes(app):
        for method in route.methods - {"GET", "HEAD", "POST", "PUT"}:
            pytest.fail(f"{method} {route.path}: teach the isolation test this method")
        if "GET" not in route.methods:
            continue
        query, id_filters = query_for(app, route)
        own = as_a.get(fill_path(route, world_a), params=query)
        assert own.status_code == 200, f"GET {route.path} as A: {own.text}"
        assert not leaked(own.text, b_ids), f"GET {route.path} shows B's objects to A"
        seen_by_a |= leaked(own.text, object_ids(world_a))
        for name in id_filters:
            foreign = as_a.get(
                fill_path(route, world_a), params=query | {name: world_b[ID_PARAMS[name]]}
            )
            error_of(foreign, 404, "not_found")
        if set(path_params(route)) & ID_PARAMS.keys():
            b_path = fill_path(route, world_b)
            assert as_b.get(b_path, params=query).status_code == 200, f"B cannot read {b_path}"
            error_of(as_a.get(b_path, params=query), 404, "not_found")
    assert seen_by_a == object_ids(world_a), "A's own objects must be visible (check not vacuous)"


def test_writes_cannot_reach_another_organisation(
    app: FastAPI, engine: Engine, two_worlds: tuple[Tenant, World, Tenant, World]
) -> None:
    org_a, world_a, org_b, world_b = two_worlds
    as_a = client_for(app, org_a.keys[Role.ADMIN])
    posts = [r.path for r in v1_routes(app) if "POST" in r.methods]
    for path in posts:
        if path not in REFUSED_POSTS | SAME_KEY_POSTS | COMPUTE_ONLY_POSTS:
            pytest.fail(
                f"POST {path}: add a case to REFUSED_POSTS, SAME_KEY_POSTS or COMPUTE_ONLY_POSTS"
            )
    state_a, state_b = stored_state(engine, org_a.org_id), stored_state(engine, org_b.org_id)
    for path, bodies in REFUSED_POSTS.items():
        assert path in posts, f"{path} is no longer a POST route; update the table"
        for make_body in bodies:
            target = fill_path(Route(path, frozenset({"POST"})), world_b)
            response = as_a.post(target, json=make_body(world_b, world_a), headers=keyed(path))
            assert response.status_code in {404, 422}, f"POST {path}: {response.text}"
            assert response.json()["error"]["code"] in {"not_found", "invalid_input"}
    for path, make_body in COMPUTE_ONLY_POSTS.items():
        response = as_a.post(path, json=make_body(world_b, world_a), headers=keyed(path))
        assert response.status_code == 200, f"POST {path}: {response.text}"
        assert not leaked(response.text, object_ids(world_b)), f"POST {path} shows B's objects"
    assert stored_state(engine, org_a.org_id) == state_a, "a refused request wrote in A"
    assert stored_state(engine, org_b.org_id) == state_b, "A's requests changed B"
    for path, bodies in SAME_KEY_POSTS.items():
        for make_body in bodies:
            created(as_a.post(path, json=make_body(world_b, world_a), headers=keyed(path)))
    assert stored_state(engine, org_b.org_id) == state_b, "A's requests changed B"
    puts = [r.path for r in v1_routes(app) if "PUT" in r.methods]
    assert set(puts) == set(OWN_PUTS), (
        f"teach OWN_PUTS these PUT routes: {set(puts) ^ set(OWN_PUTS)}"
    )
    for path, make_body in OWN_PUTS.items():
        response = as_a.put(path, json=make_body(world_b, world_a))
        assert response.status_code == 200, f"PUT {path}: {response.text}"
        assert not leaked(response.text, object_ids(world_b)), f"PUT {path} shows B's objects"
    assert stored_state(engine, org_b.org_id) == state_b, "A's PUTs changed B"


def test_a_filter_naming_another_organisations_company_is_404(
    app: FastAPI, two_worlds: tuple[Tenant, World, Tenant, World]
) -> None:
    org_a, _world_a, _org_b, world_b = two_worlds
    as_a = client_for(app, org_a.keys[Role.ADMIN])
    response = as_a.get("/v1/invoices", params={"company_id": world_b["company"]})
    assert world_b["company"] in error_of(response, 404, "not_found")
