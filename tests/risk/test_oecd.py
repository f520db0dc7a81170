"""The OECD file parsers: the real files in place, and small files of our own for every rejection."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from risk.files import HISTORICAL_FILE, HISTORICAL_HEADER, SNAPSHOT_FILE
from tradecredit.kit.errors import BatchRejected, InvalidInput, RowError
from tradecredit.risk.oecd import (
    SNAPSHOT_AS_OF,
    Classification,
    OecdFormat,
    alpha2_of,
    column_letter,
    parse,
    review_date,
)


def _parse_real(folder: Path, name: str) -> tuple[OecdFormat, list[Classification]]:
    return parse(name, (folder / name).read_text(encoding="utf-8"))


def _by_country(rows: list[Classification]) -> dict[str, Classification]:
    return {row.country: row for row in rows}


def _rejected(name: str, text: str, *, format: OecdFormat | None = None) -> list[RowError]:
    with pytest.raises(BatchRejected) as caught:
        parse(name, text, format=format)
    return caught.value.errors


# --- the real files -------------------------------------------------------------------------


def test_the_2026_snapshot_has_201_countries_valid_from_30_january_2026(oecd_dir: Path) -> None:
    chosen, rows = _parse_real(oecd_dir, SNAPSHOT_FILE)
    assert chosen is OecdFormat.SNAPSHOT
    assert len(rows) == 201
    assert {row.as_of for row in rows} == {date(2026, 1, 30)} == {SNAPSHOT_AS_OF}
    counts = Counter(row.oecd_class for row in rows)
    assert counts == {None: 64, 0: 1, 2: 9, 3: 13, 4: 14, 5: 14, 6: 27, 7: 59}


def test_a_printed_0_with_a_not_classified_note_is_not_class_0(oecd_dir: Path) -> None:
    _, rows = _parse_real(oecd_dir, SNAPSHOT_FILE)
    countries = _by_country(rows)
    for code in ("DE", "FR", "US", "JP", "HR", "MT", "AD", "MC", "BB"):
        assert (countries[code].oecd_class, countries[code].not_classified) == (None, True), code
    assert sum(row.not_classified for row in rows) == 64
    assert all(row.oecd_class is None for row in rows if row.not_classified)


def test_singapore_is_a_real_class_0_and_others_keep_their_class(oecd_dir: Path) -> None:
    _, rows = _parse_real(oecd_dir, SNAPSHOT_FILE)
    countries = _by_country(rows)
    assert (countries["SG"].oecd_class, countries["SG"].not_classified) == (0, False)
    assert (countries["CN"].oecd_class, countries["CN"].not_classified) == (2, False)
    assert (countries["IL"].oecd_class, countries["IL"].not_classified) == (None, True)
    assert (countries["XK"].oecd_class, countries["XK"].not_classified) == (6, False)
    assert (countries["AF"].oecd_class, countries["AF"].not_classified) == (7, False)


def test_the_historical_file_is_201_countries_by_89_review_dates(oecd_dir: Path) -> None:
    chosen, rows = _parse_real(oecd_dir, HISTORICAL_FILE)
    assert chosen is OecdFormat.HISTORICAL
    dates = sorted({row.as_of for row in rows})
    assert (len(dates), dates[0], dates[-1]) == (89, date(1999, 1, 1), date(2022, 3, 11))
    assert len({row.country for row in rows}) == 201
    assert len(rows) == 201 * 89  # the file has no blank cell
    assert sum(row.not_classified for row in rows) == 4015
    assert Counter(row.oecd_class for row in rows)[0] == 1583


def test_historical_dashes_are_not_classified_and_zeros_are_class_0(oecd_dir: Path) -> None:
    _, rows = _parse_real(oecd_dir, HISTORICAL_FILE)
    germany = {row.as_of: row for row in rows if row.country == "DE"}
    assert (germany[date(2012, 10, 26)].oecd_class, germany[date(2012, 10, 26)].not_classified) == (
        0,
        False,
    )
    assert (germany[date(2013, 1, 1)].oecd_class, germany[date(2013, 1, 1)].not_classified) == (
        None,
        True,
    )
    israel = next(r for r in rows if r.country == "IL" and r.as_of == date(2022, 3, 11))
    assert (israel.oecd_class, israel.not_classified) == (None, True)  # the cell reads "-3"


# --- the not-classified rule on small files -------------------------------------------------


def test_the_notes_decide_what_a_0_means() -> None:
    text = "\n".join(
        [
            "country,iso3,crc,notes",
            "Germany,DEU,0,(6) (7)",
            "Singapore,SGP,0,",
            "Israel,ISR,0,(3) (6)",
            "Cyprus,CYP,0,(2) (7)",
            "Kosovo,XKV,6,(4)",
            "Monaco,MCO,-,",
        ]
    )
    _, rows = parse("small.csv", text, as_of=date(2025, 6, 27))
    found = {row.country: (row.oecd_class, row.not_classified) for row in rows}
    assert found == {
        "DE": (None, True),
        "SG": (0, False),
        "IL": (None, True),
        "CY": (None, True),
        "XK": (6, False),
        "MC": (None, True),
    }
    assert {row.as_of for row in rows} == {date(2025, 6, 27)}


def test_a_class_with_a_not_classified_note_is_rejected() -> None:
    errors = _rejected("bad.csv", "country,iso3,crc,notes\nGermany,DEU,3,(6) (7)\n")
    assert errors == [
        RowError(
            "bad.csv",
            2,
            "crc",
            "3",
            "class 3 contradicts note (6), which marks a country the OECD does not classify",
        )
    ]


# --- rejections -----------------------------------------------------------------------------


def test_an_unknown_iso3_code_and_a_class_8_are_named_with_row_and_column() -> None:
    text = "country,iso3,crc,notes\nAtlantis,ATL,3,\nAlbania,ALB,8,\nFrance,fra,0,(6)\n"
    assert _rejected("bad.csv", text) == [
        RowError("bad.csv", 2, "iso3", "ATL", "unknown ISO 3166-1 alpha-3 country code"),
        RowError("bad.csv", 3, "crc", "8", "class 8 is outside the OECD scale 0-7"),
        RowError("bad.csv", 4, "iso3", "fra", "unknown ISO 3166-1 alpha-3 country code"),
    ]


def test_bad_snapshot_cells_notes_duplicates_and_widths() -> None:
    text = (
        "country,iso3,crc,notes\n"
        "Albania,ALB,x,\n"
        "Algeria,DZA,5,see below\n"
        "Angola,AGO,6,\n"
        "Angola again,AGO,6,\n"
        "Armenia,ARM,6\n"
    )
    assert _rejected("bad.csv", text) == [
        RowError(
            "bad.csv",
            2,
            "crc",
            "x",
            "not an OECD class: expected a whole number 0-7, or '-' for not classified",
        ),
        RowError(
            "bad.csv",
            3,
            "notes",
            "see below",
            "notes must be OECD footnote markers such as '(6) (7)'",
        ),
        RowError("bad.csv", 5, "iso3", "AGO", "country AO appears twice (also row 4)"),
        RowError(
            "bad.csv", 6, "(row)", "Armenia,ARM,6", "expected 4 values like the header, found 3"
        ),
    ]


def test_a_snapshot_without_its_notes_column_is_rejected() -> None:
    errors = _rejected("bad.csv", "country,iso3,crc\nAlbania,ALB,4\n", format=OecdFormat.SNAPSHOT)
    assert errors == [
        RowError(
            "bad.csv",
            1,
            "notes",
            "",
            "required column missing; the snapshot header is country,iso3,crc,notes",
        )
    ]


def test_a_bad_or_repeated_review_date_in_the_header_is_rejected() -> None:
    text = f"{HISTORICAL_HEADER},01-Jan-99,31-Feb-99,2001-01-25,01-Jan-99\n1,ALB,Albania,7,7,7,7\n"
    reason = "not a review date: expected DD-Mon-YY such as '01-Jan-99'"
    assert _rejected("hist.csv", text) == [
        RowError("hist.csv", 1, "E", "31-Feb-99", reason),
        RowError("hist.csv", 1, "F", "2001-01-25", reason),
        RowError(
            "hist.csv", 1, "G", "01-Jan-99", "review date 1999-01-01 appears twice (also column D)"
        ),
    ]


def test_bad_historical_cells_are_named_by_their_review_date() -> None:
    text = (
        f"{HISTORICAL_HEADER},01-Jan-99,22-Jan-99\n"
        "1,ALB,Albania,7,8\n"
        "2,XXX,Nowhere,1,1\n"
        "3,DZA,Algeria,?,2\n"
    )
    assert _rejected("hist.csv", text) == [
        RowError("hist.csv", 2, "22-Jan-99", "8", "class 8 is outside the OECD scale 0-7"),
        RowError("hist.csv", 3, "ISO", "XXX", "unknown ISO 3166-1 alpha-3 country code"),
        RowError(
            "hist.csv",
            4,
            "01-Jan-99",
            "?",
            "not an OECD class: expected a whole number 0-7, or '-' for not classified",
        ),
    ]


def test_blank_historical_cells_are_no_review_and_dashes_are_not_classified() -> None:
    text = f"{HISTORICAL_HEADER},01-Jan-99,22-Jan-99,19-Mar-99\n1,ALB,Albania,7,,-\n\n2,DZA,Algeria,,6,6\n"
    _, rows = parse("hist.csv", text)
    assert rows == [
        Classification("AL", date(1999, 1, 1), 7, False),
        Classification("AL", date(1999, 3, 19), None, True),
        Classification("DZ", date(1999, 1, 22), 6, False),
        Classification("DZ", date(1999, 3, 19), 6, False),
    ]


def test_the_layout_is_told_apart_by_the_header_or_refused() -> None:
    with pytest.raises(InvalidInput, match=r"cannot tell the layout from the header 'a,b,c'"):
        parse("odd.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(InvalidInput, match="applies to the snapshot format only"):
        parse(
            "hist.csv", f"{HISTORICAL_HEADER},01-Jan-99\n1,ALB,Albania,7\n", as_of=date(2026, 1, 1)
        )
    with pytest.raises(InvalidInput, match="the file is empty"):
        parse("empty.csv", "\n\n")


def test_codes_and_column_letters() -> None:
    assert (alpha2_of("DEU"), alpha2_of("XKV"), alpha2_of("ATL"), alpha2_of("deu")) == (
        "DE",
        "XK",
        None,
        None,
    )
    assert [column_letter(i) for i in (0, 3, 25, 26, 91)] == ["A", "D", "Z", "AA", "CN"]


def test_review_dates_are_read_without_the_locale() -> None:
    assert review_date("01-Jan-99") == date(1999, 1, 1)
    assert review_date("11-Mar-22") == date(2022, 3, 11)
    assert review_date("1-dec-68") == date(2068, 12, 1)
    assert [review_date(t) for t in ("31-Feb-99", "01-Foo-99", "01-Jan-1999", "2001-01-25")] == [
        None,
        None,
        None,
        None,
    ]
