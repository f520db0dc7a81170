"""Sector risk: a level 1-5, a review frequency and the indicators to watch, per NACE rev. 2 code.

The table is data (sector_risk.toml, shipped in the wheel), validated here: every section A..U
once, each profile code a valid NACE division, group or class, no code in two profiles. A code
is answered by its most specific entry: class, then group, then division, then its section.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from tradecredit.kit.countries import NACE_SECTIONS, sector_section, validate_sector
from tradecredit.kit.errors import InvalidInput
from tradecredit.kit.parameters import parse_toml_as
from tradecredit.risk.schemas import SectorRisk

DEFAULT_TABLE_FILE = "sector_risk.toml"

ReviewFrequency = Literal["monthly", "quarterly", "yearly"]
Sentence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Level = Annotated[int, Field(ge=1, le=5)]


class SectionRisk(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    risk_level: Level
    review: ReviewFrequency
    indicators: list[Sentence] = Field(min_length=1)
    rationale: Sentence


class SectorProfile(BaseModel):
    """A refinement of a section for some divisions, groups or classes (e.g. pharmaceuticals)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    codes: list[str] = Field(min_length=1)
    label: Sentence
    risk_level: Level
    review: ReviewFrequency
    indicators: list[Sentence] = Field(min_length=1)
    rationale: Sentence

    @field_validator("codes")
    @classmethod
    def _finer_than_a_section(cls, codes: list[str]) -> list[str]:
        for code in codes:
            try:
                validate_sector(code)
            except InvalidInput as error:
                raise ValueError(error.message) from None
            if len(code) == 1:
                raise ValueError(
                    f"{code!r} is a whole section: describe it under [sections.{code}]"
                )
        return codes


class SectorRiskTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sections: dict[str, SectionRisk]
    profiles: list[SectorProfile] = []

    @model_validator(mode="after")
    def _every_section_once_and_no_code_twice(self) -> SectorRiskTable:
        missing = sorted(set(NACE_SECTIONS) - set(self.sections))
        unknown = sorted(set(self.sections) - set(NACE_SECTIONS))
        if missing or unknown:
            raise ValueError(
                f"sections must be exactly NACE A..U: missing {missing}, unknown {unknown}"
            )
        owner: dict[str, str] = {}
        for profile in self.profiles:
            for code in profile.codes:
                if code in owner:
                    raise ValueError(
                        f"code {code} is in two profiles: {owner[code]}, {profile.label}"
                    )
                owner[code] = profile.label
        return self

    def profile_for(self, code: str) -> tuple[str, SectorProfile] | None:
        """The most specific profile covering `code`, with the profile code that matched."""
        by_code = {c: profile for profile in self.profiles for c in profile.codes}
        for candidate in enclosing_codes(code)[:-1]:
            if candidate in by_code:
                return candidate, by_code[candidate]
        return None


def enclosing_codes(code: str) -> list[str]:
    """A NACE code and the codes that contain it, most specific first: C25.11, C25.1, C25, C."""
    found = [code]
    if "." in code:
        division, digits = code.split(".")
        found += [f"{division}.{digits[:1]}"] if len(digits) == 2 else []
        found.append(division)
    if len(found[-1]) > 1:
        found.append(code[0])
    return found


def sector_risk(code: str, *, table: SectorRiskTable | None = None) -> SectorRisk:
    """The risk of a NACE rev. 2 section, division, group or class ("C", "C21", "G46.7")."""
    normalised = validate_sector(code.strip().upper() if isinstance(code, str) else code)
    chosen = table or default_sector_risk_table()
    section = sector_section(normalised)
    base = chosen.sections[section]
    matched = chosen.profile_for(normalised)
    answer = {
        "code": normalised,
        "section": section,
        "section_name": NACE_SECTIONS[section][0],
        "matched": section,
        "profile": None,
        "risk_level": base.risk_level,
        "review": base.review,
        "indicators": list(base.indicators),
        "rationale": base.rationale,
    }
    if matched is not None:
        matched_code, profile = matched
        extra = [i for i in base.indicators if i not in profile.indicators]
        answer |= {
            "matched": matched_code,
            "profile": profile.label,
            "risk_level": profile.risk_level,
            "review": profile.review,
            "indicators": [*profile.indicators, *extra],
            "rationale": profile.rationale,
        }
    return SectorRisk.model_validate(answer)


def load_sector_risk_table(path: Path | None = None) -> SectorRiskTable:
    """The table in `path`, or the shipped default (sector_risk.toml in this package)."""
    if path is None:
        return default_sector_risk_table()
    return _parse_table(str(path), path.read_text(encoding="utf-8"))


@cache
def default_sector_risk_table() -> SectorRiskTable:
    text = resources.files(__package__).joinpath(DEFAULT_TABLE_FILE).read_text(encoding="utf-8")
    return _parse_table(DEFAULT_TABLE_FILE, text)


def _parse_table(name: str, text: str) -> SectorRiskTable:
    return parse_toml_as(SectorRiskTable, name, text)
