"""Error responses: `{"error": {"code", "message", "details"}}` with the condition's own status.

Only named conditions are handled here. An unexpected exception is not caught: it stays a 500
that shows up in logs and tests instead of being dressed up as a client error.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tradecredit.kit.errors import TradecreditError


class ErrorDetail(BaseModel):
    code: str = Field(description="stable machine-readable code, e.g. not_found, invalid_request")
    message: str = Field(description="what went wrong, in plain words, naming the field and value")
    details: Any = Field(
        default=None, description="structured details, e.g. [{field, reason, value}] for 422"
    )


class ErrorOut(BaseModel):
    """Every error answer has this shape, whatever its status."""

    error: ErrorDetail


def _documented(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


COMMON_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _documented("no API key, or an invalid or revoked one (code unauthenticated)"),
    403: _documented("the key's role may not do this (code permission_denied)"),
    404: _documented("no such object in the caller's organisation (code not_found)"),
    422: _documented("the request is invalid; `details` names each field, value and reason"),
}
"""Documented on every /v1 route (OpenAPI); 422 replaces FastAPI's own validation schema."""

CONFLICT_RESPONSE: dict[int | str, dict[str, Any]] = {
    409: _documented(
        "already exists (already_exists), idempotency key reused with another body "
        "(idempotency_key_reused) or a concurrent conflicting write (conflict)"
    )
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TradecreditError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return JSONResponse(
        error_body(exc.code, exc.message, exc.details), status_code=exc.status_code, headers=headers
    )


def _describe(error: dict[str, Any]) -> dict[str, Any]:
    location = [str(part) for part in error.get("loc", ()) if part != "body"]
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    detail: dict[str, Any] = {"field": ".".join(location) or None, "reason": message}
    if "input" in error and isinstance(error["input"], str | int | bool):
        detail["value"] = error["input"]
    return detail


def _sentence(detail: dict[str, Any]) -> str:
    """`field: reason (got 'value')`: the value is added unless the reason quotes it already."""
    text = f"{detail['field']}: {detail['reason']}" if detail["field"] else detail["reason"]
    if "value" in detail:
        shown = repr(detail["value"])
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        if str(detail["value"]) not in detail["reason"]:
            text += f" (got {shown})"
    return text


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [_describe(e) for e in exc.errors()]
    summary = "; ".join(_sentence(d) for d in details)
    return JSONResponse(
        error_body("invalid_request", summary or "invalid request", details), status_code=422
    )


async def _integrity_error(_request: Request, _exc: Exception) -> JSONResponse:
    return JSONResponse(
        error_body("conflict", "the change conflicts with data written at the same time; retry"),
        status_code=409,
    )


async def _data_error(_request: Request, exc: Exception) -> JSONResponse:
    """The database refused a value that passed validation (e.g. a NUL byte on PostgreSQL).

    Validation should catch such values first, with the field named; this keeps any it misses
    a client error instead of a 500.
    """
    assert isinstance(exc, DataError)
    reason = str(exc.orig).splitlines()[0] if exc.orig is not None else "invalid value"
    return JSONResponse(
        error_body("value_not_storable", f"a value cannot be stored: {reason}"), status_code=422
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated"}
    code = codes.get(exc.status_code, "http_error")
    return JSONResponse(
        error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(TradecreditError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
