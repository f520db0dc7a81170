"""Country and sector risk out of the service (and the API); the import's summary."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from tradecredit.kit.countries import country_name, validate_country
from tradecredit.kit.errors import UnknownCountry

COUNTRIES_OUTSIDE_ISO: dict[str, str] = {"XK": "Kosovo"}
"""Codes the country risk tables hold beside ISO 3166-1 (see oecd.ISO3_ALIASES), with names."""


def validate_risk_country(code: str) -> str:
    """An ISO 3166-1 alpha-2 code, or one of `COUNTRIES_OUTSIDE_ISO`; upper-cased."""
    normalised = code.strip().upper() if isinstance(code, str) else code
    if normalised in COUNTRIES_OUTSIDE_ISO:
        return normalised
    try:
        return validate_country(normalised)
    except UnknownCountry:
        raise UnknownCountry(
            f"unknown country {code!r}: not an ISO 3166-1 alpha-2 code (nor XK, Kosovo)"
        ) from None


def risk_country_name(code: str) -> str:
    return COUNTRIES_OUTSIDE_ISO.get(code) or country_name(code)


def _checked_country(code: str) -> str:
    try:
        return validate_risk_country(code)
    except UnknownCountry as error:
        raise ValueError(error.message) from None


RiskCountryCode = Annotated[str, BeforeValidator(_checked_country)]
"""A country as the risk tables name it: ISO 3166-1 alpha-2, or XK (Kosovo)."""


class CountryRisk(BaseModel):
    """One country's country risk classification, in force from `as_of` until the next review."""

    model_config = ConfigDict(frozen=True)

    country: str = Field(description="ISO 3166-1 alpha-2 (XK for Kosovo)")
    country_name: str
    as_of: date = Field(description="the review this classification comes from; in force from then")
    oecd_class: int | None = Field(
        description="OECD class, 0 (lowest risk) to 7 (highest); null when not classified"
    )
    not_classified: bool = Field(
        description="the OECD does not classify the country (its '-': high-income OECD and "
        "euro-area countries among others); never the same as class 0"
    )
    risk_level: int = Field(
        description="the platform's country risk level, 1 (lowest) upwards, derived from the "
        "OECD class by the documented scale (country_grades.toml)"
    )
    source: str


class CountryRiskAnswer(BaseModel):
    """The classification in force on `as_of` (null when none is known yet), and the history."""

    country: str
    country_name: str
    as_of: date = Field(description="the date asked about")
    source: str
    in_force: CountryRisk | None = Field(
        description="the latest classification dated on or before `as_of`; null when none is"
    )
    history: list[CountryRisk] | None = Field(
        default=None,
        description="every review stored for the country, oldest first (?history=true)",
    )


class SectorRisk(BaseModel):
    """The risk of a NACE rev. 2 code: its section's entry, refined by a profile where one fits."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(description="the NACE rev. 2 code asked about")
    section: str
    section_name: str
    matched: str = Field(description="the table entry that answered: a profile code or the section")
    profile: str | None = Field(description="the sector profile applied, e.g. 'Pharmaceuticals'")
    risk_level: int = Field(ge=1, le=5, description="1 (lowest) to 5 (highest)")
    review: Literal["monthly", "quarterly", "yearly"] = Field(
        description="how often a limit on a buyer of the sector is reviewed"
    )
    indicators: list[str] = Field(description="what to watch, most telling first")
    rationale: str = Field(description="why the level (the profile's where one applies)")


class CountryRiskImport(BaseModel):
    """What an OECD file import did (or, in a dry run, would do)."""

    file: str
    sha256: str
    format: str
    source: str
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    countries: int
    first_as_of: date | None
    last_as_of: date | None

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        span = f"{self.first_as_of} to {self.last_as_of}" if self.first_as_of else "no dates"
        return (
            f"{self.file} ({self.format}, source {self.source}): {self.rows} classifications of "
            f"{self.countries} countries, {span}; {self.created} {verb} created, "
            f"{self.updated} {verb} updated, {self.unchanged} unchanged"
        )
