"""The two parameter files shipped in the package: the country grade scale and the sector table."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from tradecredit.kit.countries import NACE_SECTIONS
from tradecredit.kit.errors import InvalidInput, InvalidSector
from tradecredit.risk.grades import default_country_grade_scale, load_country_grade_scale
from tradecredit.risk.sectors import (
    default_sector_risk_table,
    enclosing_codes,
    load_sector_risk_table,
    sector_risk,
)

SCALE = """not_classified_level = 2
[oecd_class_levels]
0 = 1
1 = 1
2 = 2
3 = 3
4 = 4
5 = 5
6 = 6
7 = 7
"""


# --- country grade scale --------------------------------------------------------------------


def test_the_default_scale_puts_not_classified_at_the_lowest_level() -> None:
    scale = default_country_grade_scale()
    assert scale.level(None, not_classified=True) == 1
    assert [scale.level(c, not_classified=False) for c in range(8)] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_another_scale_can_be_loaded_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "scale.toml"
    path.write_text(SCALE, encoding="utf-8")
    scale = load_country_grade_scale(path)
    assert scale.level(None, not_classified=True) == 2
    assert scale.level(1, not_classified=False) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("7 = 7\n", ""),
            "oecd_class_levels must map every class 0-7 once, got [0, 1, 2, 3, 4, 5, 6]",
        ),
        (("3 = 3\n", "3 = 0\n"), "levels start at 1, got 0"),
        (("3 = 3\n", "3 = 6\n"), "class 4 has level 4, below class 3's 6"),
        (("not_classified_level = 2", "not_classified_level = 0"), "not_classified_level: Input"),
        (
            ("not_classified_level = 2", "not_classified_level = 2\nextra = 1"),
            "extra: Extra inputs",
        ),
        (("[oecd_class_levels]", "[oecd_class_levels"), "not valid TOML"),
    ],
)
def test_a_bad_scale_is_refused_with_the_reason(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = tmp_path / "scale.toml"
    path.write_text(SCALE.replace(*change), encoding="utf-8")
    with pytest.raises(InvalidInput, match=re.escape(message)):
        load_country_grade_scale(path)


# --- sector risk ----------------------------------------------------------------------------


def test_the_table_covers_every_nace_section() -> None:
    table = default_sector_risk_table()
    assert set(table.sections) == set(NACE_SECTIONS)
    assert all(1 <= entry.risk_level <= 5 for entry in table.sections.values())


def test_a_section_answers_for_itself() -> None:
    construction = sector_risk("F")
    assert (construction.section, construction.matched, construction.profile) == ("F", "F", None)
    assert (construction.risk_level, construction.review) == (5, "monthly")
    assert construction.section_name == "Construction"
    assert "order backlog and new contracts" in construction.indicators


def test_a_division_group_or_class_finds_its_most_specific_profile() -> None:
    pharma = sector_risk("c21.20")
    assert (pharma.code, pharma.matched, pharma.profile) == ("C21.20", "C21", "Pharmaceuticals")
    assert pharma.indicators[0].startswith("regulatory change in the importing country")
    assert "capacity utilisation" in pharma.indicators  # the section's indicators follow
    devices = sector_risk("C32.50")
    assert (devices.matched, devices.profile) == ("C32.5", "Medical devices")
    assert devices.indicators[0].startswith("reimbursement cycles")
    assert sector_risk("C20").indicators[0].startswith("environmental compliance")
    assert sector_risk("C10.1").indicators[0] == "channel inventory at retailers and distributors"
    plain = sector_risk("C25.11")
    assert (plain.matched, plain.profile, plain.risk_level) == ("C", None, 3)
    assert plain.indicators[:2] == ["capacity utilisation", "order intake and order-book stability"]


def test_enclosing_codes_run_from_specific_to_section() -> None:
    assert enclosing_codes("C25.11") == ["C25.11", "C25.1", "C25", "C"]
    assert enclosing_codes("G46.7") == ["G46.7", "G46", "G"]
    assert enclosing_codes("C25") == ["C25", "C"]
    assert enclosing_codes("C") == ["C"]


def test_a_bad_code_is_refused() -> None:
    with pytest.raises(InvalidSector, match="division 44 is not in section F"):
        sector_risk("F44")
    with pytest.raises(InvalidSector, match=re.escape("invalid NACE rev. 2 code 'Z1'")):
        sector_risk("Z1")


def _table_text() -> str:
    return resources.files("tradecredit.risk").joinpath("sector_risk.toml").read_text("utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("[sections.U]", "[sections.V]"), r"missing \['U'\], unknown \['V'\]"),
        (
            ('codes = ["C20"]', 'codes = ["C21"]'),
            "code C21 is in two profiles: Chemicals, Pharmaceuticals",
        ),
        (
            ('codes = ["C20"]', 'codes = ["C"]'),
            r"'C' is a whole section: describe it under \[sections.C\]",
        ),
        (('codes = ["C20"]', 'codes = ["C44"]'), "division 44 is not in section C"),
        (('review = "monthly"', 'review = "weekly"'), "sections.B.review: Input should be"),
        (("risk_level = 5", "risk_level = 6"), "sections.F.risk_level: Input should be less than"),
    ],
)
def test_a_bad_sector_table_is_refused(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = tmp_path / "sectors.toml"
    path.write_text(_table_text().replace(*change, 1), encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_sector_risk_table(path)
