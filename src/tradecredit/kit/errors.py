"""Errors named after the condition, each carrying its HTTP status and a stable code.

The API turns any `TradecreditError` into a JSON body `{"error": {"code", "message", "details"}}`;
nothing else is caught there, so an unexpected exception stays a visible 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


class TradecreditError(Exception):
    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class InvalidInput(TradecreditError):
    status_code = 422
    code = "invalid_input"


class UnknownCurrency(InvalidInput):
    code = "unknown_currency"


class UnknownCountry(InvalidInput):
    code = "unknown_country"


class InvalidSector(InvalidInput):
    code = "invalid_sector"


class FloatNotAllowed(TypeError, TradecreditError):
    """A binary float reached the money type: it cannot represent most decimal amounts exactly."""

    status_code = 422
    code = "float_not_allowed"


class CurrencyMismatch(InvalidInput):
    code = "currency_mismatch"


class PrecisionExceeded(InvalidInput):
    code = "precision_exceeded"


class AmountTooLarge(InvalidInput):
    """An amount whose minor units do not fit the 64-bit amount columns."""

    code = "amount_too_large"


class NotFound(TradecreditError):
    status_code = 404
    code = "not_found"


class AlreadyExists(TradecreditError):
    status_code = 409
    code = "already_exists"


class IdempotencyKeyReused(TradecreditError):
    status_code = 409
    code = "idempotency_key_reused"


class Unauthenticated(TradecreditError):
    status_code = 401
    code = "unauthenticated"


class PermissionDenied(TradecreditError):
    status_code = 403
    code = "permission_denied"


class FxRateMissing(TradecreditError):
    status_code = 422
    code = "fx_rate_missing"


@dataclass(frozen=True)
class RowError:
    """One problem found in one row of a batch; collected as a value, never raised alone."""

    file: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: column {self.column!r} value {self.value!r}: {self.reason}"


class BatchRejected(TradecreditError):
    """A batch had at least one bad row, so nothing of it was written."""

    status_code = 422
    code = "batch_rejected"

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = list(errors)
        super().__init__(
            f"{len(self.errors)} problem(s) found; nothing was written",
            details=[e.__dict__ for e in self.errors],
        )


class UnknownSchemaRevision(TradecreditError):
    """The database's schema is at a revision this version's migrations do not contain."""

    status_code = 500
    code = "unknown_schema_revision"


class UnsupportedDatabase(TradecreditError):
    """The configured database is neither SQLite nor PostgreSQL, the two that are supported."""

    status_code = 500
    code = "unsupported_database"
