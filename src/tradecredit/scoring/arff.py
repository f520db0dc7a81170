"""A reader for the numeric/nominal subset of Weka's ARFF format.

Supported: `@relation`, `@attribute NAME numeric|real|integer|{v1,v2,...}`, dense `@data` rows,
`?` for a missing value, `%` comment lines, names and values quoted with ' or ". Refused with the
line number: string, date and relational attributes, sparse rows, rows with the wrong number of values,
numbers that do not parse, nominal values outside the declared set.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from tradecredit.kit.errors import InvalidInput

NUMERIC_TYPES = frozenset({"numeric", "real", "integer"})
MISSING = "?"


@dataclass(frozen=True)
class _Attribute:
    name: str
    nominal_values: tuple[str, ...] | None

    @property
    def is_numeric(self) -> bool:
        return self.nominal_values is None


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _split_name_and_type(rest: str) -> tuple[str, str]:
    rest = rest.strip()
    if rest[:1] in "'\"":
        end = rest.find(rest[0], 1)
        if end < 0:
            return rest, ""
        return rest[1:end], rest[end + 1 :].strip()
    parts = rest.split(None, 1)
    if len(parts) < 2:
        return rest, ""
    return parts[0], parts[1].strip()


def _parse_attribute(line: str, where: str) -> _Attribute:
    name, type_text = _split_name_and_type(line[len("@attribute") :])
    if not name or not type_text:
        raise InvalidInput(f"{where}: an @attribute line needs a name and a type: {line!r}")
    if type_text.startswith("{"):
        if not type_text.endswith("}"):
            raise InvalidInput(
                f"{where}: attribute {name!r}: unterminated nominal set {type_text!r}"
            )
        values = tuple(_unquote(value) for value in _split_values(type_text[1:-1]))
        return _Attribute(name, values)
    if type_text.lower() in NUMERIC_TYPES:
        return _Attribute(name, None)
    raise InvalidInput(
        f"{where}: attribute {name!r} has type {type_text!r}; "
        "only numeric and nominal attributes are supported"
    )


def _split_values(text: str) -> list[str]:
    reader = csv.reader([text], quotechar="'", skipinitialspace=True)
    return [value.strip() for value in next(reader)]


def _convert(value: str, attribute: _Attribute, where: str) -> float | str | None:
    value = _unquote(value)
    if value == MISSING:
        return None
    if attribute.nominal_values is not None:
        if value not in attribute.nominal_values:
            raise InvalidInput(
                f"{where}: attribute {attribute.name!r}, value {value!r}: "
                f"not one of the declared values {list(attribute.nominal_values)}"
            )
        return value
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(
            f"{where}: attribute {attribute.name!r}, value {value!r}: not a number"
        ) from None


def _header_line(line: str, where: str, attributes: list[_Attribute]) -> None:
    keyword = line.split(None, 1)[0].lower()
    if keyword == "@attribute":
        attribute = _parse_attribute(line, where)
        if any(existing.name == attribute.name for existing in attributes):
            raise InvalidInput(f"{where}: attribute {attribute.name!r} is declared twice")
        attributes.append(attribute)
    elif keyword != "@relation":
        raise InvalidInput(f"{where}: unexpected header line {line!r}")


def _data_row(line: str, where: str, attributes: list[_Attribute]) -> list[float | str | None]:
    if line.startswith("{"):
        raise InvalidInput(f"{where}: sparse ARFF rows are not supported")
    values = _split_values(line)
    if len(values) != len(attributes):
        raise InvalidInput(
            f"{where}: {len(values)} values for {len(attributes)} attributes: {line[:80]!r}"
        )
    return [
        _convert(value, attribute, where)
        for value, attribute in zip(values, attributes, strict=True)
    ]


def read_arff(path: Path) -> pl.DataFrame:
    """The data rows as a frame: numeric attributes Float64, nominal ones String, `?` null."""
    attributes: list[_Attribute] = []
    rows: list[list[float | str | None]] = []
    in_data = False
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.strip()
            if not line or line.startswith("%"):
                continue
            where = f"{path.name}:{number}"
            if in_data:
                rows.append(_data_row(line, where, attributes))
            elif line.lower().startswith("@data"):
                in_data = True
            else:
                _header_line(line, where, attributes)
    if not in_data or not attributes:
        raise InvalidInput(
            f"{path.name}: not an ARFF file (no @attribute lines or no @data section)"
        )
    columns = {
        attribute.name: pl.Series(
            attribute.name,
            [row[index] for row in rows],
            dtype=pl.Float64 if attribute.is_numeric else pl.String,
        )
        for index, attribute in enumerate(attributes)
    }
    return pl.DataFrame(columns)
