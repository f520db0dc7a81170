"""The shared field types: text without control characters, language tags, storable amounts."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from tradecredit.kit.fields import (
    MAX_MINOR_UNITS,
    Language,
    Reference,
    Text,
    check_fits_storage,
    storage_problem,
)

TEXT_TYPES = pytest.mark.parametrize(
    "kind", [Text, Reference, Language], ids=["text", "reference", "language"]
)


def _reason(kind: Any, value: str) -> str:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(kind).validate_python(value)
    errors = caught.value.errors()
    assert len(errors) == 1
    return str(errors[0]["msg"]).removeprefix("Value error, ")


@TEXT_TYPES
@pytest.mark.parametrize(
    ("value", "code", "position"),
    [
        ("AB\x00CD", "U+0000", 3),
        ("AB\tCD", "U+0009", 3),
        ("AB\nCD", "U+000A", 3),
        ("AB\r\nCD", "U+000D", 3),
        ("\x1bABCD", "U+001B", 1),
        ("ABCD\x1f", "U+001F", 5),
        ("AB\x7fCD", "U+007F", 3),
        ("AB\x85CD", "U+0085", 3),
    ],
)
def test_control_characters_are_refused_with_their_code_point(
    kind: Any, value: str, code: str, position: int
) -> None:
    reason = _reason(kind, value)
    assert reason == f"contains a control character ({code}) at position {position}"


@TEXT_TYPES
def test_surrounding_whitespace_is_stripped_before_the_check(kind: Any) -> None:
    assert TypeAdapter(kind).validate_python(" \tde-AT\r\n") == "de-AT"


@pytest.mark.parametrize(
    "value",
    ["Müller & Söhne GmbH", "株式会社トヨタ", "Société Générale S.A.", "O'Brien Ltd. (UK)", "A B"],
)
def test_printable_text_of_any_script_is_kept_as_sent(value: str) -> None:
    assert TypeAdapter(Text).validate_python(value) == value


def test_the_field_is_named_in_a_schema_error() -> None:
    class Buyer(BaseModel):
        registration_number: Reference
        name: Text

    with pytest.raises(ValidationError) as caught:
        Buyer(registration_number="HRB\x001", name="Buyer\nOne")
    located = {(e["loc"], str(e["msg"])) for e in caught.value.errors()}
    assert located == {
        (
            ("registration_number",),
            "Value error, contains a control character (U+0000) at position 4",
        ),
        (("name",), "Value error, contains a control character (U+000A) at position 6"),
    }


@pytest.mark.parametrize(
    ("kind", "longest"), [(Text, 300), (Reference, 64), (Language, 8)], ids=["text", "ref", "lang"]
)
def test_lengths_are_bounded(kind: Any, longest: int) -> None:
    adapter = TypeAdapter(kind)
    assert adapter.validate_python("x" * longest) == "x" * longest
    assert str(longest) in _reason(kind, "x" * (longest + 1))
    assert "at least" in _reason(kind, "   ")


def test_a_language_tag_has_at_least_two_characters() -> None:
    assert "at least 2" in _reason(Language, "d")


@pytest.mark.parametrize(
    ("currency", "largest"),
    [
        ("EUR", Decimal("92233720368547758.07")),
        ("JPY", Decimal(MAX_MINOR_UNITS)),
        ("BHD", Decimal("9223372036854775.807")),
    ],
)
def test_the_largest_storable_amount_fits_and_one_minor_unit_more_does_not(
    currency: str, largest: Decimal
) -> None:
    step = Decimal(1).scaleb(-{"EUR": 2, "JPY": 0, "BHD": 3}[currency])
    for value in (largest, -largest):
        check_fits_storage(SimpleNamespace(amount=value), ("amount",), currency)  # type: ignore[arg-type]
    for value in (largest + step, -(largest + step)):
        with pytest.raises(ValueError, match=f"amount {value} is too large") as caught:
            check_fits_storage(SimpleNamespace(amount=value), ("amount",), currency)  # type: ignore[arg-type]
        assert f"at most {int(largest)} {currency}" in str(caught.value)


def test_absent_amounts_are_skipped_and_each_too_large_one_is_located_at_its_field() -> None:
    lines = SimpleNamespace(
        revenue=None, cash=Decimal("1e30"), ebit=Decimal("5"), equity=Decimal("-1e20")
    )
    with pytest.raises(ValidationError) as caught:
        check_fits_storage(lines, ("revenue", "ebit", "cash", "equity"), "EUR")  # type: ignore[arg-type]
    assert [(error["loc"], error["msg"], error["input"]) for error in caught.value.errors()] == [
        (("cash",), "cash 1E+30 is too large: at most 92233720368547758 EUR", "1000000000000000000000000000000"),
        (("equity",), "equity -1E+20 is too large: at most 92233720368547758 EUR", "-100000000000000000000"),
    ]  # fmt: skip
    assert storage_problem("ebit", Decimal("5"), "EUR") is None
    assert storage_problem("ebit", None, "EUR") is None
