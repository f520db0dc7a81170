"""The OpenAPI description: every route, its schemas, its errors and the API-key security."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

MONEY_MOVEMENTS = ("/v1/invoices", "/v1/payments", "/v1/credit-notes")
SCHEMES = {"HTTPBearer", "APIKeyHeader"}
DOCUMENT_ROUTES = {"/v1/companies/{company_id}/report": {"text/html", "application/pdf"}}
"""Routes answering a document (HTML or PDF) instead of JSON, with the media types they declare."""


@pytest.fixture(scope="module")
def spec(app: FastAPI) -> dict[str, Any]:
    response = TestClient(app).get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if path.startswith("/v1/")
    ]


def test_every_route_is_described(app: FastAPI, spec: dict[str, Any]) -> None:
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if not path.startswith("/v1/"):
            continue
        described = spec["paths"].get(path, {})
        for method in context.methods or ():
            assert method.lower() in described, f"{method} {path} is not in the OpenAPI"


def test_security_schemes_are_declared(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "API key: `Authorization: Bearer tc_...`",
    }
    assert schemes["APIKeyHeader"]["in"] == "header"
    assert schemes["APIKeyHeader"]["name"] == "X-API-Key"


def test_every_operation_requires_an_api_key(spec: dict[str, Any]) -> None:
    for path, method, operation in _operations(spec):
        accepted = {name for requirement in operation.get("security", []) for name in requirement}
        assert accepted == SCHEMES, f"{method.upper()} {path} security: {accepted}"


def test_every_operation_has_a_response_schema(spec: dict[str, Any]) -> None:
    for path, method, operation in _operations(spec):
        success = {code: r for code, r in operation["responses"].items() if code.startswith("2")}
        assert success, f"{method.upper()} {path} documents no success answer"
        if path in DOCUMENT_ROUTES:
            content = success["200"]["content"]
            assert set(content) == DOCUMENT_ROUTES[path], f"{path}: {set(content)}"
            assert all(media["schema"]["type"] == "string" for media in content.values()), path
            continue
        for code, response in success.items():
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            assert schema, f"{method.upper()} {path} {code} has no response schema"
            assert schema != {}, f"{method.upper()} {path} {code} has an empty schema"


def test_errors_are_documented_with_the_error_shape(spec: dict[str, Any]) -> None:
    error_ref = "#/components/schemas/ErrorOut"
    for path, method, operation in _operations(spec):
        for code in ("401", "422"):
            response = operation["responses"].get(code)
            assert response, f"{method.upper()} {path} does not document {code}"
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": error_ref}, f"{method.upper()} {path} {code}: {schema}"
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_requests_and_answers_reference_named_schemas(spec: dict[str, Any]) -> None:
    payments = spec["paths"]["/v1/payments"]
    body = payments["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/PaymentCreate"}
    created = payments["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/PaymentOut"}
    amount = spec["components"]["schemas"]["PaymentOut"]["properties"]["amount"]
    assert amount["type"] == "string", "amounts are decimal strings in JSON"


COMPUTE_ONLY_POSTS = {"/v1/scores"}
"""POSTs that compute an answer from the body and store nothing: 200, no idempotency key."""


def test_every_post_takes_an_idempotency_key(spec: dict[str, Any]) -> None:
    posts = [
        (path, op)
        for path, method, op in _operations(spec)
        if method == "post" and path not in COMPUTE_ONLY_POSTS
    ]
    assert {path for path, _ in posts} >= set(MONEY_MOVEMENTS)
    for path, operation in posts:
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "Idempotency-Key" in headers, path
        assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"], path
        assert "409" in operation["responses"], path


PAGED_REPORTS = {"/v1/exposure": "#/components/schemas/ExposureList"}
"""Paged lists whose envelope adds report fields (as_of, currency, totals) to the page's own."""


def test_paged_lists_answer_with_the_page_envelope(spec: dict[str, Any]) -> None:
    for path, method, operation in _operations(spec):
        if path in DOCUMENT_ROUTES:
            continue
        creates = method == "post" and path not in COMPUTE_ONLY_POSTS
        answer = operation["responses"]["201" if creates else "200"]
        schema = answer["content"]["application/json"]["schema"]
        assert schema.get("type") != "array", f"{method.upper()} {path} answers a bare list"
        query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if path in PAGED_REPORTS:
            assert schema["$ref"] == PAGED_REPORTS[path]
            fields = spec["components"]["schemas"][PAGED_REPORTS[path].rsplit("/", 1)[1]]
            assert {"items", "limit", "offset", "next_offset"} <= set(fields["properties"]), path
        elif {"limit", "offset"} <= query:
            assert schema["$ref"].startswith("#/components/schemas/Page_"), path


def test_interactive_docs_are_served(app: FastAPI) -> None:
    response = TestClient(app).get("/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text
