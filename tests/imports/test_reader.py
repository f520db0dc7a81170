"""Reading files: encodings, delimiters, row numbers as a spreadsheet shows them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tradecredit.imports.errors import ImportFileUnreadable
from tradecredit.imports.reader import Table, excel_cell, read_table, sniff_delimiter


def table_of(tmp_path: Path, name: str, content: bytes, sheet: str | None = None) -> Table:
    path = tmp_path / name
    path.write_bytes(content)
    return read_table(path, content, sheet=sheet)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_csv_with_or_without_bom_and_any_delimiter(
    tmp_path: Path, delimiter: str, bom: bytes
) -> None:
    text = delimiter.join(["name", "amount"]) + "\n" + delimiter.join(["Müller", "1.50"]) + "\n"
    table = table_of(tmp_path, "f.csv", bom + text.encode("utf-8"))
    assert table.headers == ("name", "amount")
    assert table.rows == [(2, ("Müller", "1.50"))]


def test_a_comma_inside_quotes_does_not_change_the_delimiter() -> None:
    assert sniff_delimiter('"a,b";c;d\n1;2;3\n') == ";"
    assert sniff_delimiter("single\nx\n") == ","


def test_blank_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    content = b'\n a , b \n1,2\n\n,\n3,"multi\nline"\n'
    table = table_of(tmp_path, "f.csv", content)
    assert table.headers == ("a", "b")
    assert table.rows == [(3, ("1", "2")), (6, ("3", "multi\nline"))]


def test_trailing_empty_header_cells_are_dropped(tmp_path: Path) -> None:
    table = table_of(tmp_path, "f.csv", b"a,b,,\n1,2,,\n")
    assert table.headers == ("a", "b")


@pytest.mark.parametrize(
    ("name", "content", "sheet", "message"),
    [
        ("f.csv", b"name\nM\xfcller\n", None, "f.csv: not UTF-8 text (byte 0xfc at offset 6)"),
        ("f.csv", b"\n\n", None, "f.csv: the file is empty (no header row)"),
        ("f.xls", b"x", None, "f.xls: unsupported file type '.xls'"),
        ("f.csv", b"a\n1\n", "Sheet1", "f.csv: --sheet applies to Excel (.xlsx) files only"),
    ],
)
def test_unreadable_files_are_named(
    tmp_path: Path, name: str, content: bytes, sheet: str | None, message: str
) -> None:
    with pytest.raises(ImportFileUnreadable) as unreadable:
        table_of(tmp_path, name, content, sheet)
    assert unreadable.value.message.startswith(message)


def test_excel_numbers_become_exact_decimals() -> None:
    assert excel_cell(0.1) == Decimal("0.1")
    assert excel_cell(1234.5) == Decimal("1234.5")
    assert excel_cell(1e-05) == Decimal("0.00001")
    assert excel_cell(42) == Decimal(42)
    assert excel_cell(True) == "true"
    assert excel_cell(None) == ""
    assert excel_cell("  x ") == "x"
