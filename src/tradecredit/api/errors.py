"""Error responses: `{"error": {"code", "message", "details"}}` with the condition's own status.

Only named conditions are handled here. An unexpected exception is not caught: it stays a 500
that shows up in logs and tests instead of being dressed up as a client error.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tradecredit.kit.errors import TradecreditError


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


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [_describe(e) for e in exc.errors()]
    summary = "; ".join(f"{d['field']}: {d['reason']}" if d["field"] else d["reason"] for d in details)
    return JSONResponse(
        error_body("invalid_request", summary or "invalid request", details), status_code=422
    )


async def _integrity_error(_request: Request, _exc: Exception) -> JSONResponse:
    return JSONResponse(
        error_body("conflict", "the change conflicts with data written at the same time; retry"),
        status_code=409,
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
    app.add_exception_handler(StarletteHTTPException, _http_error)
