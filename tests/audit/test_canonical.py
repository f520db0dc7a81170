"""The canonical JSON never changes: the chain's links are hashes of it. The fast path (orjson)
must give exactly what `json.dumps` gave for every value, or refuse it the same way."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradecredit.audit.canonical import _by_json, canonical_json, link_hash


class Colour(enum.Enum):
    RED = "red"
    BLUE = 2


class Kind(enum.StrEnum):
    SELLER = "seller"


@dataclass
class Point:
    x: int


everything = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None)
text = st.text(everything, max_size=12) | st.sampled_from(["", "é", "\u2028", "\x7f", '"\\'])
leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**63 - 3, max_value=2**64 + 3)
    | st.floats(allow_nan=True)
    | text
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.uuids()
    | st.dates()
    | st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))]))
    | st.datetimes()
    | st.sampled_from([Colour.RED, Colour.BLUE, Kind.SELLER])
)
values = st.recursive(
    leaves,
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(text, children, max_size=4)
        | st.dictionaries(st.integers(), children, max_size=2)
    ),
    max_leaves=20,
)


def _either(function: Any, value: Any) -> tuple[str, str]:
    try:
        return "ok", function(value)
    except (TypeError, ValueError) as error:
        return type(error).__name__, str(error)


@settings(max_examples=1500, deadline=None)
@given(values)
def test_the_fast_path_writes_what_json_wrote(value: Any) -> None:
    assert _either(canonical_json, value) == _either(_by_json, value)


@pytest.mark.parametrize("value", [{1, 2}, Point(1), {"a": [object()]}, b"bytes"])
def test_what_the_audit_trail_does_not_take_is_refused_as_before(value: Any) -> None:
    with pytest.raises(TypeError, match="audit trail"):
        canonical_json(value)
    with pytest.raises(TypeError, match="audit trail"):
        _by_json(value)


def test_a_known_link_keeps_its_hash() -> None:
    """A link written before the fast path (its hash computed then, with `json`): it still
    verifies."""
    fields = {
        "org_id": "01a20f06-91ff-74e4-860b-bc6660a921a4",
        "seq": 7,
        "occurred_at": "2026-03-31T09:30:00.123456+00:00",
        "actor": "user:anne@example.com",
        "action": "checkout_decision.made",
        "entity_type": "checkout_decision",
        "entity_id": "01a20f06-9205-7ed1-9e66-683e7a7522b1",
        "before": None,
        "after": '{"amount_minor":125000,"buyer_name":"Ünïcode \\"SA\\"\\n","pd":"0.0123"}',
        "prev_hash": "0" * 64,
    }
    assert link_hash(**fields) == "67f78d848aff5074521490944dd3b8db36078e1ba7d4015d71c0545586aa4b26"


def test_decision_rows_take_the_fast_path_unchanged() -> None:
    row = {
        "id": uuid.UUID(int=1),
        "created_at": datetime(2026, 3, 31, 9, 30, 0, 123456, tzinfo=UTC),
        "amount_minor": 125000,
        "pd": Decimal("0.0123"),
        "score_as_of": date(2026, 3, 1),
        "buyer_name": None,
    }
    expected = (
        '{"amount_minor":125000,"buyer_name":null,"created_at":"2026-03-31T09:30:00.123456+00:00",'
        '"id":"00000000-0000-0000-0000-000000000001","pd":"0.0123","score_as_of":"2026-03-01"}'
    )
    assert canonical_json(row) == expected
