"""The platform's own country risk level, derived from the OECD class by a documented scale.

The scale is a parameter (country_grades.toml), not a constant: an insurer with its own view of
the OECD classes can load another file. The level is computed when read, never stored, so a new
scale applies to every stored classification at once.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from itertools import pairwise
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tradecredit.kit.errors import InvalidInput
from tradecredit.kit.parameters import parse_toml_as

OECD_CLASSES = range(8)
DEFAULT_SCALE_FILE = "country_grades.toml"


class CountryGradeScale(BaseModel):
    """OECD class (0-7) -> platform risk level (1 = lowest risk); one level for "not classified"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    not_classified_level: int = Field(ge=1)
    oecd_class_levels: dict[int, int]

    @model_validator(mode="after")
    def _complete_and_monotone(self) -> CountryGradeScale:
        if sorted(self.oecd_class_levels) != list(OECD_CLASSES):
            raise ValueError(
                f"oecd_class_levels must map every class 0-7 once, got {sorted(self.oecd_class_levels)}"
            )
        levels = [self.oecd_class_levels[c] for c in OECD_CLASSES]
        if min(levels) < 1:
            raise ValueError(f"levels start at 1, got {min(levels)}")
        for lower, higher in pairwise(OECD_CLASSES):
            if levels[higher] < levels[lower]:
                raise ValueError(
                    f"class {higher} has level {levels[higher]}, below class {lower}'s "
                    f"{levels[lower]}: a riskier class cannot get a lower level"
                )
        return self

    def level(self, oecd_class: int | None, *, not_classified: bool) -> int:
        if not_classified:
            return self.not_classified_level
        if oecd_class is None:
            raise InvalidInput("a classified country needs an OECD class")
        return self.oecd_class_levels[oecd_class]


def load_country_grade_scale(path: Path | None = None) -> CountryGradeScale:
    """The scale in `path`, or the shipped default (country_grades.toml in this package)."""
    if path is None:
        return default_country_grade_scale()
    return _parse_scale(str(path), path.read_text(encoding="utf-8"))


@cache
def default_country_grade_scale() -> CountryGradeScale:
    text = resources.files(__package__).joinpath(DEFAULT_SCALE_FILE).read_text(encoding="utf-8")
    return _parse_scale(DEFAULT_SCALE_FILE, text)


def _parse_scale(name: str, text: str) -> CountryGradeScale:
    return parse_toml_as(CountryGradeScale, name, text)
