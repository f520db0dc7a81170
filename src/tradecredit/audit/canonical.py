"""Canonical JSON and the link hash of the audit chain."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

GENESIS_HASH = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        raise TypeError("floats are not allowed in the audit trail")
    raise TypeError(f"cannot put {type(value).__name__} in the audit trail")


def canonical_json(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def link_hash(
    *,
    org_id: str,
    seq: int,
    occurred_at: str,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | None,
    before: str | None,
    after: str | None,
    prev_hash: str,
) -> str:
    payload = canonical_json(
        {
            "org_id": org_id,
            "seq": seq,
            "occurred_at": occurred_at,
            "actor": actor,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "before": before,
            "after": after,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
