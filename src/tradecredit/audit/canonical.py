"""Canonical JSON and the link hash of the audit chain.

The canonical form is `json.dumps` with sorted keys, no spaces and UTF-8 text (`_by_json`), and
must never change: the chain's links are hashes of it, recomputed when a chain is verified.
orjson writes the same bytes 3x faster (a checkout decision's audit row: 7.7 us against 23 us)
for every value it takes without a choice of its own; the rest goes to `json`
(`tests/audit/test_canonical.py` compares both on generated values):
- floats (orjson's shortest form differs: `1e16` for `1e+16`), found by `_has_float`;
- integers beyond 64 bits, keys that are not strings, lone surrogates: orjson refuses them,
  as it refuses what `_default` refuses (`json` then raises the same TypeError);
- dataclasses and datetimes are passed to `_default`, as `json` does (OPT_PASSTHROUGH_*).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import orjson

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


_ORJSON_OPTIONS = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def canonical_json(value: Any) -> str:
    if _has_float(value):
        return _by_json(value)
    try:
        return orjson.dumps(value, default=_default, option=_ORJSON_OPTIONS).decode("utf-8")
    except orjson.JSONEncodeError:
        return _by_json(value)


def _by_json(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_has_float(item) for item in value)
    return False


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
